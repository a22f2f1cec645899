"""The timer monitor loop: find due timers, fire each through `services.fire_timer` logic.

Each firing is its own keyed, idempotent transaction (services.timers), so the loop itself can be
killed at any moment and several loops can share one PostgreSQL database.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from engine import services
from engine.services.context import EngineContext

log = logging.getLogger("qingwei.worker")

CHECKPOINT_EVERY = timedelta(hours=1)


def run_once(ctx: EngineContext) -> int:
    """One pass: recompute deadlines still marked provisional whose year has been loaded
    meanwhile (by another process), then fire everything due now. Returns cases moved."""
    services.recompute_stale_provisional(ctx)
    return services.fire_due_timers(ctx)


def run_forever(ctx: EngineContext, stop: threading.Event | None = None) -> None:
    """Loop until `stop` is set; sign an audit checkpoint every hour when a key is configured."""
    stop = stop or threading.Event()
    last_checkpoint = None
    while not stop.is_set():
        try:
            moved = run_once(ctx)
            if moved:
                log.info("fired timers on %d case(s)", moved)
            now = ctx.clock.now()
            if ctx.settings.security.signing_key and (
                last_checkpoint is None or now - last_checkpoint >= CHECKPOINT_EVERY
            ):
                services.sign_checkpoint(ctx.uow(), ctx=ctx)
                last_checkpoint = now
        except Exception:  # the loop must survive a bad pass; each item already rolled back
            log.exception("timer pass failed")
        stop.wait(ctx.settings.worker.interval_seconds)
