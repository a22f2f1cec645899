"""Holiday schedules as data, on both databases: provisional years, loading a year, recomputing
the deadlines it moves, coercion waiting for the official schedule, the system trail.

The 2027 schedule used here is made up for the test (the State Council's is not published yet):
春节 rest Fri 02-05 .. Sat 02-13 with make-up working days Sun 01-31 and Sun 02-14, plus the
fixed-date holidays the 放假办法 requires and 端午 Wed 06-09.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from engine import services
from engine.bootstrap import App
from engine.clock import FixedClock
from engine.errors import GuardRefused, ValidationFailed
from engine.services import Actor
from tests.conftest import SHANGHAI
from tests.integration.conftest import HEAD, OFFICER
from tests.integration.helpers import complete, open_mini
from tests.integration.test_guards_enforced import REVIEWER, _complete, guarded  # noqa: F401

ADMIN = Actor("admin", ("admin",))
SPRING = [f"2027-02-{d:02d}" for d in range(5, 14)]
REST_2027 = [
    "2027-01-01",
    *SPRING,
    "2027-04-05",
    "2027-05-01",
    "2027-05-02",
    "2027-05-03",
    "2027-06-09",
    "2027-09-15",
    "2027-10-01",
    "2027-10-02",
    "2027-10-03",
    "2027-10-04",
]
WORK_2027 = ["2027-01-31", "2027-02-14"]
SOURCE = "测试用放假安排（非真实通知）"


def load_2027(app: App) -> services.calendars.YearView:
    return services.load_year(
        app.ctx, actor=ADMIN, year=2027, rest_days=REST_2027, work_days=WORK_2027, source=SOURCE
    )


def served_case(app: App, served: str) -> object:
    case = open_mini(app)
    case = complete(app, case, {"classification": "not_correctable", "area_m2": 1})
    case = complete(app, case, {"compliance_days": 10}, actor=HEAD)
    return complete(app, case, {"service_method": "direct", "served_at": served})


def test_a_year_without_schedule_is_provisional(app: App) -> None:
    year = services.get_year(app.ctx.uow(), ctx=app.ctx, year=2027)
    assert year.status == "provisional" and year.work_days == []
    rest = {d.isoformat() for d in year.rest_days}
    for day in ("2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"):
        assert day in rest
    assert {"2027-05-01", "2027-05-02", "2027-10-01", "2027-10-02", "2027-10-03"} <= rest
    assert services.get_year(app.ctx.uow(), ctx=app.ctx, year=2026).status == "official"


def test_loading_a_year_recomputes_and_audits_each_moved_deadline(
    mini: App, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI))
    # Served Mon 2026-12-07 + 60 CD = Fri 2027-02-05 (除夕). Provisionally 春节 runs 02-05..08
    # and its two weekend days are made up on Tue 9 and Wed 10: the last day is Thu 02-11.
    case = served_case(mini, "2026-12-07")
    (timer,) = case.timers
    assert timer.due_at == datetime(2027, 2, 12, tzinfo=SHANGHAI)
    assert timer.provisional and timer.provisional_years == (2027,)
    untouched = served_case(mini, "2026-10-09")  # + 60 CD = Tue 2026-12-08: nothing in 2027
    assert not untouched.timers[0].provisional

    loaded = load_2027(mini)
    assert loaded.status == "official" and loaded.source == SOURCE
    assert (loaded.recomputed_cases, loaded.recomputed_timers) == (1, 1)

    # Officially 02-05 .. 02-13 are rest days and Sun 02-14 is a make-up working day.
    after = services.get_case(mini.ctx.uow(), case_id=case.id)
    (moved,) = after.timers
    assert moved.due_at == datetime(2027, 2, 15, tzinfo=SHANGHAI)
    assert not moved.provisional and moved.provisional_years == ()
    assert after.case_version == case.case_version + 1
    trail = services.case_trail(mini.ctx.uow(), case_id=case.id)
    event = trail[-1]
    assert event.action == "deadline_recomputed" and event.element_id == "compliance_timer"
    assert event.data["old_due_at"] == "2027-02-12T00:00:00+08:00"
    assert event.data["new_due_at"] == "2027-02-15T00:00:00+08:00"
    assert event.data["start"].startswith("2026-12-07")
    assert services.verify_case(mini.ctx.uow(), ctx=mini.ctx, case_id=case.id).valid
    other = services.get_case(mini.ctx.uow(), case_id=untouched.id)
    assert other.case_version == untouched.case_version

    # The load itself is in the system trail, which verifies; so does everything else.
    system = services.system_trail(mini.ctx.uow())
    assert system[-1].action == "calendar_loaded" and system[-1].actor == "admin"
    assert system[-1].data["year"] == 2027 and system[-1].data["source"] == SOURCE
    assert services.verify_system(mini.ctx.uow(), ctx=mini.ctx).valid
    assert services.verify_all(mini.ctx.uow(), ctx=mini.ctx) == []

    # The moved deadline fires at its new instant, not at the provisional one.
    clock.set(datetime(2027, 2, 14, 23, 59, tzinfo=SHANGHAI))
    assert services.fire_due_timers(mini.ctx) == 1  # only the other case's (due 2026-12-09)
    assert services.get_case(mini.ctx.uow(), case_id=case.id).timers != []
    clock.set(datetime(2027, 2, 15, 0, 0, tzinfo=SHANGHAI))
    assert services.fire_due_timers(mini.ctx) == 1
    assert services.get_case(mini.ctx.uow(), case_id=case.id).timers == []


def test_a_bad_schedule_is_refused_naming_the_field(app: App) -> None:
    with pytest.raises(ValidationFailed) as info:
        services.load_year(
            app.ctx,
            actor=ADMIN,
            year=2027,
            rest_days=["2027-02-05", "2028-01-01"],
            work_days=["2027-02-10"],  # a Wednesday
            source="",
        )
    locs = [e.loc for e in info.value.errors]
    assert ["body", "source"] in locs
    assert ["body", "rest_days", 1] in locs
    assert ["body", "work_days", 0] in locs
    with pytest.raises(ValidationFailed, match="invalid") as missing:
        services.load_year(
            app.ctx, actor=ADMIN, year=2027, rest_days=SPRING, work_days=[], source=SOURCE
        )
    assert "2027-01-01" in missing.value.errors[0].msg
    assert services.get_year(app.ctx.uow(), ctx=app.ctx, year=2027).status == "provisional"
    assert services.system_trail(app.ctx.uow()) == []


def test_coercion_waits_for_the_official_schedule(
    guarded: App,  # noqa: F811
    clock: FixedClock,
) -> None:
    """Decision served Tue 2026-12-01: review window to Mon 2027-02-01, lawsuit window (6 M) to
    Tue 2027-06-01, demand served Thu 06-03 + 10 WD (端午 Wed 06-09 off) to Fri 06-18, public
    notice Mon 06-21 + 10 CD to Thu 07-01. Demolition on Tue 2027-07-06 is lawful only once
    the schedules that decided those windows are official."""
    case = services.open_case(
        guarded.ctx.uow(),
        ctx=guarded.ctx,
        actor=OFFICER,
        process_key="guarded",
        data={"use_type": "business", "area_m2": 30},
    )
    case = _complete(guarded, case, OFFICER, {})
    case = _complete(guarded, case, REVIEWER, {"review_passed": True})
    decision = {
        "remedy_rights_stated": True,
        "decision_served_at": "2026-12-01",
        "demand_served_at": "2027-06-03",
        "public_notice_at": "2027-06-21",
    }
    case = _complete(guarded, case, HEAD, decision)
    clock.set(datetime(2027, 7, 6, 10, 0, tzinfo=SHANGHAI))
    with pytest.raises(GuardRefused) as info:
        _complete(guarded, case, OFFICER, {})
    assert info.value.rule == "provisional_calendar"
    assert info.value.article == "ARL Art. 20"
    assert "2027" in info.value.reason and "load the State Council" in info.value.reason
    trail = services.case_trail(guarded.ctx.uow(), case_id=case.id)
    assert trail[-1].action == "guard_refused" and trail[-1].data["rule"] == "provisional_calendar"

    load_2027(guarded)
    current = services.get_case(guarded.ctx.uow(), case_id=case.id)
    done = _complete(guarded, current, OFFICER, {})
    assert done.status == "closed"


def test_legal_settings_are_recorded_once_per_change(app: App) -> None:
    assert services.record_settings(app.ctx.uow(), ctx=app.ctx, actor=ADMIN)
    assert not services.record_settings(app.ctx.uow(), ctx=app.ctx, actor=ADMIN)
    app.ctx.settings.legal.demand_period = "15 WD"
    try:
        assert services.record_settings(app.ctx.uow(), ctx=app.ctx, actor=ADMIN)
    finally:
        app.ctx.settings.legal.demand_period = "10 WD"
    events = [e for e in services.system_trail(app.ctx.uow()) if e.action == "settings_applied"]
    assert len(events) == 2
    assert events[1].data["before"]["demand_period"] == "10 WD"
    assert events[1].data["legal"]["demand_period"] == "15 WD"
    assert services.verify_system(app.ctx.uow(), ctx=app.ctx).valid
