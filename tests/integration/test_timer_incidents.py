"""Timer incidents on both databases (issue 14 item 2): a timer whose step fails is rolled back
and recorded as an incident, tried again with a doubling backoff, held back after the last
attempt, and never keeps the other timers from firing; retry and resolve are audited in the
system trail; an incident closes itself when its timer fires or stops waiting."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, func, select

from engine import services
from engine.bootstrap import App, build
from engine.clock import FixedClock
from engine.config import Settings
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.services import incidents
from engine.services.context import Actor
from engine.store.models import AuditEvent, Case, SystemAuditEvent, TimerIncident, TimerRow
from engine.store.uow import UnitOfWork
from tests.conftest import FIXTURES, ROOT
from tests.integration.conftest import OFFICER
from tests.integration.test_hostile_scripts import TIMER_ONLY, deploy, with_script

ADMIN = Actor("admin1", ("admin",))


@pytest.fixture
def app3(settings: Settings, clock: FixedClock) -> Iterator[App]:
    """Three attempts, one minute apart at first (then 2, capped at 3 minutes)."""
    settings.limits.script_seconds = 0.3
    settings.limits.step_seconds = 1.0
    settings.worker.incident_max_attempts = 3
    settings.worker.incident_backoff_seconds = 60
    settings.worker.incident_backoff_max_seconds = 180
    application = build(settings, clock)
    yield application
    application.close()


def _open(app: App, key: str) -> int:
    return services.open_case(
        app.ctx.uow(), ctx=app.ctx, actor=OFFICER, process_key=key, data={}
    ).id


def _incidents(app: App) -> list[TimerIncident]:
    with app.ctx.uow() as uow:
        assert uow.session is not None
        rows = list(uow.session.scalars(select(TimerIncident).order_by(TimerIncident.id)))
        uow.session.expunge_all()  # loaded, then kept readable after the session ends
        return rows


def _system_actions(app: App) -> list[tuple[str, str, dict[str, object]]]:
    with app.ctx.uow() as uow:
        assert uow.session is not None
        rows = uow.session.scalars(select(SystemAuditEvent).order_by(SystemAuditEvent.seq))
        return [(e.action, e.actor, dict(e.data)) for e in rows if "incident" in e.action]


def _waiting(app: App) -> set[int]:
    with app.ctx.uow() as uow:
        assert uow.session is not None
        return set(uow.session.scalars(select(TimerRow.case_id)))


def _status(app: App, case_id: int) -> str:
    with app.ctx.uow() as uow:
        assert uow.session is not None
        return str(uow.session.scalar(select(Case.status).where(Case.id == case_id)))


@pytest.fixture
def poisoned(app3: App, clock: FixedClock) -> tuple[App, int, list[int]]:
    """One case whose timer leads to `raise SystemExit`, three healthy ones, all due."""
    deploy(app3, "poisoned", with_script("poisoned", "raise SystemExit", after_timer=True))
    deploy(app3, "timer_only", TIMER_ONLY.encode())
    bad = _open(app3, "poisoned")
    good = [_open(app3, "timer_only") for _ in range(3)]
    clock.advance(timedelta(days=3))
    return app3, bad, good


def test_a_failing_timer_opens_an_incident_backs_off_and_stops_after_the_last_attempt(
    poisoned: tuple[App, int, list[int]], clock: FixedClock
) -> None:
    app, bad, good = poisoned
    assert services.fire_due_timers(app.ctx) == 3  # the others fire; nothing escapes
    assert _waiting(app) == {bad}
    assert [_status(app, c) for c in good] == ["closed"] * 3
    assert _status(app, bad) == "open"  # the failed step is rolled back
    (inc,) = _incidents(app)
    t0 = clock.now()
    assert (inc.case_id, inc.status, inc.attempts) == (bad, "open", 1)
    assert inc.next_attempt_at == t0 + timedelta(seconds=60)
    assert inc.error_kind == "process_fault" and "SystemExit" in inc.error

    # Held back until its next attempt: the pass neither runs nor counts it.
    assert services.fire_due_timers(app.ctx) == 0
    assert _incidents(app)[0].attempts == 1
    clock.advance(timedelta(seconds=59))
    services.fire_due_timers(app.ctx)
    assert _incidents(app)[0].attempts == 1

    clock.advance(timedelta(seconds=1))  # due again: second failure, twice the wait
    services.fire_due_timers(app.ctx)
    (inc,) = _incidents(app)
    assert (inc.status, inc.attempts) == ("open", 2)
    assert inc.next_attempt_at == clock.now() + timedelta(seconds=120)

    clock.advance(timedelta(seconds=120))  # third and last attempt
    services.fire_due_timers(app.ctx)
    (inc,) = _incidents(app)
    assert (inc.status, inc.attempts, inc.next_attempt_at) == ("failed", 3, None)
    clock.advance(timedelta(days=30))
    assert services.fire_due_timers(app.ctx) == 0
    assert _incidents(app)[0].attempts == 3  # no more attempts until an administrator acts
    assert [a for a, _, _ in _system_actions(app)] == [
        "timer_incident_opened",
        "timer_incident_failed",
    ]
    stuck = incidents.case_incidents(app.ctx.uow(), ctx=app.ctx, case_id=bad)
    assert [(i.status, i.timer_waiting) for i in stuck] == [("failed", True)]
    assert incidents.case_incidents(app.ctx.uow(), ctx=app.ctx, case_id=good[0]) == []


def test_retry_grants_new_attempts_and_resolve_needs_a_reason_both_audited(
    poisoned: tuple[App, int, list[int]], clock: FixedClock
) -> None:
    app, bad, _ = poisoned
    services.fire_due_timers(app.ctx)
    (inc,) = _incidents(app)
    view = incidents.retry_incident(app.ctx.uow(), ctx=app.ctx, actor=ADMIN, incident_id=inc.id)
    assert (view.status, view.attempts, view.next_attempt_at) == ("open", 0, clock.now())
    services.fire_due_timers(app.ctx)  # tried at once, fails again
    (inc,) = _incidents(app)
    assert (inc.status, inc.attempts) == ("open", 1)

    with pytest.raises(ValidationFailed):
        incidents.resolve_incident(
            app.ctx.uow(), ctx=app.ctx, actor=ADMIN, incident_id=inc.id, reason="  "
        )
    with pytest.raises(NotFound):
        incidents.retry_incident(app.ctx.uow(), ctx=app.ctx, actor=ADMIN, incident_id=999)
    done = incidents.resolve_incident(
        app.ctx.uow(), ctx=app.ctx, actor=ADMIN, incident_id=inc.id, reason="流程已修正"
    )
    assert (done.status, done.resolved_by, done.resolution) == ("resolved", "admin1", "流程已修正")
    with pytest.raises(Conflict):
        incidents.resolve_incident(
            app.ctx.uow(), ctx=app.ctx, actor=ADMIN, incident_id=inc.id, reason="again"
        )
    with pytest.raises(Conflict):
        incidents.retry_incident(app.ctx.uow(), ctx=app.ctx, actor=ADMIN, incident_id=inc.id)

    # Resolved, the timer is an ordinary due timer again: still poisoned, it opens a new one.
    services.fire_due_timers(app.ctx)
    first, second = _incidents(app)
    assert (first.status, second.status, second.attempts) == ("resolved", "open", 1)
    actions = [(a, who) for a, who, _ in _system_actions(app)]
    assert actions == [
        ("timer_incident_opened", "system"),
        ("timer_incident_retried", "admin1"),
        ("timer_incident_resolved", "admin1"),
        ("timer_incident_opened", "system"),
    ]
    assert _system_actions(app)[2][2]["reason"] == "流程已修正"
    page, total = incidents.list_incidents(app.ctx.uow(), ctx=app.ctx, status="active")
    assert (total, [i.id for i in page]) == (1, [second.id])
    page, total = incidents.list_incidents(app.ctx.uow(), ctx=app.ctx)
    assert total == 2 and {i.case_id for i in page} == {bad}


def test_an_incident_closes_itself_when_its_timer_fires_at_last(
    app3: App, clock: FixedClock
) -> None:
    """A fixable cause: the step budget set far too low fails the step; once it is sensible
    again, the next attempt fires the timer and the incident is resolved by the system."""
    deploy(app3, "timer_only", TIMER_ONLY.encode())
    case_id = _open(app3, "timer_only")
    clock.advance(timedelta(days=3))
    app3.ctx.runtime.step_seconds = 1e-9
    assert services.fire_due_timers(app3.ctx) == 0
    (inc,) = _incidents(app3)
    assert (inc.status, inc.error_kind) == ("open", "time_budget")
    app3.ctx.runtime.step_seconds = 5.0
    clock.advance(timedelta(minutes=1))
    assert services.fire_due_timers(app3.ctx) == 1
    (inc,) = _incidents(app3)
    assert (inc.status, inc.resolved_by) == ("resolved", "system")
    assert _status(app3, case_id) == "closed"


def test_an_incident_whose_timer_stopped_waiting_is_closed(
    poisoned: tuple[App, int, list[int]],
) -> None:
    app, bad, _ = poisoned
    services.fire_due_timers(app.ctx)
    with app.ctx.uow() as uow:  # the case moved on by another path: its timer is gone
        assert uow.session is not None
        uow.session.execute(delete(TimerRow).where(TimerRow.case_id == bad))
        uow.commit()
    services.fire_due_timers(app.ctx)
    (inc,) = _incidents(app)
    assert (inc.status, inc.resolved_by) == ("resolved", "system")
    assert incidents.case_incidents(app.ctx.uow(), ctx=app.ctx, case_id=bad) == []


def test_a_failure_while_committing_is_an_incident_too(app3: App, clock: FixedClock) -> None:
    """Bad data that only the commit sees (a hook refusing one case's timer_fired event) rolls
    the whole transaction back, claim included; the timer is claimed again and its incident
    recorded on its own, and the other timers fire."""
    deploy(app3, "timer_only", TIMER_ONLY.encode())
    bad, good = _open(app3, "timer_only"), _open(app3, "timer_only")
    clock.advance(timedelta(days=3))

    def refuse(uow: UnitOfWork) -> None:
        assert uow.session is not None
        fired = select(AuditEvent.id).where(
            AuditEvent.case_id == bad, AuditEvent.action == "timer_fired"
        )
        if uow.session.scalar(fired) is not None:
            raise ValueError("坏数据 bad data")

    app3.ctx.before_commit.append(refuse)
    assert services.fire_due_timers(app3.ctx) == 1
    assert (_status(app3, bad), _status(app3, good)) == ("open", "closed")
    (inc,) = _incidents(app3)
    assert (inc.case_id, inc.status, inc.attempts, inc.error_kind) == (bad, "open", 1, "ValueError")
    assert "坏数据" in inc.error


HOSTILE = {
    "exit": "raise SystemExit",
    "spin": "while True:\n    pass",
    "bomb": "x = 10**10**10",
    "inf": "x = float('inf')",
}


@pytest.mark.slow
def test_soak_two_workers_fire_every_good_timer_among_hostile_ones(app: App) -> None:
    """Two `qingwei worker` processes on one database, 300 good cases and 40 hostile ones (exit,
    endless loop, power tower, infinity after the timer), 100 more good cases opened while the
    workers run: every good timer fires exactly once, every hostile one has exactly one
    incident for its one attempt, and both workers exit 0 on SIGTERM. Kept under a minute."""
    started = time.monotonic()
    deploy(app, "timer_only", TIMER_ONLY.encode())
    for key, script in HOSTILE.items():
        deploy(app, f"hostile_{key}", with_script(f"hostile_{key}", script, after_timer=True))
    keys = ["timer_only"] * 300 + [f"hostile_{k}" for k in HOSTILE for _ in range(10)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = dict(zip(pool.map(lambda k: _open(app, k), keys), keys, strict=True))
    env = {
        **os.environ,
        "QINGWEI_DATABASE_URL": app.settings.database.url,
        "QINGWEI_FORMS_DIR": str(FIXTURES / "forms"),
        "QINGWEI_SECRET_KEY": "test-secret-key",
        "QINGWEI_WORKER__INTERVAL_SECONDS": "0.2",
        "QINGWEI_LIMITS__SCRIPT_SECONDS": "0.3",
        "QINGWEI_LIMITS__STEP_SECONDS": "1",
    }
    qingwei = str(Path(sys.executable).parent / "qingwei")
    workers = [
        subprocess.Popen(
            [qingwei, "worker"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    eng = create_engine(app.settings.database.url)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:  # officers keep opening cases meanwhile
            ids.update(
                {i: "timer_only" for i in pool.map(lambda _: _open(app, "timer_only"), range(100))}
            )
        good = {i for i, k in ids.items() if k == "timer_only"}
        deadline = time.monotonic() + 50
        while time.monotonic() < deadline:
            with eng.connect() as c:
                closed = c.scalar(select(func.count()).where(Case.status == "closed"))
                opened = c.scalar(select(func.count()).select_from(TimerIncident))
            if closed == len(good) and opened == 40:
                break
            time.sleep(0.2)
        for w in workers:
            w.send_signal(signal.SIGTERM)
        outputs = [w.communicate(timeout=30) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    assert [w.returncode for w in workers] == [0, 0], [err[-3000:] for _, err in outputs]
    with eng.connect() as c:
        closed_ids = set(c.scalars(select(Case.id).where(Case.status == "closed")))
        fired = list(
            c.scalars(
                select(func.count())
                .where(AuditEvent.action == "timer_fired")
                .group_by(AuditEvent.case_id)
            )
        )
        rows = c.execute(
            select(TimerIncident.case_id, TimerIncident.attempts, TimerIncident.status)
        )
        incidents_by_case = {r[0]: (r[1], r[2]) for r in rows}
        waiting = set(c.scalars(select(TimerRow.case_id)))
    eng.dispose()
    hostile = set(ids) - good
    assert closed_ids == good  # every good timer fired, no hostile case moved
    assert fired == [1] * len(good)  # and each exactly once
    assert waiting == hostile
    assert set(incidents_by_case) == hostile
    assert set(incidents_by_case.values()) == {(1, "open")}  # one attempt, counted once
    assert time.monotonic() - started < 60
