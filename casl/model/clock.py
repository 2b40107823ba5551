"""The lab clock and the seeded random source: everything the lab shows is deterministic.

>>> c = LabClock.at("2014-10-02T09:30:00")
>>> c.tick(); c.now().isoformat()
'2014-10-02T09:30:01+00:00'
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone


@dataclass
class LabClock:
    """A clock that only moves when the lab does something (one second per step by default)."""
    start: datetime
    elapsed: float = 0.0

    @classmethod
    def at(cls, iso: str) -> "LabClock":
        t = datetime.fromisoformat(iso)
        return cls(t if t.tzinfo else t.replace(tzinfo=timezone.utc))

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    def tick(self, seconds: float = 1.0) -> None:
        self.elapsed += seconds


@dataclass
class PidSource:
    """Windows-like process ids (multiples of 4) drawn from the scenario seed, never repeated.

    >>> p = PidSource(7); a, b = p.next(), p.next(); a % 4 == 0 and a != b
    True
    """
    seed: int
    _rng: random.Random = field(init=False, repr=False)
    _used: set[int] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._used.update({0, 4})

    def next(self) -> int:
        while True:
            pid = 4 * self._rng.randrange(250, 3_000)
            if pid not in self._used:
                self._used.add(pid)
                return pid

    def randint(self, lo: int, hi: int) -> int:
        return self._rng.randint(lo, hi)
