"""The engine enforces the legal guards whatever the BPMN says; refusals are audited.

Dates (decision served Tue 2026-02-10):
- review window 60 CD: last day Sat 04-11 → Mon 04-13, lapses 2026-04-14 00:00 (ARL Art. 20);
- lawsuit window 6 M: last day Mon 08-10, lapses 2026-08-11 00:00 (ALL Art. 46);
- demand served Tue 08-11, 10 WD: 08-12,13,14,17,18,19,20,21,24,25 → lapses 08-26 00:00;
- public notice published Wed 08-26, 10 CD: last day Sat 09-05 → Mon 09-07, lapses 09-08 00:00.
So forced demolition is first lawful on Tue 2026-09-08 between 06:00 and 22:00.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from engine import services
from engine.bootstrap import App
from engine.clock import FixedClock
from engine.errors import DutyConflict, GuardRefused
from engine.services import Actor
from engine.services.views import CaseView
from tests.conftest import SHANGHAI, fixture_bpmn
from tests.integration.conftest import DESIGNER, HEAD, OFFICER

REVIEWER = Actor("reviewer1", ("legal_review",))
DECISION = {
    "remedy_rights_stated": True,
    "decision_served_at": "2026-02-10",
    "demand_served_at": "2026-08-11",
    "public_notice_at": "2026-08-26",
}


@pytest.fixture
def guarded(app: App) -> App:
    services.deploy_process(
        app.ctx.uow(),
        ctx=app.ctx,
        files={"guarded.bpmn": fixture_bpmn("guarded.bpmn")},
        actor=DESIGNER,
    )
    return app


def _complete(app: App, case: CaseView, actor: Actor, data: dict[str, object]) -> CaseView:
    return services.complete_task(
        app.ctx.uow(),
        ctx=app.ctx,
        actor=actor,
        case_id=case.id,
        task_id=case.tasks[0].id,
        data=data,
        case_version=case.case_version,
    )


def _to_execution(app: App, use_type: str = "business", **decision: object) -> CaseView:
    case = services.open_case(
        app.ctx.uow(),
        ctx=app.ctx,
        actor=OFFICER,
        process_key="guarded",
        data={"use_type": use_type, "area_m2": 30},
    )
    case = _complete(app, case, OFFICER, {})
    case = _complete(app, case, REVIEWER, {"review_passed": True})
    case = _complete(app, case, HEAD, {**DECISION, **decision})
    assert case.tasks[0].element_id == "execute"
    return case


def _refused(app: App, case: CaseView, data: dict[str, object]) -> GuardRefused:
    with pytest.raises(GuardRefused) as info:
        _complete(app, case, OFFICER, data)
    after = services.get_case(app.ctx.uow(), case_id=case.id)
    assert after.case_version == case.case_version
    assert after.tasks == case.tasks
    trail = services.case_trail(app.ctx.uow(), case_id=case.id)
    assert trail[-1].action == "guard_refused"
    assert trail[-1].basis == info.value.article
    assert trail[-1].element_id == "execute"
    assert services.verify_case(app.ctx.uow(), ctx=app.ctx, case_id=case.id).valid
    return info.value


def at(text: str) -> str:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).isoformat()


def test_demolition_before_lawsuit_window_lapses_is_refused(
    guarded: App, clock: FixedClock
) -> None:
    case = _to_execution(guarded)
    clock.set(datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI))
    refusal = _refused(guarded, case, {"demolition_at": at("2026-06-01T10:00")})
    assert refusal.article == "ALL Art. 46"
    assert "2026-08-10" in refusal.reason
    # The last minute of the window is still inside it.
    clock.set(datetime(2026, 8, 10, 21, 0, tzinfo=SHANGHAI))
    assert _refused(guarded, case, {}).article == "ALL Art. 46"


def test_demolition_with_lawsuit_pending_waits_for_the_result(
    guarded: App, clock: FixedClock
) -> None:
    case = _to_execution(guarded)
    clock.set(datetime(2026, 9, 8, 10, 0, tzinfo=SHANGHAI))
    case = services.send_message(
        guarded.ctx.uow(),
        ctx=guarded.ctx,
        actor=OFFICER,
        case_id=case.id,
        name="lawsuit_filed",
        data={"court": "朝阳区人民法院", "filed_at": "2026-08-01"},
    )
    assert _refused(guarded, case, {}).article == "ACL Art. 44"
    case = services.send_message(
        guarded.ctx.uow(),
        ctx=guarded.ctx,
        actor=OFFICER,
        case_id=case.id,
        name="remedy_result",
        data={"outcome": "upheld"},
    )
    done = _complete(guarded, case, OFFICER, {"demolition_at": at("2026-09-08T10:00")})
    assert done.status == "closed"


@pytest.mark.parametrize(
    ("when", "label"),
    [
        ("2026-09-08T23:00", "23:00 on a working day"),
        ("2026-09-09T05:59", "before 06:00"),
        ("2026-09-13T10:00", "a Sunday"),
        ("2026-10-01T10:00", "National Day"),
    ],
)
def test_demolition_at_night_or_on_rest_days_is_refused(
    guarded: App, clock: FixedClock, when: str, label: str
) -> None:
    case = _to_execution(guarded)
    # Recorded on the spot, at the time it happens (a time stated hours away from the clock is
    # refused on its own, ACL Art. 18(7): see test_a_record_far_from_the_clock_is_refused).
    clock.set(datetime.fromisoformat(at(when)))
    refusal = _refused(guarded, case, {"demolition_at": at(when)})
    assert refusal.article.startswith("ACL Art. 43"), label


def test_a_record_far_from_the_clock_is_refused(guarded: App, clock: FixedClock) -> None:
    case = _to_execution(guarded)
    clock.set(datetime(2026, 9, 13, 23, 0, tzinfo=SHANGHAI))  # Sunday night
    refusal = _refused(guarded, case, {"demolition_at": at("2026-09-14T09:00")})
    assert (refusal.article, refusal.rule) == ("ACL Art. 18(7)", "demolition_record")


def test_lawful_daytime_demolition_completes_and_is_audited(
    guarded: App, clock: FixedClock
) -> None:
    case = _to_execution(guarded)
    clock.set(datetime(2026, 9, 8, 9, 0, tzinfo=SHANGHAI))
    done = _complete(guarded, case, OFFICER, {"demolition_at": at("2026-09-08T09:30")})
    assert done.status == "closed"
    last = services.case_trail(guarded.ctx.uow(), case_id=case.id)[-2]
    assert (last.action, last.element_id) == ("task_completed", "execute")
    assert last.data["documents"] == ["强制拆除现场笔录", "财物清单"]


def test_emergency_at_night_needs_a_reason_and_is_recorded(guarded: App, clock: FixedClock) -> None:
    case = _to_execution(guarded)
    clock.set(datetime(2026, 9, 8, 23, 0, tzinfo=SHANGHAI))
    no_reason = _refused(
        guarded, case, {"demolition_at": at("2026-09-08T23:00"), "emergency": True}
    )
    assert no_reason.article.startswith("ACL Art. 43")
    reason = "结构随时可能倒塌，危及行人 Collapse imminent"
    unapproved = _refused(
        guarded,
        case,
        {"demolition_at": at("2026-09-08T23:00"), "emergency": True, "emergency_reason": reason},
    )
    assert "approval of the head" in unapproved.reason
    services.add_user(
        guarded.ctx.uow(), ctx=guarded.ctx, username="head1", password="pw-head", roles=["head"]
    )
    done = _complete(
        guarded,
        case,
        OFFICER,
        {
            "demolition_at": at("2026-09-08T23:00"),
            "emergency": True,
            "emergency_reason": reason,
            "emergency_approved_by": "head1",
        },
    )
    assert done.status == "closed"
    completed = [
        e
        for e in services.case_trail(guarded.ctx.uow(), case_id=case.id)
        if e.action == "task_completed" and e.element_id == "execute"
    ]
    assert completed[0].data["after"]["emergency_reason"].startswith("结构随时可能倒塌")


def test_utility_cutoff_for_residents_is_refused(guarded: App, clock: FixedClock) -> None:
    case = _to_execution(guarded, use_type="residential")
    clock.set(datetime(2026, 9, 8, 10, 0, tzinfo=SHANGHAI))
    refusal = _refused(
        guarded,
        case,
        {"utility_cutoff": True, "cutoff_basis": "local_regulation"},
    )
    assert refusal.article == "ACL Art. 43(2)"


def test_utility_cutoff_for_a_construction_site_with_basis_is_allowed(
    guarded: App, clock: FixedClock
) -> None:
    case = _to_execution(guarded, use_type="construction_site")
    clock.set(datetime(2026, 9, 8, 10, 0, tzinfo=SHANGHAI))
    no_basis = _refused(guarded, case, {"utility_cutoff": True})
    assert no_basis.rule == "utility_cutoff"
    done = _complete(
        guarded,
        case,
        OFFICER,
        {"utility_cutoff": True, "cutoff_basis": "construction_site_supply"},
    )
    assert done.status == "closed"


def test_investigator_may_not_do_the_legal_review(guarded: App) -> None:
    both = Actor("officer1", ("officer", "legal_review"))
    case = services.open_case(
        guarded.ctx.uow(), ctx=guarded.ctx, actor=both, process_key="guarded", data={}
    )
    case = _complete(guarded, case, both, {})
    with pytest.raises(DutyConflict) as info:
        _complete(guarded, case, both, {"review_passed": True})
    assert info.value.article == "APL Art. 58"
    trail = services.case_trail(guarded.ctx.uow(), case_id=case.id)
    assert (trail[-1].action, trail[-1].basis) == ("guard_refused", "APL Art. 58")
    moved = _complete(guarded, case, REVIEWER, {"review_passed": True})
    assert moved.tasks[0].element_id == "decide"


def test_no_heavier_fine_after_the_statement(guarded: App) -> None:
    case = services.open_case(
        guarded.ctx.uow(), ctx=guarded.ctx, actor=OFFICER, process_key="guarded", data={}
    )
    case = _complete(guarded, case, OFFICER, {})
    case = _complete(guarded, case, REVIEWER, {"review_passed": True})
    with pytest.raises(GuardRefused) as info:
        _complete(
            guarded,
            case,
            HEAD,
            {"intended_fine_amount": 1000, "statement_made": True, "fine_amount": 2000},
        )
    assert info.value.article == "APL Art. 45"
    moved = _complete(
        guarded,
        case,
        HEAD,
        {"intended_fine_amount": 1000, "statement_made": True, "fine_amount": 800},
    )
    assert moved.tasks[0].element_id == "execute"


def test_backdated_demolition_inside_the_lawsuit_window_is_refused(
    guarded: App, clock: FixedClock
) -> None:
    case = _to_execution(guarded)
    clock.set(datetime(2026, 9, 8, 10, 0, tzinfo=SHANGHAI))  # every window has lapsed by now
    # ...but the record says it was done on Mon 08-10, the lawsuit window's last day: a record
    # a month old is not made on the spot (ACL Art. 18(7)).
    refusal = _refused(guarded, case, {"demolition_at": at("2026-08-10T15:00")})
    assert refusal.article == "ACL Art. 18(7)"
    # Recorded on the spot that day, the window itself refuses it.
    clock.set(datetime(2026, 8, 10, 15, 30, tzinfo=SHANGHAI))
    refusal = _refused(guarded, case, {"demolition_at": at("2026-08-10T15:00")})
    assert refusal.article == "ALL Art. 46"


def test_an_officer_named_in_the_investigation_record_may_not_review(guarded: App) -> None:
    """Issue 14: who was on site counts, not only who submitted the investigation task; the
    record names officers by full name (or user name)."""
    services.add_user(
        guarded.ctx.uow(),
        ctx=guarded.ctx,
        username="wang",
        password="a-long-enough-password",
        roles=("legal_review",),
        full_name="王五",
    )
    wang = Actor("wang", ("legal_review",))
    for named in (["王五", "李四"], ["wang", "李四"]):
        case = services.open_case(
            guarded.ctx.uow(), ctx=guarded.ctx, actor=OFFICER, process_key="guarded", data={}
        )
        case = _complete(guarded, case, OFFICER, {"officers": named})
        with pytest.raises(DutyConflict) as info:
            _complete(guarded, case, wang, {"review_passed": True})
        assert info.value.article == "APL Art. 58"
    moved = _complete(guarded, case, REVIEWER, {"review_passed": True})
    assert moved.tasks[0].element_id == "decide"
