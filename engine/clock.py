"""Where the engine learns what time it is.

Every deadline in this domain is legal: a forced demolition one day early is unlawful. Tests and
demos must therefore be able to pin time exactly, so nothing outside this module reads the wall
clock; everything receives a `Clock`.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that can say the current instant, timezone-aware."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that moves only when told to: tests, `qingwei demo` and the demo server.

    It is shared between the API thread and the timer worker in `serve --demo`, hence the lock.
    """

    def __init__(self, at: datetime) -> None:
        self._lock = threading.Lock()
        self._now = _aware(at)

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, at: datetime) -> None:
        with self._lock:
            self._now = _aware(at)

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now = self._now + delta
            return self._now


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("a clock needs a timezone-aware datetime")
    return at
