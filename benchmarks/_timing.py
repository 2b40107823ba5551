"""What every benchmark shares: the repository on sys.path, and the median of repeated runs."""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def median(fn, repeat: int) -> float:
    """Median wall time of ``repeat`` calls of ``fn`` (perf_counter), in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
