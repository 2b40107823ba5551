"""A deliberately faulty exercise (notebook 92-robust) for the grader's robustness tests.

Learners' cells are never run by the grader, and answers are literal data, so the only way a
submission can make a graded notebook hang or kill its kernel is an answer that trips a fault in
a check. This check has such faults on purpose: ``mode = "hang"`` never returns and
``mode = "crash"`` ends the kernel process.
"""
from __future__ import annotations

import os
import time

from casl.exercises import Exercise, Incorrect


def _judge(mode):
    if mode == "hang":
        while True:
            time.sleep(0.05)
    if mode == "crash":
        os._exit(3)
    if mode != "ok":
        raise Incorrect(f"{mode!r} is not ok")


EXERCISES = (
    Exercise(
        id="testcourse.robust", title="A check with faults", notebook="92-robust", kind="value",
        reads={"mode": None}, check=_judge, points=1,
        hints=("Answer ok.",), solution='mode = "ok"',
    ),
)
