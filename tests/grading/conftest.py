"""Fixtures for tests/grading: they live in grading_helpers.py (a unique module name, because tests/ is not
a package and every conftest.py would otherwise be imported as the same module "conftest")."""
from grading_helpers import *  # noqa: F401,F403
from grading_helpers import _test_course_registered  # noqa: F401  (autouse; * skips underscore names)
