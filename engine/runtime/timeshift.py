"""Make SpiffWorkflow's timer checks read the injected clock.

SpiffWorkflow's timer event definitions call `datetime.now(timezone.utc)` themselves, so a timer
whose date is behind the *wall* clock would fire at once even while the engine's clock says it is
not due (and a test with a fixed clock in the past would see timers fire early). We swap the
`datetime` name inside that one module for a subclass whose `now()` reads a context variable that
the runtime sets for the length of each step. Outside a step the subclass refuses to guess.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

from engine.runtime.scripting import current_now


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        at = current_now.get()
        if at is None:
            raise RuntimeError("SpiffWorkflow asked for the time outside a Qingwei workflow step")
        if tz is None:
            return at.replace(tzinfo=None)
        return at.astimezone(tz)


_spiff_timer.datetime = _ClockedDatetime


@contextmanager
def at_instant(now: datetime) -> Iterator[None]:
    """Run the enclosed workflow operations as if the time were `now`."""
    if now.tzinfo is None:
        raise ValueError("the workflow clock must be timezone-aware")
    token = current_now.set(now)
    try:
        yield
    finally:
        current_now.reset(token)
