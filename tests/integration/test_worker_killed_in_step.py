"""A step that kills its own worker (issue 14.2), on both databases, with real worker processes.

Nothing in Python can catch SIGKILL (the OOM killer's signal) or a crash in C code, and a script
cannot end its process: scripts are sandboxed. So the death is made real from outside: the
timer's step is a script that spins (`while True: pass`) under a long script budget, which holds
the worker inside the step; the test waits until the worker has committed the attempt's mark
(the step is under way) and kills the process with SIGKILL, exactly what the OOM killer does.
The step's transaction dies with it. A worker started afterwards must count that attempt as
failed instead of dying on it again; after `worker.incident_max_attempts` such deaths the timer
is held back as a failed incident, and every other due timer fires.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine

from engine import services
from engine.bootstrap import App
from engine.clock import FixedClock
from engine.services import incidents, timers
from engine.store.models import Case, SystemAuditEvent, TimerIncident, TimerRow
from tests.conftest import FIXTURES, ROOT
from tests.integration.conftest import OFFICER, is_postgres
from tests.integration.test_hostile_scripts import TIMER_ONLY, deploy, with_script

QINGWEI = str(Path(sys.executable).parent / "qingwei")


def _env(app: App) -> dict[str, str]:
    return {
        **os.environ,
        "QINGWEI_DATABASE_URL": app.settings.database.url,
        "QINGWEI_FORMS_DIR": str(FIXTURES / "forms"),
        "QINGWEI_SECRET_KEY": "test-secret-key",
        "QINGWEI_WORKER__INTERVAL_SECONDS": "0.2",
        "QINGWEI_WORKER__INCIDENT_MAX_ATTEMPTS": "2",
        "QINGWEI_WORKER__INCIDENT_BACKOFF_SECONDS": "0.001",
        # One worker here: a mark nobody holds is a dead attempt at once (no lease to wait out).
        "QINGWEI_WORKER__ABANDONED_AFTER_SECONDS": "0",
        # The spinning step stays under way long enough to be killed inside it.
        "QINGWEI_LIMITS__SCRIPT_SECONDS": "120",
        "QINGWEI_LIMITS__STEP_SECONDS": "240",
    }


def _mark(eng: Engine, case_id: int) -> datetime | None:
    with eng.connect() as c:
        return c.scalar(select(TimerRow.attempt_started_at).where(TimerRow.case_id == case_id))


def _kill_inside_the_step(app: App, eng: Engine, case_id: int) -> None:
    """Start a worker, wait until it is inside the spinning step (it committed a new attempt
    mark: not the one the last killed worker left), SIGKILL it."""
    before = _mark(eng, case_id)
    worker = subprocess.Popen(
        [QINGWEI, "worker"],
        env=_env(app),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while (mark := _mark(eng, case_id)) is None or mark == before:
            assert worker.poll() is None, worker.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the worker never started the step"
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=30)
    assert worker.returncode == -signal.SIGKILL


def test_a_worker_killed_inside_a_step_counts_a_failed_attempt_and_is_not_killed_again(
    app: App, clock: FixedClock
) -> None:
    deploy(app, "killer", with_script("killer", "while True:\n    pass", after_timer=True))
    deploy(app, "timer_only", TIMER_ONLY.encode())
    ctx = app.ctx
    killer = services.open_case(ctx.uow(), ctx=ctx, actor=OFFICER, process_key="killer", data={})
    # The healthy cases fall due after the killer's timer: a worker that took the killer first
    # and died on it every time (the old behaviour) would never reach them.
    clock.advance(timedelta(days=7))
    good = [
        services.open_case(ctx.uow(), ctx=ctx, actor=OFFICER, process_key="timer_only", data={})
        for _ in range(3)
    ]
    eng = create_engine(app.settings.database.url)
    try:
        # Two deaths inside the step; each restarted worker first counts the previous one.
        _kill_inside_the_step(app, eng, killer.id)
        with eng.connect() as c:
            assert c.scalar(select(TimerIncident.id)) is None  # the step died: nothing recorded
            assert set(c.scalars(select(Case.status).where(Case.id != killer.id))) == {"open"}
        _kill_inside_the_step(app, eng, killer.id)
        with eng.connect() as c:
            incident = c.execute(select(TimerIncident)).one()
            good_statuses = set(c.scalars(select(Case.status).where(Case.id != killer.id)))
        assert (incident.attempts, incident.status) == (1, "open")
        assert incident.error_kind == "worker_died"
        # The second worker counted the first death and fired the others before it took the
        # killer again (after its backoff) and died in turn.
        assert good_statuses == {"closed"}

        # A third worker counts the second death, which was the last attempt, and goes on.
        done = subprocess.run(
            [QINGWEI, "worker", "--once"],
            env=_env(app),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert "fired timers on 0 case(s)" in done.stdout  # and did not run the killer again
        with eng.connect() as c:
            incident = c.execute(select(TimerIncident)).one()
            statuses = dict(c.execute(select(Case.id, Case.status)).tuples().all())
            timer = c.execute(select(TimerRow)).one()
            trail = list(
                c.scalars(
                    select(SystemAuditEvent.action).where(
                        SystemAuditEvent.action.like("timer_incident_%")
                    )
                )
            )
    finally:
        eng.dispose()
    assert (incident.case_id, incident.attempts, incident.status) == (killer.id, 2, "failed")
    assert "工作进程中途终止" in incident.error
    assert incident.next_attempt_at is None  # held back until an administrator acts
    assert timer.case_id == killer.id and timer.attempt_started_at is None
    assert statuses[killer.id] != "closed"
    assert all(statuses[v.id] == "closed" for v in good)
    assert trail == ["timer_incident_opened", "timer_incident_failed"]


def test_a_fresh_mark_is_left_to_its_worker_and_counted_once_it_is_older_than_the_lease(
    app: App, clock: FixedClock
) -> None:
    """Between its mark and its step a live worker holds nothing: another worker must not take
    that for a death. A mark younger than `worker.abandoned_after_seconds` is left alone."""
    deploy(app, "timer_only", TIMER_ONLY.encode())
    ctx = app.ctx
    case = services.open_case(ctx.uow(), ctx=ctx, actor=OFFICER, process_key="timer_only", data={})
    clock.advance(timedelta(days=7))
    with ctx.uow() as uow:
        assert uow.session is not None
        timer_id = uow.session.scalars(select(TimerRow.id)).one()
        incidents.repo(uow).mark_attempt(timer_id, clock.now())
        ctx.commit(uow)
    lease = ctx.settings.worker.abandoned_after_seconds
    assert lease == 60  # the default
    clock.advance(timedelta(seconds=lease - 1))
    assert services.fire_due_timers(ctx) == 0  # not taken, not counted
    with ctx.uow() as uow:
        assert uow.session is not None
        assert uow.session.scalar(select(TimerIncident.id)) is None
    clock.advance(timedelta(seconds=2))
    assert services.fire_due_timers(ctx) == 0  # counted as a failed attempt, backing off
    with ctx.uow() as uow:
        assert uow.session is not None
        incident = uow.session.scalars(select(TimerIncident)).one()
        assert (incident.case_id, incident.attempts, incident.status) == (case.id, 1, "open")
        assert incident.error_kind == "worker_died"
        assert uow.session.scalar(select(TimerRow.attempt_started_at)) is None
    clock.advance(timedelta(seconds=ctx.settings.worker.incident_backoff_seconds))
    assert services.fire_due_timers(ctx) == 1  # the next attempt runs and fires
    with ctx.uow() as uow:
        assert uow.session is not None
        assert uow.session.scalars(select(TimerIncident.status)).one() == "resolved"


def test_a_claim_query_touching_a_marked_timer_does_not_make_its_worker_give_it_up(
    app: App, clock: FixedClock
) -> None:
    """PostgreSQL: another worker's claim query locks a marked row for an instant while it
    rechecks the mark (FOR UPDATE SKIP LOCKED keeps that lock to the end of its transaction).
    The marking worker must wait for it, not skip the timer and leave its mark behind — which,
    a minute later, would have been taken for a death (the soak's one healthy timer fired 122 s
    late, after a false `worker_died` incident)."""
    if not is_postgres(app):
        pytest.skip("row locks held by another transaction: PostgreSQL")
    deploy(app, "timer_only", TIMER_ONLY.encode())
    ctx = app.ctx
    services.open_case(ctx.uow(), ctx=ctx, actor=OFFICER, process_key="timer_only", data={})
    clock.advance(timedelta(days=7))
    marked = timers._mark(ctx, set())
    assert marked is not None and marked[2] is None  # marked, to be run
    timer_id, now, _ = marked
    eng = create_engine(app.settings.database.url)
    try:
        with eng.connect() as other:  # the other worker's claim, holding the row
            other.execute(select(TimerRow).where(TimerRow.id == timer_id).with_for_update())
            with ThreadPoolExecutor(max_workers=1) as pool:
                running = pool.submit(timers._run_marked, ctx, timer_id, now)
                deadline = time.monotonic() + 30
                while not _waits_for_a_lock(eng):
                    assert not running.done(), running.result()  # gave up instead of waiting
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
                other.rollback()  # the claim moves on to another row
                assert running.result(timeout=60) == "fired"
        with eng.connect() as c:
            assert c.scalar(select(TimerRow.id)) is None
            assert c.scalar(select(TimerIncident.id)) is None
    finally:
        eng.dispose()


def _waits_for_a_lock(eng: Engine) -> bool:
    with eng.connect() as c:
        n = c.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"))
    return bool(n)
