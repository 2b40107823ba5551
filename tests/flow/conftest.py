"""Fixtures for tests/flow: they live in flow_helpers.py (a unique module name, because tests/ is not
a package and every conftest.py would otherwise be imported as the same module "conftest")."""
from flow_helpers import *  # noqa: F401,F403
