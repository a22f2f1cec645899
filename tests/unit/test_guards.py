"""The legal guards against the real 2025-2026 State Council schedules; every date by hand.

Weekdays used below: 2025-01-01 is a Wednesday, 2026-01-01 a Thursday, so 2026-03-02, -09-07,
-10-26 and 2026-03-09 are Mondays. 2026 schedule (国办发明电〔2025〕7号): 春节 Feb 15 (Sun) - Feb 23
(Mon) off with make-up Saturdays Feb 14 and Feb 28; 劳动节 May 1-5 off; make-up Sunday Sep 20;
国庆 Oct 1-7 off (Oct 8 Thu works); 2027 is not loaded.

Counting (CPL Art. 85): the start day is not counted; a CD period ending on a rest day moves to
the next working day; a window lapses at 24:00 of its last day = 00:00 of the next, Shanghai.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, date, datetime

import pytest

from engine import guards as g
from engine.calendar import TZ, StatutoryCalendar, UnknownHolidayYear
from engine.guards import (
    ExecutionFacts,
    Refusal,
    execution_guard,
    fine_surcharge,
    lawsuit_window_end,
    night_holiday_guard,
    no_heavier_penalty_guard,
    review_window_end,
    segregation_guard,
    utility_cutoff_guard,
)


@pytest.fixture(scope="module")
def cal() -> StatutoryCalendar:
    return StatutoryCalendar.load()


def sh(y: int, m: int, d: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, second, tzinfo=TZ)


def refused(result: Refusal | None, article: str, rule: str = "execution") -> Refusal:
    assert result is not None, f"expected a refusal under {article}"
    assert (result.article, result.rule) == (article, rule), result
    assert " / " in result.reason  # Chinese, then English
    return result


# Decision served Mon 2026-03-02.
#   review 60 CD: Mar 3-31 = 29, Apr = 30 (59), May 1 = 60th; May 1-5 劳动节 -> Wed May 6;
#     lapses 2026-05-07 00:00.
#   lawsuit 6 M: 2026-09-02 (Wed, working) -> lapses 2026-09-03 00:00.
# Demand served Mon 2026-09-07, 10 WD: Sep 8, 9, 10, 11 (4), 14-18 (9), Sun Sep 20 make-up (10)
#   -> last day 2026-09-20, lapses 2026-09-21 00:00.
# Public notice Wed 2026-10-14, 10 CD: Sat Oct 24 -> Sun 25 -> Mon Oct 26; lapses 2026-10-27 00:00.
BASE = ExecutionFacts(
    at=sh(2026, 10, 27, 9),
    decision_served_at=date(2026, 3, 2),
    remedy_rights_stated=True,
    review_pending=False,
    lawsuit_pending=False,
    demand_served_at=date(2026, 9, 7),
    public_notice_at=date(2026, 10, 14),
    safety_appraisal_required=False,
    safety_appraisal_done=False,
)


# -- windows ------------------------------------------------------------------------------------


def test_review_window_is_60_cd_rolled_past_labour_day(cal: StatutoryCalendar) -> None:
    assert review_window_end(date(2026, 3, 2), cal) == sh(2026, 5, 7)


def test_lawsuit_window_is_six_months(cal: StatutoryCalendar) -> None:
    for basis in ("URPL64", "URPL65"):
        assert lawsuit_window_end(date(2026, 3, 2), basis, True, cal) == sh(2026, 9, 3)


def test_land_law_window_is_15_cd(cal: StatutoryCalendar) -> None:
    # Fri 2026-03-06 + 15 = Sat Mar 21 -> Mon Mar 23; lapses 2026-03-24 00:00 (LAL Art. 83).
    for basis in ("LAL77", "LAL78"):
        assert lawsuit_window_end(date(2026, 3, 6), basis, True, cal) == sh(2026, 3, 24)


def test_rights_omitted_gives_one_year(cal: StatutoryCalendar) -> None:
    # Mon 2025-03-03 + 1 Y = Tue 2026-03-03 (working); lapses 2026-03-04 00:00.
    for basis in ("URPL64", "LAL77"):
        assert lawsuit_window_end(date(2025, 3, 3), basis, False, cal) == sh(2026, 3, 4)
    assert review_window_end(date(2025, 3, 3), cal, remedy_rights_stated=False) == sh(2026, 3, 4)


def test_unknown_legal_basis_is_an_error(cal: StatutoryCalendar) -> None:
    with pytest.raises(ValueError):
        lawsuit_window_end(date(2026, 3, 2), "URPL99", True, cal)
    with pytest.raises(ValueError):
        replace(BASE, legal_basis="URPL99")


# -- execution guard ----------------------------------------------------------------------------


def test_all_conditions_met(cal: StatutoryCalendar) -> None:
    assert execution_guard(BASE, cal) is None


def test_decision_not_served(cal: StatutoryCalendar) -> None:
    refused(execution_guard(replace(BASE, decision_served_at=None), cal), "APL Art. 61")
    # Served after the act is not served at the act.
    late = replace(BASE, decision_served_at=date(2026, 10, 28))
    refused(execution_guard(late, cal), "APL Art. 61")


def test_review_window_open(cal: StatutoryCalendar) -> None:
    r = refused(execution_guard(replace(BASE, at=sh(2026, 4, 20, 10)), cal), "ARL Art. 20")
    assert r.until == sh(2026, 5, 7)
    assert "2026-05-06" in r.reason


def test_lawsuit_window_open_names_its_end(cal: StatutoryCalendar) -> None:
    r = refused(execution_guard(replace(BASE, at=sh(2026, 8, 20, 10)), cal), "ALL Art. 46")
    assert r.until == sh(2026, 9, 3)
    assert "起诉期限" in r.reason and "2026-09-02" in r.reason


def test_window_lapses_at_24_00_of_its_last_day(cal: StatutoryCalendar) -> None:
    no_demand = replace(BASE, demand_served_at=None)
    last_second = replace(no_demand, at=sh(2026, 9, 2, 23, 59, 59))
    refused(execution_guard(last_second, cal), "ALL Art. 46")
    # 2026-09-03 00:00 Shanghai = 2026-09-02 16:00 UTC: the window has lapsed, next condition.
    for at in (sh(2026, 9, 3), datetime(2026, 9, 2, 16, tzinfo=UTC)):
        refused(execution_guard(replace(no_demand, at=at), cal), "ACL Art. 35")


def test_review_or_lawsuit_pending(cal: StatutoryCalendar) -> None:
    for facts in (replace(BASE, review_pending=True), replace(BASE, lawsuit_pending=True)):
        r = refused(execution_guard(facts, cal), "ACL Art. 44")
        assert r.until is None  # only a final result cures it, not time


def test_demand_not_served(cal: StatutoryCalendar) -> None:
    refused(execution_guard(replace(BASE, demand_served_at=None), cal), "ACL Art. 35")


def test_demand_period_running(cal: StatutoryCalendar) -> None:
    r = refused(execution_guard(replace(BASE, at=sh(2026, 9, 18, 10)), cal), "ACL Art. 37")
    assert r.until == sh(2026, 9, 21) and "2026-09-20" in r.reason


def test_public_notice_missing(cal: StatutoryCalendar) -> None:
    r = refused(execution_guard(replace(BASE, public_notice_at=None), cal), "ACL Art. 44")
    assert "公告" in r.reason


def test_public_notice_period_rolls_over_the_weekend(cal: StatutoryCalendar) -> None:
    # Day 10 is Sat Oct 24; the period runs to Mon Oct 26 inclusive.
    for at in (sh(2026, 10, 24, 10), sh(2026, 10, 26, 15)):
        r = refused(execution_guard(replace(BASE, at=at), cal), "ACL Art. 44")
        assert r.until == sh(2026, 10, 27) and "2026-10-26" in r.reason
    # A local 15 CD period: Oct 14 + 15 = Thu Oct 29; lapses 2026-10-30 00:00.
    longer = replace(BASE, public_notice_period="15 CD")
    assert refused(execution_guard(longer, cal), "ACL Art. 44").until == sh(2026, 10, 30)


def test_safety_appraisal(cal: StatutoryCalendar) -> None:
    missing = replace(BASE, safety_appraisal_required=True)
    refused(execution_guard(missing, cal), "PROCEDURE §3 / 浙江 Art. 12")
    assert execution_guard(replace(missing, safety_appraisal_done=True), cal) is None


def test_a_written_waiver_does_not_shorten_the_windows(cal: StatutoryCalendar) -> None:
    """ACL Art. 44: the periods must run out. Demand Tue 2026-03-03 + 10 WD lapses 03-18;
    notice Wed 03-18 + 10 CD lapses 03-31; but the review window from service (Tue 02-10)
    runs to Mon 04-13 and the lawsuit window to Mon 08-10: a demolition on 03-31 is refused
    whatever the party signed (ExecutionFacts has no waiver to pass)."""
    early = replace(
        BASE,
        at=sh(2026, 3, 31, 10),
        demand_served_at=date(2026, 3, 3),
        public_notice_at=date(2026, 3, 18),
    )
    refused(execution_guard(early, cal), "ARL Art. 20")
    assert "remedies_waived" not in {f.name for f in fields(ExecutionFacts)}


def test_land_law_case(cal: StatutoryCalendar) -> None:
    # Served Fri 2026-03-06. Review 60 CD: Mar 7-31 = 25, Apr = 30 (55), May 5 = 60th, a
    # holiday -> Wed May 6; lapses 2026-05-07. Lawsuit 15 CD lapsed already on 2026-03-24.
    land = replace(BASE, legal_basis="LAL77", decision_served_at=date(2026, 3, 6))
    refused(execution_guard(replace(land, at=sh(2026, 4, 1, 10)), cal), "ARL Art. 20")
    # After May 7 no 6-month window holds it: the next gap is the missing demand.
    after = replace(land, at=sh(2026, 5, 7, 9), demand_served_at=None)
    refused(execution_guard(after, cal), "ACL Art. 35")


def test_rights_omitted_extends_to_one_year(cal: StatutoryCalendar) -> None:
    # Served Mon 2025-03-03: 6 M would end Wed 2025-09-03; omitted rights -> Tue 2026-03-03.
    facts = replace(
        BASE, at=sh(2025, 12, 1, 10), decision_served_at=date(2025, 3, 3), demand_served_at=None
    )
    r = refused(execution_guard(replace(facts, remedy_rights_stated=False), cal), "ARL Art. 20")
    assert r.until == sh(2026, 3, 4) and "2026-03-03" in r.reason
    refused(execution_guard(facts, cal), "ACL Art. 35")


# -- night and holiday --------------------------------------------------------------------------


def test_night_on_a_working_day(cal: StatutoryCalendar) -> None:
    r = refused(night_holiday_guard(sh(2026, 3, 3, 23), cal), "ACL Art. 43(1)", "night_holiday")
    assert r.until == sh(2026, 3, 4, 6)  # Wed Mar 4 is a working day


@pytest.mark.parametrize(
    ("hour", "minute", "allowed"),
    [(5, 59, False), (6, 0, True), (21, 59, True), (22, 0, False), (0, 0, False)],
)
def test_night_boundaries(cal: StatutoryCalendar, hour: int, minute: int, allowed: bool) -> None:
    result = night_holiday_guard(sh(2026, 3, 4, hour, minute), cal)  # Wed, working day
    assert (result is None) is allowed


def test_weekend_is_off_limits(cal: StatutoryCalendar) -> None:
    # Sat Mar 7 and Sun Mar 8 2026 are rest days; next allowed Mon Mar 9 06:00.
    for day in (7, 8):
        r = refused(
            night_holiday_guard(sh(2026, 3, day, 10), cal), "ACL Art. 43(1)", "night_holiday"
        )
        assert r.until == sh(2026, 3, 9, 6)
    # Friday night waits for Monday morning too.
    assert night_holiday_guard(sh(2026, 3, 6, 23), cal).until == sh(2026, 3, 9, 6)  # type: ignore[union-attr]


def test_national_day(cal: StatutoryCalendar) -> None:
    r = refused(night_holiday_guard(sh(2026, 10, 1, 10), cal), "ACL Art. 43(1)", "night_holiday")
    assert "国庆节" in r.reason
    assert r.until == sh(2026, 10, 8, 6)  # Oct 1-7 off, Thu Oct 8 works


def test_make_up_days_are_working_days(cal: StatutoryCalendar) -> None:
    for day in (date(2026, 2, 14), date(2026, 2, 28), date(2026, 9, 20)):  # Sat, Sat, Sun 调休
        assert night_holiday_guard(sh(day.year, day.month, day.day, 10), cal) is None
    # Night on make-up Sat Feb 14 waits out 春节 (Feb 15-23): Tue Feb 24 06:00.
    assert night_holiday_guard(sh(2026, 2, 14, 23), cal).until == sh(2026, 2, 24, 6)  # type: ignore[union-attr]


def test_emergency_needs_a_reason(cal: StatutoryCalendar) -> None:
    for at in (sh(2026, 3, 3, 23), sh(2026, 10, 1, 10)):
        reason = "危房随时倒塌 / imminent collapse"
        assert night_holiday_guard(at, cal, emergency=True, emergency_reason=reason) is None
    for blank in (None, "", "   "):
        r = night_holiday_guard(sh(2026, 3, 3, 23), cal, emergency=True, emergency_reason=blank)
        assert "理由" in refused(r, "ACL Art. 43(1)", "night_holiday").reason


def test_time_is_read_in_shanghai(cal: StatutoryCalendar) -> None:
    # 2026-03-03 15:30 UTC = 23:30 Shanghai (Tue) -> night.
    refused(
        night_holiday_guard(datetime(2026, 3, 3, 15, 30, tzinfo=UTC), cal),
        "ACL Art. 43(1)",
        "night_holiday",
    )
    # 2026-03-02 22:30 UTC = Tue 2026-03-03 06:30 Shanghai -> daytime.
    assert night_holiday_guard(datetime(2026, 3, 2, 22, 30, tzinfo=UTC), cal) is None
    assert night_holiday_guard(datetime(2026, 3, 3, 23), cal) is not None  # naive = Shanghai


def test_local_night_window(cal: StatutoryCalendar) -> None:
    def guard(at: datetime) -> Refusal | None:
        return night_holiday_guard(at, cal, night_start="20:00", night_end="07:00")

    assert guard(sh(2026, 3, 4, 21)) is not None
    assert guard(sh(2026, 3, 4, 6, 30)) is not None
    assert guard(sh(2026, 3, 4, 7)) is None
    assert guard(sh(2026, 3, 4, 19, 59)) is None
    with pytest.raises(ValueError):
        night_holiday_guard(sh(2026, 3, 4, 7), cal, night_start="06:00", night_end="06:00")


def test_unknown_year_is_never_guessed() -> None:
    # A strict calendar (no provisional rule) refuses to guess a year without a schedule.
    cal = StatutoryCalendar.load(provisional=False)
    with pytest.raises(UnknownHolidayYear):
        night_holiday_guard(sh(2027, 3, 3, 10), cal)
    # Thu 2026-12-31 23:00 is refused; when it lapses depends on 2027, so `until` stays None.
    r = refused(night_holiday_guard(sh(2026, 12, 31, 23), cal), "ACL Art. 43(1)", "night_holiday")
    assert r.until is None


# -- utility cutoff -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "basis", [None, "construction_site_supply", "safety_law_70", "local_regulation"]
)
def test_residential_cutoff_always_refused(basis: str | None) -> None:
    for use in ("residential", "mixed", None, "warehouse"):  # unknown uses cannot exclude homes
        r = utility_cutoff_guard(use_type=use, cutoff_basis=basis, head_approved=True)
        refused(r, "ACL Art. 43(2)", "utility_cutoff")


def test_construction_site_supply() -> None:
    r = utility_cutoff_guard(use_type="construction_site", cutoff_basis="construction_site_supply")
    assert r is None
    r = utility_cutoff_guard(use_type="business", cutoff_basis="construction_site_supply")
    refused(r, "ACL Art. 13", "utility_cutoff")  # that basis covers site supply only


def test_business_needs_a_basis() -> None:
    r = utility_cutoff_guard(use_type="business", cutoff_basis=None)
    refused(r, "ACL Art. 13", "utility_cutoff")
    # 北京 Art. 65 / 浙江 Art. 23 forbid connecting supply; they authorise no cutoff (ACL Art. 13).
    r = utility_cutoff_guard(use_type="business", cutoff_basis="local_regulation")
    refused(r, "ACL Art. 13", "utility_cutoff")


def test_safety_law_70_needs_head_approval() -> None:
    ok = utility_cutoff_guard(
        use_type="production",
        cutoff_basis="safety_law_70",
        head_approved=True,
        utilities=["power"],
        halt_decision_refused=True,
    )
    assert ok is None
    for approved in (None, False):
        r = utility_cutoff_guard(
            use_type="business",
            cutoff_basis="safety_law_70",
            head_approved=approved,
            halt_decision_refused=True,
        )
        refused(r, "安全生产法 Art. 70", "utility_cutoff")
    # Art. 70: power only, and only after a refused 停产停业 decision.
    water = utility_cutoff_guard(
        use_type="production",
        cutoff_basis="safety_law_70",
        head_approved=True,
        utilities=["power", "water"],
        halt_decision_refused=True,
    )
    assert refused(water, "安全生产法 Art. 70", "utility_cutoff").reason.startswith("该依据只允许")
    no_decision = utility_cutoff_guard(
        use_type="production", cutoff_basis="safety_law_70", head_approved=True
    )
    assert "停产停业" in refused(no_decision, "安全生产法 Art. 70", "utility_cutoff").reason
    # A construction site: its construction water and power (北京 Art. 65), not gas.
    gas = utility_cutoff_guard(
        use_type="construction_site", cutoff_basis="construction_site_supply", utilities=["gas"]
    )
    # 浙江 Art. 23 only forbids handling new supply: 北京 Art. 65 alone is the basis.
    refused(gas, "北京 Art. 65", "utility_cutoff")
    r = utility_cutoff_guard(
        use_type="construction_site", cutoff_basis="construction_site_supply", head_approved=False
    )
    refused(r, "PROCEDURE §3", "utility_cutoff")


# -- segregation of duties ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duty", "article"),
    [
        ("legal_review", "APL Art. 58"),
        ("hearing_chair", "APL Art. 64"),
        ("decision_approval", "APL Art. 58"),
    ],
)
def test_investigator_may_not(duty: str, article: str) -> None:
    team = ["wang", "li"]
    r = segregation_guard(actor="li", investigators=iter(team), duty=duty)
    refused(r, article, "segregation_of_duties")
    assert segregation_guard(actor="zhao", investigators=iter(team), duty=duty) is None
    refused(
        segregation_guard(actor=" ", investigators=team, duty=duty),
        article,
        "segregation_of_duties",
    )


def test_unknown_duty_is_an_error() -> None:
    with pytest.raises(ValueError):
        segregation_guard(actor="zhao", investigators=[], duty="cleaning")


# -- no heavier penalty -------------------------------------------------------------------------


def test_no_increase_after_statement() -> None:
    r = no_heavier_penalty_guard(
        intended_fine_amount=50_000, fine_amount=60_000, statement_made=True
    )
    refused(r, "APL Art. 45", "no_heavier_penalty")
    for fine in (50_000.0, 50_000.004, 40_000.0):  # equal to the cent, or lower
        for stated in (True, False):
            r = no_heavier_penalty_guard(
                intended_fine_amount=50_000, fine_amount=fine, statement_made=stated
            )
            assert r is None


def test_fine_above_the_notice_needs_a_new_notice() -> None:
    r = no_heavier_penalty_guard(
        intended_fine_amount=50_000, fine_amount=60_000, statement_made=False
    )
    refused(r, "APL Art. 62", "no_heavier_penalty")
    r = no_heavier_penalty_guard(intended_fine_amount=None, fine_amount=1_000, statement_made=False)
    refused(r, "APL Art. 62", "no_heavier_penalty")  # a fine never announced
    assert (
        no_heavier_penalty_guard(intended_fine_amount=None, fine_amount=None, statement_made=True)
        is None
    )
    with pytest.raises(ValueError):
        no_heavier_penalty_guard(intended_fine_amount=1, fine_amount=-1, statement_made=False)


# -- late-payment surcharge ---------------------------------------------------------------------


def test_fine_surcharge() -> None:
    due = date(2026, 3, 17)
    assert fine_surcharge(10_000, due, date(2026, 3, 27)) == 3_000  # 10 days x 3 % x 10,000
    assert fine_surcharge(10_000, due, date(2026, 4, 26)) == 10_000  # 40 days: 12,000 capped
    assert fine_surcharge(10_000, due, date(2026, 4, 19)) == 9_900  # 33 days: 99 %
    assert fine_surcharge(10_000, due, date(2026, 4, 20)) == 10_000  # 34 days: 102 % capped
    assert fine_surcharge(10_000, due, due) == 0  # paid on the last day
    assert fine_surcharge(10_000, due, date(2026, 3, 1)) == 0  # paid early
    assert fine_surcharge(333.33, due, date(2026, 3, 18)) == 10.0  # 1 day: 9.9999 -> 10.00


def test_same_act_guard_reads_basically_the_same_as_facts_basis_and_penalty() -> None:
    revoked = {
        "facts_and_evidence": "未经许可加盖。",
        "legal_basis_text": "城乡规划法第六十四条",
        "penalty": "限期拆除",
    }
    same = g.same_act_guard(
        revoked=revoked,
        facts=" 未经许可加盖. ",
        basis_text="城乡规划法第六十四条",
        penalty="限期拆除",
    )
    assert same is not None and same.article == "ALL Art. 71"
    for changed in (
        {"facts": "补充测绘：加盖45平方米"},
        {"basis_text": "城乡规划法第六十五条"},
        {"penalty": "限期改正"},
    ):
        args = {
            "facts": "未经许可加盖。",
            "basis_text": "城乡规划法第六十四条",
            "penalty": "限期拆除",
        }
        assert g.same_act_guard(revoked=revoked, **{**args, **changed}) is None
    assert g.same_act_guard(revoked=None, facts="x", basis_text="y", penalty="z") is None


def test_housing_guarantee_guard_only_where_the_setting_is_on() -> None:
    assert g.housing_guarantee_guard(required=False, hardship=True, secured=False) is None
    assert g.housing_guarantee_guard(required=True, hardship=True, secured=True) is None
    assert g.housing_guarantee_guard(required=True, hardship=False, secured=False) is None
    refusal = g.housing_guarantee_guard(required=True, hardship=True, secured=False)
    assert refusal is not None and refusal.article == "浙江 Art. 20"


def test_limitation_counts_two_years_from_the_end_of_a_finished_violation() -> None:
    ended = date(2023, 6, 30)
    assert (
        g.limitation_guard(
            discovered_on=date(2025, 6, 30), ended_on=ended, continuing=False, life_safety=False
        )
        is None
    )
    late = g.limitation_guard(
        discovered_on=date(2025, 7, 1), ended_on=ended, continuing=False, life_safety=False
    )
    assert late is not None and late.article == "APL Art. 36"
    # five years where life or health is endangered with harmful consequences
    assert (
        g.limitation_guard(
            discovered_on=date(2025, 7, 1), ended_on=ended, continuing=False, life_safety=True
        )
        is None
    )
    # a continuing violation has not ended; unknown facts refuse nothing
    assert (
        g.limitation_guard(
            discovered_on=date(2030, 1, 1), ended_on=ended, continuing=True, life_safety=False
        )
        is None
    )
    assert (
        g.limitation_guard(
            discovered_on=date(2030, 1, 1), ended_on=ended, continuing=None, life_safety=False
        )
        is None
    )
    leap = g.limitation_guard(
        discovered_on=date(2026, 3, 1), ended_on=date(2024, 2, 29), continuing=False, life_safety=0
    )
    assert leap is not None


def test_surcharge_pause_counts_pending_days_once_between_due_and_paid() -> None:
    due, paid = date(2026, 2, 27), date(2026, 3, 12)
    assert g.surcharge_pause([(date(2026, 3, 2), date(2026, 3, 9))], due=due, paid=paid) == 7
    # a filing before the due date counts only from the day after it; a pending one to paid
    assert g.surcharge_pause([(date(2026, 2, 20), None)], due=due, paid=paid) == 13
    # overlapping review and lawsuit count each day once
    both = [(date(2026, 3, 2), date(2026, 3, 9)), (date(2026, 3, 5), date(2026, 3, 10))]
    assert g.surcharge_pause(both, due=due, paid=paid) == 8
    assert g.surcharge_pause([], due=due, paid=paid) == 0
