"""Building releases from the course, and grading submissions against them.

``casl build`` (:mod:`casl.grading.build`), ``casl grade`` (:mod:`casl.grading.grade`, with the
pytest plugin :mod:`casl.grading.plugin`), ``casl solve`` and the release linter
(:mod:`casl.grading.lint`). Nothing here is imported by ``import casl``.
"""
