"""The examples in the exercise engine's and the grader's docstrings stay true."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "casl.exercises", "casl.exercises.answers", "casl.exercises.engine", "casl.exercises.normalise",
    "casl.exercises.outcomes", "casl.exercises.policy", "casl.exercises.registry", "casl.exercises.view",
    "casl.grading.build", "casl.grading.cells", "casl.grading.execute", "casl.grading.grade", "casl.grading.lint",
    "casl.grading.plugin", "casl.grading.report", "casl.grading.submission",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
