"""A small test course for the exercise engine and the grader (not shipped with casl).

Importable when ``tests/grading/data`` is on ``PYTHONPATH``; registered with
``CASL_CATALOG="90-values=casl_testcourse.values,91-actions=casl_testcourse.actions"``.
"""
