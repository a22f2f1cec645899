"""A case through the engine: deploy, open, complete, message, timer — on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine import services
from engine.bootstrap import App
from engine.clock import FixedClock
from engine.errors import (
    NotFound,
    NotWaitingForMessage,
    PermissionDenied,
    StaleCaseVersion,
    TaskNotReady,
    ValidationFailed,
)
from tests.conftest import SHANGHAI, fixture_bpmn
from tests.integration.conftest import DESIGNER, HEAD, OFFICER
from tests.integration.helpers import INTAKE, complete, drive_to_service, open_mini


def test_open_case_creates_first_task_and_audit(mini: App) -> None:
    case = open_mini(mini)
    assert case.case_no == f"QW-2026-{case.id:06d}"
    assert case.status == "open"
    assert case.stage == "investigation"
    assert case.case_version == 1
    assert [(t.element_id, t.lane, t.form_key) for t in case.tasks] == [
        ("investigate", "officer", "mini_investigate.json")
    ]
    trail = services.case_trail(mini.ctx.uow(), case_id=case.id)
    assert [e.action for e in trail] == ["case_opened"]
    assert trail[0].actor == "officer1"
    assert trail[0].data["after"]["address"] == INTAKE["address"]


def test_full_path_with_message_closes_case(mini: App) -> None:
    case = drive_to_service(mini)
    assert case.stage == "compliance_period"
    assert case.tasks == []
    assert [(t.element_id, t.period, t.basis) for t in case.timers] == [
        ("compliance_timer", "60 CD", "ARL Art. 20")
    ]
    # 60 CD from Tue 2026-02-10 ends Sat 2026-04-11 -> rolls to Mon 04-13 -> due 24:00.
    assert case.timers[0].due_at == datetime(2026, 4, 14, 0, 0, tzinfo=SHANGHAI)
    assert case.waiting_messages == ["party_demolished"]

    closed = services.send_message(
        mini.ctx.uow(),
        ctx=mini.ctx,
        actor=OFFICER,
        case_id=case.id,
        name="party_demolished",
        data={"evidence": "photo-001"},
    )
    assert closed.status == "closed"
    assert closed.stage == "closed"
    assert closed.timers == []
    assert closed.data["outcome"] == "self_demolished"  # set by the script task
    actions = [e.action for e in services.case_trail(mini.ctx.uow(), case_id=case.id)]
    assert actions == [
        "case_opened",
        "task_completed",
        "task_completed",
        "task_completed",
        "message_received",
        "case_closed",
    ]
    assert services.verify_case(mini.ctx.uow(), ctx=mini.ctx, case_id=case.id).valid


def test_no_violation_branch_closes_immediately(mini: App) -> None:
    case = complete(mini, open_mini(mini), {"classification": "no_violation", "area_m2": 0})
    assert case.status == "closed"
    d = services.diagram(mini.ctx.uow(), case_id=case.id)
    assert "end_no_violation" in d.completed
    assert "decide" not in d.completed
    assert d.active == []
    assert "<bpmn:process" in d.bpmn_xml


def test_diagram_tracks_completed_and_active(mini: App) -> None:
    case = complete(mini, open_mini(mini), {"classification": "not_correctable", "area_m2": 3})
    d = services.diagram(mini.ctx.uow(), case_id=case.id)
    assert {"start", "investigate", "gw_class"} <= set(d.completed)
    assert d.active == ["decide"]


def test_invalid_form_data_lists_every_field_and_changes_nothing(mini: App) -> None:
    case = open_mini(mini)
    with pytest.raises(ValidationFailed) as info:
        complete(mini, case, {"classification": "maybe", "area_m2": -1, "extra": 1})
    locs = sorted(tuple(e.loc) for e in info.value.errors)
    assert locs == [("area_m2",), ("classification",), ("extra",)]
    with pytest.raises(ValidationFailed) as missing:
        complete(mini, case, {})
    assert sorted(tuple(e.loc) for e in missing.value.errors) == [("area_m2",), ("classification",)]
    after = services.get_case(mini.ctx.uow(), case_id=case.id)
    assert after.case_version == case.case_version
    assert after.tasks == case.tasks
    assert len(services.case_trail(mini.ctx.uow(), case_id=case.id)) == 1


def test_lane_decides_who_may_complete(mini: App) -> None:
    case = complete(mini, open_mini(mini), {"classification": "not_correctable", "area_m2": 3})
    with pytest.raises(PermissionDenied):
        complete(mini, case, {"compliance_days": 5}, actor=OFFICER)  # the head's lane
    moved = complete(mini, case, {"compliance_days": 5}, actor=HEAD)
    assert moved.tasks[0].element_id == "serve"


def test_stale_version_and_unknown_task_are_conflicts(mini: App) -> None:
    case = open_mini(mini)
    moved = complete(mini, case, {"classification": "not_correctable", "area_m2": 3})
    with pytest.raises(StaleCaseVersion):
        complete(mini, case, {"classification": "not_correctable", "area_m2": 3})
    with pytest.raises(TaskNotReady):
        services.complete_task(
            mini.ctx.uow(),
            ctx=mini.ctx,
            actor=HEAD,
            case_id=case.id,
            task_id=case.tasks[0].id,  # already completed
            data={"compliance_days": 5},
            case_version=moved.case_version,
        )
    with pytest.raises(NotFound):
        services.get_case(mini.ctx.uow(), case_id=999999)


def test_message_not_awaited_is_refused(mini: App) -> None:
    case = open_mini(mini)
    with pytest.raises(NotWaitingForMessage):
        services.send_message(
            mini.ctx.uow(),
            ctx=mini.ctx,
            actor=OFFICER,
            case_id=case.id,
            name="party_demolished",
            data={},
        )
    assert services.get_case(mini.ctx.uow(), case_id=case.id).case_version == case.case_version


def test_timer_waits_for_injected_clock_then_fires_once(mini: App, clock: FixedClock) -> None:
    case = drive_to_service(mini)
    clock.set(datetime(2026, 4, 13, 23, 59, 59, tzinfo=SHANGHAI))  # last second of the period
    assert services.fire_due_timers(mini.ctx) == 0
    assert services.get_case(mini.ctx.uow(), case_id=case.id).timers != []
    clock.set(datetime(2026, 4, 14, 0, 0, 0, tzinfo=SHANGHAI))  # 24:00 exactly: due
    assert services.fire_due_timers(mini.ctx) == 1
    after = services.get_case(mini.ctx.uow(), case_id=case.id)
    assert after.status == "closed"
    assert after.timers == []
    # Firing again (same timer id) does nothing.
    assert services.fire_timer(mini.ctx.uow(), ctx=mini.ctx, timer_id=case.timers[0].id) is False
    assert services.fire_due_timers(mini.ctx) == 0
    trail = services.case_trail(mini.ctx.uow(), case_id=case.id)
    fired = [e for e in trail if e.action == "timer_fired"]
    assert len(fired) == 1
    assert fired[0].element_id == "compliance_timer"
    assert fired[0].basis == "ARL Art. 20"
    assert fired[0].actor == "system"


def test_running_case_stays_on_its_version(mini: App) -> None:
    old = open_mini(mini)
    changed = fixture_bpmn("mini_case.bpmn").replace(
        "调查取证 Investigate".encode(), "调查取证（新）Investigate v2".encode()
    )
    again = services.deploy_process(
        mini.ctx.uow(), ctx=mini.ctx, files={"mini_case.bpmn": changed}, actor=DESIGNER
    )
    assert [(r.version, r.created) for r in again] == [(2, True)]
    same = services.deploy_process(
        mini.ctx.uow(), ctx=mini.ctx, files={"mini_case.bpmn": changed}, actor=DESIGNER
    )
    assert [(r.version, r.created) for r in same] == [(2, False)]
    new = open_mini(mini)
    assert (old.process_version, new.process_version) == (1, 2)
    assert new.tasks[0].name == "调查取证（新）Investigate v2"
    moved = complete(mini, old, {"classification": "not_correctable", "area_m2": 1})
    assert moved.process_version == 1
    listed = services.list_processes(mini.ctx.uow())
    assert [(p.version, p.latest) for p in listed] == [(1, False), (2, True)]


def test_lists_and_overdue_filter(mini: App, clock: FixedClock) -> None:
    waiting = drive_to_service(mini)
    fresh = open_mini(mini)
    page = services.list_cases(mini.ctx.uow(), ctx=mini.ctx)
    assert page.total == 2
    assert services.list_cases(mini.ctx.uow(), ctx=mini.ctx, overdue=True).total == 0
    clock.advance(timedelta(days=90))
    overdue = services.list_cases(mini.ctx.uow(), ctx=mini.ctx, overdue=True)
    assert [c.id for c in overdue.items] == [waiting.id]
    by_stage = services.list_cases(mini.ctx.uow(), ctx=mini.ctx, stage="investigation")
    assert [c.id for c in by_stage.items] == [fresh.id]
    officer_tasks = services.tasks_for(mini.ctx.uow(), actor=OFFICER)
    assert [t.case_id for t in officer_tasks] == [fresh.id]
    assert services.tasks_for(mini.ctx.uow(), actor=HEAD) == []


def test_deadline_in_a_year_without_schedule_is_provisional_not_refused(
    mini: App, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI))
    case = open_mini(mini)
    case = complete(mini, case, {"classification": "not_correctable", "area_m2": 1})
    case = complete(mini, case, {"compliance_days": 10}, actor=HEAD)
    # 60 CD from Tue 2026-12-01 ends Sat 2027-01-30, whose schedule is not loaded: the step is
    # taken, the deadline is computed on the provisional 2027 (weekend -> Mon 02-01) and marked.
    case = complete(mini, case, {"service_method": "direct", "served_at": "2026-12-01"})
    assert [(t.element_id, t.due_at, t.provisional, t.provisional_years) for t in case.timers] == [
        ("compliance_timer", datetime(2027, 2, 2, tzinfo=SHANGHAI), True, (2027,))
    ]
    stored = services.get_case(mini.ctx.uow(), case_id=case.id)
    assert stored.timers[0].provisional and stored.timers[0].provisional_years == (2027,)


def test_stale_timer_row_is_dropped_without_touching_the_case(mini: App) -> None:
    from engine.store.models import TimerRow

    case = open_mini(mini)
    with mini.ctx.uow() as uow:
        assert uow.session is not None
        uow.session.add(
            TimerRow(
                id="00000000-0000-0000-0000-000000000001",  # no such task in the workflow
                case_id=case.id,
                element_id="compliance_timer",
                name="stale",
                due_at=datetime(2026, 1, 1, tzinfo=SHANGHAI),
                period="60 CD",
                basis="ARL Art. 20",
                created_at=datetime(2026, 1, 1, tzinfo=SHANGHAI),
            )
        )
        uow.commit()
    assert services.fire_due_timers(mini.ctx) == 0
    after = services.get_case(mini.ctx.uow(), case_id=case.id)
    assert after.timers == []
    assert after.case_version == case.case_version
    assert [e.action for e in services.case_trail(mini.ctx.uow(), case_id=case.id)] == [
        "case_opened"
    ]
    assert services.verify_case(mini.ctx.uow(), ctx=mini.ctx, case_id=case.id).valid
