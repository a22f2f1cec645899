"""Timer workers: each due timer fires exactly once, even with two workers on one PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from engine import services
from engine.bootstrap import App
from engine.store.models import AuditEvent, Case, TimerRow
from tests.conftest import FIXTURES, ROOT, fixture_bpmn
from tests.integration.conftest import DESIGNER, OFFICER, is_postgres

N_TIMERS = 2000


def _deploy_timer_only(app: App) -> None:
    services.deploy_process(
        app.ctx.uow(),
        ctx=app.ctx,
        files={"timer_only.bpmn": fixture_bpmn("timer_only.bpmn")},
        actor=DESIGNER,
    )


def _open(app: App, n: int) -> None:
    def one(_: int) -> None:
        services.open_case(
            app.ctx.uow(), ctx=app.ctx, actor=OFFICER, process_key="timer_only", data={}
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, range(n)))


def _counts(url: str) -> tuple[int, int, int, list[int]]:
    eng = create_engine(url)
    with eng.connect() as c:
        timers = c.scalar(select(func.count()).select_from(TimerRow))
        closed = c.scalar(select(func.count()).where(Case.status == "closed"))
        fired = c.scalar(select(func.count()).where(AuditEvent.action == "timer_fired"))
        per_case = list(
            c.scalars(
                select(func.count())
                .where(AuditEvent.action == "timer_fired")
                .group_by(AuditEvent.case_id)
                .having(func.count() > 1)
            )
        )
    eng.dispose()
    return int(timers or 0), int(closed or 0), int(fired or 0), per_case


def test_two_worker_processes_fire_each_of_2000_timers_once(app: App) -> None:
    if not is_postgres(app):
        pytest.skip("the two-worker claim race is a PostgreSQL property (SKIP LOCKED)")
    _deploy_timer_only(app)
    _open(app, N_TIMERS)
    assert _counts(app.settings.database.url)[0] == N_TIMERS
    # The timers fall due on 2026-02-12 (fixed clock); the worker processes use the wall clock,
    # which is later, so all 2000 are due for them.
    env = {
        **os.environ,
        "QINGWEI_DATABASE_URL": app.settings.database.url,
        "QINGWEI_FORMS_DIR": str(FIXTURES / "forms"),
        "QINGWEI_SECRET_KEY": "test-secret-key",
    }
    qingwei = str(Path(sys.executable).parent / "qingwei")
    workers = [
        subprocess.Popen(
            [qingwei, "worker", "--once"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    # Both workers' pipes are read at once: reading one to its end first let the other fill
    # its 64 KiB stderr pipe and block inside a step (holding the case lock) until the step
    # budget failed it, which was this test's intermittent unfired timer.
    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = list(pool.map(lambda w: w.communicate(timeout=600), workers))
    assert [w.returncode for w in workers] == [0, 0], outputs
    # A worker writes nothing per fired timer (SpiffWorkflow's task log stays below WARNING):
    # a chatty worker would stall on a slow log reader in the middle of its steps.
    assert all(len(err) < 4096 for _, err in outputs), [err[-2000:] for _, err in outputs]
    fired_by = [int(out.strip().split()[3]) for out, _ in outputs]
    timers, closed, fired, duplicates = _counts(app.settings.database.url)
    assert timers == 0, outputs
    assert closed == N_TIMERS
    assert fired == N_TIMERS
    assert duplicates == []
    assert sum(fired_by) == N_TIMERS
    assert all(n > 0 for n in fired_by), f"one worker did all the work: {fired_by}"


def test_threads_racing_on_sqlite_and_postgres_fire_once(app: App) -> None:
    """The same guarantee through the service function with threads, on both backends."""
    from datetime import timedelta

    _deploy_timer_only(app)
    _open(app, 60)
    app.ctx.clock.advance(timedelta(days=3))  # type: ignore[attr-defined]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: services.fire_due_timers(app.ctx), range(3)))
    assert sum(results) == 60
    timers, closed, fired, duplicates = _counts(app.settings.database.url)
    assert (timers, closed, fired, duplicates) == (0, 60, 60, [])
