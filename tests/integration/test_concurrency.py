"""Concurrency and atomicity: one winner among racing completions, nothing half-written."""

from __future__ import annotations

import threading

import pytest

from engine import services
from engine.bootstrap import App
from engine.errors import StaleCaseVersion
from engine.store.uow import UnitOfWork
from tests.integration.conftest import OFFICER
from tests.integration.helpers import complete, open_mini

FINDINGS = {"classification": "not_correctable", "area_m2": 40}


def test_eight_threads_complete_same_task_exactly_one_wins(mini: App) -> None:
    case = open_mini(mini)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        barrier.wait()
        try:
            services.complete_task(
                mini.ctx.uow(),
                ctx=mini.ctx,
                actor=OFFICER,
                case_id=case.id,
                task_id=case.tasks[0].id,
                data=FINDINGS,
                case_version=case.case_version,
            )
            result = "ok"
        except StaleCaseVersion:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["conflict"] * 7 + ["ok"]
    trail = services.case_trail(mini.ctx.uow(), case_id=case.id)
    assert [e.action for e in trail] == ["case_opened", "task_completed"]
    after = services.get_case(mini.ctx.uow(), case_id=case.id)
    assert after.case_version == case.case_version + 1
    assert [t.element_id for t in after.tasks] == ["decide"]
    assert services.verify_case(mini.ctx.uow(), ctx=mini.ctx, case_id=case.id).valid


class Boom(RuntimeError):
    pass


def test_failure_before_commit_leaves_everything_as_it_was(mini: App) -> None:
    case = open_mini(mini)
    before_case = services.get_case(mini.ctx.uow(), case_id=case.id)
    before_trail = services.case_trail(mini.ctx.uow(), case_id=case.id)

    def explode(uow: UnitOfWork) -> None:
        # Everything is written and flushed by now: prove it, then fail.
        assert uow.session is not None
        from engine.store.models import Case

        row = uow.session.get(Case, case.id)
        assert row is not None
        uow.session.refresh(row)
        assert row.case_version == case.case_version + 1
        raise Boom("injected failure after the state was written")

    mini.ctx.before_commit.append(explode)
    try:
        with pytest.raises(Boom):
            complete(mini, case, FINDINGS)
    finally:
        mini.ctx.before_commit.clear()

    after_case = services.get_case(mini.ctx.uow(), case_id=case.id)
    assert after_case == before_case
    assert services.case_trail(mini.ctx.uow(), case_id=case.id) == before_trail
    # The stored workflow still has the original task ready: completing it now works.
    moved = complete(mini, after_case, FINDINGS)
    assert [t.element_id for t in moved.tasks] == ["decide"]
    assert services.verify_case(mini.ctx.uow(), ctx=mini.ctx, case_id=case.id).valid


def test_failure_while_firing_timer_leaves_timer_due(mini: App, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from tests.integration.helpers import drive_to_service

    case = drive_to_service(mini)
    clock.advance(timedelta(days=70))

    def explode(uow: UnitOfWork) -> None:
        raise Boom("injected")

    mini.ctx.before_commit.append(explode)
    try:
        with pytest.raises(Boom):
            services.fire_timer(mini.ctx.uow(), ctx=mini.ctx, timer_id=case.timers[0].id)
    finally:
        mini.ctx.before_commit.clear()
    still = services.get_case(mini.ctx.uow(), case_id=case.id)
    assert still.status == "open"
    assert [t.id for t in still.timers] == [case.timers[0].id]
    assert services.fire_due_timers(mini.ctx) == 1
    assert services.get_case(mini.ctx.uow(), case_id=case.id).status == "closed"
