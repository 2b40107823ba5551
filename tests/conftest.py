"""Shared test fixtures: where the repository and the shared real-world samples are."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# CI clones main with shared/ beside it; a developer's checkout has the same layout.
SHARED = REPO.parent / "shared"
FIXTURES = SHARED / "fixtures"
DOMAIN = SHARED / "domain"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"shared fixtures not found at {FIXTURES}: clone the project with shared/ beside it")
    return FIXTURES


@pytest.fixture(scope="session")
def domain_dir() -> Path:
    if not DOMAIN.is_dir():
        pytest.fail(f"shared domain facts not found at {DOMAIN}")
    return DOMAIN
