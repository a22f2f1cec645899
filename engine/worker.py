"""The timer monitor loop: find due timers, fire each through `services.fire_timer` logic.

Each firing is its own keyed, idempotent transaction (services.timers), so the loop itself can be
killed at any moment and several loops can share one PostgreSQL database. A timer whose step
fails becomes an incident (services.incidents) and never stops the loop; what does stop it is a
database it cannot use: unreachable at start, a schema older (or newer) than this program, or
unreachable for `FATAL_AFTER` passes in a row. Then `qingwei worker` exits non-zero so the
service manager sees it, and `serve` restarts its worker thread (`supervise`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from engine import services
from engine.services.context import EngineContext

log = logging.getLogger("qingwei.worker")

CHECKPOINT_EVERY = timedelta(hours=1)
FATAL_AFTER = 5  # passes in a row that could not reach the database
DB_ERRORS = (OperationalError, InterfaceError)


class FatalWorkerError(RuntimeError):
    """The worker cannot do its work at all; the message is for the operator, Chinese first."""


def preflight(database_url: str) -> None:
    """Refuse to start on a database that cannot be reached or whose schema is not this
    program's (`qingwei db upgrade` not run, or a newer program migrated it)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from engine.store.migrate import alembic_config

    engine = create_engine(database_url, connect_args=_connect_args(database_url))
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except DBAPIError as exc:
        raise FatalWorkerError(
            f"无法连接数据库 {engine.url.render_as_string(hide_password=True)}："
            f"{first_line(exc)} (the database cannot be reached)"
        ) from exc
    finally:
        engine.dispose()
    expected = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    if not current:
        raise FatalWorkerError(
            "数据库尚未建表，请先运行 `qingwei db upgrade`"
            " (the database has no schema: run `qingwei db upgrade` first)"
        )
    if current != expected:
        raise FatalWorkerError(
            f"数据库结构版本 {sorted(current)} 与程序版本 {sorted(expected)} 不一致，"
            "请运行 `qingwei db upgrade`（或使用与数据库相符的程序版本）"
            " (the database schema does not match this program: run `qingwei db upgrade`)"
        )


def _connect_args(url: str) -> dict[str, int]:
    return {"connect_timeout": 5} if url.startswith("postgresql") else {}


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def run_once(ctx: EngineContext, stop: threading.Event | None = None) -> int:
    """One pass: recompute deadlines still marked provisional whose year has been loaded
    meanwhile (by another process), then fire everything due now. Returns cases moved.
    A recompute that fails for some case is logged and does not keep the timers from firing."""
    try:
        services.recompute_stale_provisional(ctx)
    except DB_ERRORS:
        raise
    except Exception:
        log.exception("recomputing provisional deadlines failed; firing due timers anyway")
    return services.fire_due_timers(ctx, stop=stop)


def run_forever(
    ctx: EngineContext,
    stop: threading.Event | None = None,
    *,
    fatal_after: int = FATAL_AFTER,
) -> None:
    """Loop until `stop` is set (a step under way finishes first); sign an audit checkpoint
    every hour when a key is configured. Raises FatalWorkerError after `fatal_after` passes in
    a row failed on the database."""
    stop = stop or threading.Event()
    last_checkpoint = None
    db_failures = 0
    while not stop.is_set():
        try:
            moved = run_once(ctx, stop)
            if moved:
                log.info("fired timers on %d case(s)", moved)
            now = ctx.clock.now()
            if ctx.settings.security.signing_key and (
                last_checkpoint is None or now - last_checkpoint >= CHECKPOINT_EVERY
            ):
                services.sign_checkpoint(ctx.uow(), ctx=ctx)
                last_checkpoint = now
            db_failures = 0
        except DB_ERRORS as exc:
            db_failures += 1
            log.error(
                "数据库不可用 (database unavailable), pass %d/%d: %s",
                db_failures,
                fatal_after,
                first_line(exc),
            )
            if db_failures >= fatal_after:
                raise FatalWorkerError(
                    f"连续 {db_failures} 轮无法使用数据库：{first_line(exc)}"
                    f" (the database failed {db_failures} passes in a row)"
                ) from exc
        except Exception:  # the loop must survive a bad pass; each item already rolled back
            log.exception("timer pass failed")
        stop.wait(ctx.settings.worker.interval_seconds)


def supervise(
    ctx: EngineContext,
    stop: threading.Event,
    *,
    run: Callable[[EngineContext, threading.Event], None] | None = None,
    sleep: Callable[[float], object] | None = None,
) -> int:
    """Run the worker loop until `stop`; when it dies (any exception, even a BaseException
    such as SystemExit from a library), log it and start it again after a delay that doubles
    up to 60 s, and shrinks back after a loop that ran a while. Returns the restarts made.
    `serve` runs this in a thread so one crash does not end timer firing for the server."""
    run = run or (lambda c, s: run_forever(c, s))
    wait = sleep or stop.wait
    base = ctx.settings.worker.restart_delay_seconds
    delay = base
    restarts = 0
    while not stop.is_set():
        started = time.monotonic()
        crash: BaseException | None = None
        try:
            run(ctx, stop)
        except BaseException as exc:  # a supervisor outlives what it runs
            crash = exc
        if stop.is_set():
            return restarts
        if time.monotonic() - started > 60 * base:
            delay = base  # it had been running a while: a new fault, not the same one again
        if crash is None:
            log.error("定时器工作线程意外退出，%.0f 秒后重启 (the timer worker returned)", delay)
        else:
            log.error(
                "定时器工作线程崩溃，%.0f 秒后重启 (the timer worker crashed; restarting): %r",
                delay,
                crash,
                exc_info=crash,
            )
        restarts += 1
        wait(delay)
        delay = min(delay * 2, 60.0)
    return restarts
