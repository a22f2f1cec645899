"""The statutory calendar against real State Council schedules, every date computed by hand.

Schedules as held by chinesecalendar 1.11.0 (checked against the State Council notices):

2025 (国办发明电〔2024〕12号)
  元旦 Jan 1 (Wed)
  春节 Jan 28 (Tue) - Feb 4 (Tue) off; make-up workdays Sun Jan 26, Sat Feb 8
  清明 Apr 4 (Fri) - Apr 6 (Sun)
  劳动节 May 1 (Thu) - May 5 (Mon) off; make-up workday Sun Apr 27
  端午 May 31 (Sat) - Jun 2 (Mon)
  国庆+中秋 Oct 1 (Wed) - Oct 8 (Wed) off; make-up workdays Sun Sep 28, Sat Oct 11

2026 (国办发明电〔2025〕7号)
  元旦 Jan 1 (Thu) - Jan 3 (Sat) off; make-up workday Sun Jan 4
  春节 Feb 15 (Sun) - Feb 23 (Mon) off; make-up workdays Sat Feb 14, Sat Feb 28
  清明 Apr 4 (Sat) - Apr 6 (Mon)
  劳动节 May 1 (Fri) - May 5 (Tue) off; make-up workday Sat May 9
  端午 Jun 19 (Fri) - Jun 21 (Sun)
  中秋 Sep 25 (Fri) - Sep 27 (Sun)
  国庆 Oct 1 (Thu) - Oct 7 (Wed) off; make-up workdays Sun Sep 20, Sat Oct 10

The package covers 2004-2026; later years are provisional (engine.holiday_rules) unless loaded,
and a strict calendar (`provisional=False`) refuses them.
"""

from __future__ import annotations

import json
import pickle
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar  # type: ignore[import-untyped]
import pytest

from engine.calendar import (
    TZ,
    Period,
    PeriodError,
    StatutoryCalendar,
    UnknownHolidayYear,
    parse_instant,
)


@pytest.fixture(scope="module")
def cal() -> StatutoryCalendar:
    return StatutoryCalendar.load(provisional=False)


@pytest.fixture(scope="module")
def pcal() -> StatutoryCalendar:
    return StatutoryCalendar.load()


def write(tmp_path: Path, data: Any, name: str = "holidays.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- the data ------------------------------------------------------------------------------


def test_known_years_are_the_package_years(cal: StatutoryCalendar) -> None:
    assert cal.known_years() == frozenset(range(2004, 2027))


def test_agrees_with_package_on_every_covered_day(cal: StatutoryCalendar) -> None:
    day = date(2004, 1, 1)
    while day.year <= 2026:
        assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_2026_spring_festival_days(cal: StatutoryCalendar) -> None:
    assert cal.is_working_day(date(2026, 2, 14))  # Sat, make-up workday
    assert cal.is_working_day(date(2026, 2, 28))  # Sat, make-up workday
    assert cal.is_rest_day(date(2026, 2, 20))  # Fri, holiday
    assert cal.is_rest_day(date(2026, 2, 23))  # Mon, last holiday day
    assert cal.is_working_day(date(2026, 2, 24))  # Tue, first day back
    assert cal.is_rest_day(date(2026, 3, 7))  # ordinary Saturday
    assert cal.holiday_name(date(2026, 2, 17)) == "春节"
    assert cal.holiday_name(date(2026, 10, 1)) == "国庆节"
    assert cal.holiday_name(date(2026, 3, 9)) is None


# --- working days (APL Art. 85, ACL Art. 69) -----------------------------------------------


def test_wd_across_2026_spring_festival(cal: StatutoryCalendar) -> None:
    # Start Thu Feb 12 (not counted): Fri 13 (1), Sat 14 make-up (2), Feb 15-23 off,
    # Tue 24 (3), Wed 25 (4), Thu 26 (5).
    assert cal.last_day(date(2026, 2, 12), "5 WD") == date(2026, 2, 26)
    assert cal.add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)


def test_make_up_saturday_is_counted(cal: StatutoryCalendar) -> None:
    # Fri Feb 13 + 1 WD = Sat Feb 14 (make-up); Fri Feb 27 + 1 WD = Sat Feb 28 (make-up),
    # + 2 WD = Sun Mar 1 rest -> Mon Mar 2.
    assert cal.last_day(date(2026, 2, 13), "1 WD") == date(2026, 2, 14)
    assert cal.last_day(date(2026, 2, 27), "1 WD") == date(2026, 2, 28)
    assert cal.last_day(date(2026, 2, 27), "2 WD") == date(2026, 3, 2)
    assert cal.add_working_days(date(2026, 2, 27), 0) == date(2026, 2, 27)


def test_wd_across_2026_national_day(cal: StatutoryCalendar) -> None:
    # 10 WD demand period (ACL Art. 35) from Wed Sep 30: Oct 1-7 off, Thu 8 (1), Fri 9 (2),
    # Sat 10 make-up (3), Sun 11 rest, Mon 12 (4) .. Fri 16 (8), Mon 19 (9), Tue 20 (10).
    assert cal.last_day(date(2026, 9, 30), "10 WD") == date(2026, 10, 20)
    # Fri Sep 18 + 1 WD: Sat 19 rest, Sun Sep 20 make-up workday.
    assert cal.last_day(date(2026, 9, 18), "1 WD") == date(2026, 9, 20)


def test_wd_2025_spring_festival_and_may_day(cal: StatutoryCalendar) -> None:
    # 7 WD (APL Art. 56) from Fri Jan 24: Sat 25 rest, Sun 26 make-up (1), Mon 27 (2),
    # Jan 28-Feb 4 off, Wed Feb 5 (3), Thu 6 (4), Fri 7 (5), Sat 8 make-up (6), Sun 9 rest,
    # Mon Feb 10 (7).
    assert cal.last_day(date(2025, 1, 24), "7 WD") == date(2025, 2, 10)
    # 3 WD from Fri Apr 25: Sat 26 rest, Sun Apr 27 make-up (1), Mon 28 (2), Tue 29 (3).
    assert cal.last_day(date(2025, 4, 25), "3 WD") == date(2025, 4, 29)
    # 5 WD from Wed Apr 30: May 1-5 off, Tue 6 (1) .. Fri 9 (4), weekend, Mon May 12 (5).
    assert cal.last_day(date(2025, 4, 30), "5 WD") == date(2025, 5, 12)


# --- calendar days, months, years (CPL Art. 85, 民法典 Art. 202) ----------------------------


def test_cd_ending_in_spring_festival_rolls(cal: StatutoryCalendar) -> None:
    # Thu Feb 5 + 15 = Fri Feb 20 (holiday); Feb 21-23 holiday too -> Tue Feb 24.
    assert cal.last_day(date(2026, 2, 5), "15 CD") == date(2026, 2, 24)
    # Fri Jan 30 + 15 = Sat Feb 14, a make-up workday: no roll.
    assert cal.last_day(date(2026, 1, 30), "15 CD") == date(2026, 2, 14)
    # Mon Mar 2 + 5 = Sat Mar 7, ordinary weekend -> Mon Mar 9.
    assert cal.last_day(date(2026, 3, 2), "5 CD") == date(2026, 3, 9)


def test_60_cd_review_window_over_national_day(cal: StatutoryCalendar) -> None:
    # Served Wed Aug 5: Aug 31 is +26, Sep 30 is +56, +60 = Sun Oct 4 (holiday) -> Thu Oct 8.
    assert cal.last_day(date(2026, 8, 5), "60 CD") == date(2026, 10, 8)
    # Tue Sep 1 + 30 = Thu Oct 1 -> Thu Oct 8.
    assert cal.last_day(date(2026, 9, 1), "30 CD") == date(2026, 10, 8)


def test_cd_2025_national_day(cal: StatutoryCalendar) -> None:
    # Tue Sep 16 + 15 = Wed Oct 1; Oct 1-8 off -> Thu Oct 9.
    assert cal.last_day(date(2025, 9, 16), "15 CD") == date(2025, 10, 9)


def test_six_month_lawsuit_window_on_a_sunday(cal: StatutoryCalendar) -> None:
    # Served Mon 2025-09-15; corresponding day Sun 2026-03-15 -> Mon Mar 16.
    assert cal.last_day(date(2025, 9, 15), "6 M") == date(2026, 3, 16)


def test_month_end_clamping(cal: StatutoryCalendar) -> None:
    # Aug 31 + 6 M: no Feb 31 -> Feb 28 2026, a Saturday but a make-up workday: stays.
    assert cal.last_day(date(2025, 8, 31), "6 M") == date(2026, 2, 28)
    # 2023-08-31 + 6 M -> Thu 2024-02-29 (leap year), a working day.
    assert cal.last_day(date(2023, 8, 31), "6 M") == date(2024, 2, 29)
    # Mon 2025-03-31 + 1 M -> Wed Apr 30.
    assert cal.last_day(date(2025, 3, 31), "1 M") == date(2025, 4, 30)


def test_years(cal: StatutoryCalendar) -> None:
    # 1 Y from 2025-10-01 -> Thu 2026-10-01, National Day -> Thu Oct 8.
    assert cal.last_day(date(2025, 10, 1), "1 Y") == date(2026, 10, 8)
    # 2024-02-29 + 1 Y -> Fri 2025-02-28 (clamped), a working day.
    assert cal.last_day(date(2024, 2, 29), Period(1, "Y")) == date(2025, 2, 28)


# --- instants and the 24:00 rule -----------------------------------------------------------


def test_deadline_is_midnight_after_last_day(cal: StatutoryCalendar) -> None:
    due = cal.deadline(date(2026, 2, 12), "5 WD")
    assert due == datetime(2026, 2, 27, 0, 0, tzinfo=TZ)
    assert due.tzinfo is TZ
    assert due.utcoffset() == timedelta(hours=8)
    assert due.isoformat() == "2026-02-27T00:00:00+08:00"
    assert cal.deadline("2026-08-05", "60 CD") == datetime(2026, 10, 9, tzinfo=TZ)


def test_start_is_the_shanghai_date(cal: StatutoryCalendar) -> None:
    # 17:30 UTC Wed Feb 11 = 01:30 Thu Feb 12 in Shanghai: counting starts Feb 13 -> Feb 26.
    late_utc = datetime(2026, 2, 11, 17, 30, tzinfo=UTC)
    assert cal.last_day(late_utc, "5 WD") == date(2026, 2, 26)
    # Had the UTC date (Wed Feb 11) been used: 12, 13, 14, 24, 25 -> Feb 25. A naive
    # datetime is Shanghai time, so 23:00 naive Feb 11 does give Feb 25.
    assert cal.last_day(datetime(2026, 2, 11, 23, 0), "5 WD") == date(2026, 2, 25)
    # ISO strings: 20:00 -05:00 Feb 11 = 09:00 Shanghai Feb 12.
    assert cal.last_day("2026-02-11T20:00:00-05:00", "5 WD") == date(2026, 2, 26)
    assert cal.last_day("2026-02-11T17:30:00Z", "5 WD") == date(2026, 2, 26)
    assert cal.last_day("2026-02-12T15:00:00+08:00", "5 WD") == date(2026, 2, 26)


def test_parse_instant() -> None:
    assert parse_instant(date(2026, 2, 10)) == datetime(2026, 2, 10, tzinfo=TZ)
    assert parse_instant("2026-02-10") == datetime(2026, 2, 10, tzinfo=TZ)
    got = parse_instant(datetime(2026, 2, 10, 7, 0, tzinfo=UTC))
    assert got == datetime(2026, 2, 10, 15, 0, tzinfo=TZ) and got.tzinfo is TZ
    assert parse_instant(datetime(2026, 2, 10, 7, 0)).tzinfo is TZ
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_instant("10/02/2026")


def test_hours_are_exact(cal: StatutoryCalendar) -> None:
    # 24 h advance notice from Sat Feb 14 15:00: Sun Feb 15 15:00, a holiday, no roll.
    start = datetime(2026, 2, 14, 15, 0, tzinfo=TZ)
    assert cal.deadline(start, "24 H") == datetime(2026, 2, 15, 15, 0, tzinfo=TZ)
    assert cal.last_day(start, "24 H") == date(2026, 2, 15)
    # 20:00 UTC Mar 1 + 6 h = 02:00 UTC Mar 2 = 10:00 Shanghai Mar 2.
    due = cal.deadline(datetime(2026, 3, 1, 20, 0, tzinfo=UTC), "6 H")
    assert due == datetime(2026, 3, 2, 10, 0, tzinfo=TZ) and due.tzinfo is TZ
    # No day is examined, so hours may run into an unknown year.
    end = cal.deadline("2026-12-31T12:00:00+08:00", "24 H")
    assert end == datetime(2027, 1, 1, 12, 0, tzinfo=TZ)


# --- periods -------------------------------------------------------------------------------


def test_period_parse() -> None:
    assert Period.parse("60 CD") == Period(60, "CD")
    assert Period.parse(" 5WD ") == Period(5, "WD")
    assert Period.parse("6\tM") == Period(6, "M")
    assert Period.parse("1 Y") == Period(1, "Y")
    assert Period.parse("24 H") == Period(24, "H")
    assert str(Period.parse("  60   CD ")) == "60 CD"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "CD",
        "60",
        "0 CD",
        "-5 WD",
        "+5 WD",
        "5 wd",
        "5 D",
        "5.5 CD",
        "5 W D",
        "10000 CD",
    ],
)
def test_period_parse_rejects(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_period_constructor_validates() -> None:
    with pytest.raises(PeriodError):
        Period(0, "WD")
    with pytest.raises(PeriodError):
        Period(5, "DAYS")
    with pytest.raises(PeriodError):
        Period(True, "CD")


# --- unknown years fail loudly -------------------------------------------------------------


def test_unknown_year_at_start(cal: StatutoryCalendar) -> None:
    with pytest.raises(UnknownHolidayYear, match="2030.*QINGWEI_HOLIDAYS_FILE") as info:
        cal.is_working_day(date(2030, 1, 2))
    assert info.value.year == 2030
    with pytest.raises(UnknownHolidayYear, match="2030"):
        cal.last_day(date(2030, 1, 5), "5 WD")
    with pytest.raises(UnknownHolidayYear, match="2003"):
        cal.is_rest_day(date(2003, 6, 2))


def test_unknown_year_when_running_across(cal: StatutoryCalendar) -> None:
    # Mon Dec 28 2026: Tue 29 (1), Wed 30 (2), Thu 31 (3), then 2027 is needed.
    with pytest.raises(UnknownHolidayYear, match="2027") as info:
        cal.last_day(date(2026, 12, 28), "5 WD")
    assert info.value.year == 2027
    with pytest.raises(UnknownHolidayYear, match="2027"):
        cal.deadline(date(2026, 12, 20), "15 CD")  # last day Mon 2027-01-04
    with pytest.raises(UnknownHolidayYear, match="2027"):
        cal.last_day(date(2026, 8, 31), "6 M")  # last day 2027-02-28
    # Thu Dec 17 + 14 = Thu Dec 31 2026, a working day: nothing in 2027 is examined.
    assert cal.last_day(date(2026, 12, 17), "14 CD") == date(2026, 12, 31)


def test_provisional_2027_is_weekends_plus_statutory_holidays(pcal: StatutoryCalendar) -> None:
    assert not pcal.is_official(2027) and pcal.is_provisional(2027)
    rest, work = pcal.year_days(2027)
    assert work == {}
    # 全国年节及纪念日放假办法 (2024): 除夕 Fri Feb 5, 初一-初三 Sat 6 - Mon 8; 劳动节 Sat 1 - Sun 2
    # May; 国庆 Fri 1 - Sun 3 Oct; 清明 Mon Apr 5; 端午 Wed Jun 9; 中秋 Wed Sep 15.
    for text in ("2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"):
        assert date.fromisoformat(text) in rest, text
    for text in ("2027-04-05", "2027-05-01", "2027-05-02", "2027-06-09", "2027-09-15"):
        assert date.fromisoformat(text) in rest, text
    for text in ("2027-10-01", "2027-10-02", "2027-10-03"):
        assert date.fromisoformat(text) in rest, text
    assert rest[date(2027, 2, 5)] == "春节"
    # Art. 6: the weekend days of a holiday are made up on the working days after the block.
    assert rest[date(2027, 2, 9)] == rest[date(2027, 2, 10)] == "春节补假"
    assert rest[date(2027, 5, 3)] == rest[date(2027, 5, 4)] == "劳动节补假"
    assert rest[date(2027, 10, 4)] == rest[date(2027, 10, 5)] == "国庆节补假"
    assert pcal.is_rest_day(date(2027, 1, 2))  # Saturday
    assert pcal.is_working_day(date(2027, 2, 11))  # Thursday after the block
    assert pcal.holiday_name(date(2027, 10, 2)) == "国庆节"


def test_provisional_rule_matches_the_law_for_a_scheduled_year(pcal: StatutoryCalendar) -> None:
    # The law's days (not the State Council's bridges) of 2026 computed by the rule are all
    # rest days in the official 2026 schedule: the rule never invents a working day there.
    from engine.holiday_rules import statutory_holidays

    law = statutory_holidays(2026)
    assert date(2026, 2, 16) in law and date(2026, 2, 19) in law  # 除夕 .. 初三
    assert date(2026, 6, 19) in law and date(2026, 9, 25) in law  # 端午, 中秋
    for day, name in law.items():
        if "补假" not in name:
            assert pcal.is_rest_day(day), (day, name)


def test_deadline_detail_names_provisional_years(pcal: StatutoryCalendar) -> None:
    # Filed Tue 2026-12-01 + 90 CD = Mon 2027-03-01, a provisional working day.
    info = pcal.deadline_detail(date(2026, 12, 1), "90 CD")
    assert info.due == datetime(2027, 3, 2, tzinfo=TZ)
    assert info.provisional and info.provisional_years == (2027,)
    # Fri 2027-01-29 + 7 CD = Fri Feb 5 (除夕) -> rolls past 春节 and 补假 to Thu Feb 11.
    assert pcal.last_day(date(2027, 1, 29), "7 CD") == date(2027, 2, 11)
    # Inside 2026 nothing provisional is examined.
    inside = pcal.deadline_detail(date(2026, 11, 20), "7 WD")
    assert inside.due == datetime(2026, 12, 2, tzinfo=TZ) and not inside.provisional
    # Thu Dec 24 2026 + 7 WD runs into 2027: Dec 25, 28-31 (5), Jan 1 off, Mon 4 (6), Tue 5 (7).
    across = pcal.deadline_detail(date(2026, 12, 24), "7 WD")
    assert across.last_day == date(2027, 1, 5) and across.provisional_years == (2027,)
    assert across.years == (2026, 2027)
    # Hours never depend on a schedule.
    assert not pcal.deadline_detail(datetime(2026, 12, 31, 20, tzinfo=TZ), "24 H").provisional


def test_loading_a_year_makes_it_official(pcal: StatutoryCalendar) -> None:
    official = pcal.with_year(
        2027,
        {date(2027, 1, 1): "元旦", **{date(2027, 2, d): "春节" for d in range(5, 13)}},
        {date(2027, 2, 20): "春节调休"},
    )
    assert official.is_official(2027) and not official.is_provisional(2027)
    assert pcal.is_provisional(2027)  # the old calendar is unchanged
    assert official.is_working_day(date(2027, 2, 20))  # a make-up Saturday
    assert official.is_rest_day(date(2027, 2, 12))
    assert official.is_working_day(date(2027, 5, 3))  # not a holiday in this made-up schedule
    info = official.deadline_detail(date(2026, 12, 1), "90 CD")
    assert not info.provisional and info.years == (2027,)


def test_years_beyond_the_rule_are_unknown(pcal: StatutoryCalendar) -> None:
    with pytest.raises(UnknownHolidayYear, match="2100"):
        pcal.is_working_day(date(2100, 1, 4))
    with pytest.raises(UnknownHolidayYear, match="1949"):
        pcal.is_working_day(date(1949, 1, 4))


def test_unknown_year_is_a_value_error_and_pickles() -> None:
    err = pickle.loads(pickle.dumps(UnknownHolidayYear(2031)))
    assert isinstance(err, UnknownHolidayYear) and isinstance(err, ValueError)
    assert err.year == 2031 and "2031" in str(err)


# --- the administrator's extra file --------------------------------------------------------

# A made-up 2027 fixture (not the real schedule): 元旦 Fri Jan 1, make-up Sat Jan 2.
FAKE_2027 = {
    "year": 2027,
    "holidays": {"2027-01-01": "元旦"},
    "workdays": {"2027-01-02": "元旦调休"},
}


def test_extra_file_adds_a_year(tmp_path: Path) -> None:
    cal = StatutoryCalendar.load(write(tmp_path, FAKE_2027))
    assert 2027 in cal.known_years() and 2026 in cal.known_years()
    # Mon Dec 28 2026: Tue 29 (1), Wed 30 (2), Thu 31 (3), Fri Jan 1 off, Sat Jan 2 make-up
    # (4), Sun Jan 3 rest, Mon Jan 4 (5).
    assert cal.last_day(date(2026, 12, 28), "5 WD") == date(2027, 1, 4)
    assert cal.deadline(date(2026, 12, 20), "15 CD") == datetime(2027, 1, 5, tzinfo=TZ)


def test_extra_file_list_and_gap(tmp_path: Path) -> None:
    fake_2029 = {"year": 2029, "holidays": {"2029-01-01": "元旦"}}
    cal = StatutoryCalendar.load(str(write(tmp_path, [FAKE_2027, fake_2029])), provisional=False)
    assert {2027, 2029} <= cal.known_years() and 2028 not in cal.known_years()
    # Fri 2027-12-31 + 1 WD would be Mon 2028-01-03, but 2028 is not loaded.
    with pytest.raises(UnknownHolidayYear, match="2028"):
        cal.last_day(date(2027, 12, 31), "1 WD")


def test_extra_file_overrides_a_packaged_year(tmp_path: Path) -> None:
    only_new_year = {"year": 2026, "holidays": {"2026-01-01": "元旦"}}
    cal = StatutoryCalendar.load(write(tmp_path, only_new_year))
    assert cal.is_working_day(date(2026, 10, 1))  # Thu, no longer a holiday
    assert cal.is_rest_day(date(2026, 2, 14))  # Sat, no longer a make-up day
    assert cal.is_working_day(date(2025, 10, 1)) is False  # 2025 untouched


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"year": 2027, "holidays": {"2027-02-30": "x"}}, "bad date '2027-02-30'"),
        (
            {"year": 2027, "holidays": {"2028-01-01": "元旦"}},
            "2028-01-01 is not in 2027",
        ),
        (
            {
                "year": 2027,
                "holidays": {"2027-01-02": "a"},
                "workdays": {"2027-01-02": "b"},
            },
            "2027-01-02 is both a holiday and a workday",
        ),
        (
            {
                "year": 2027,
                "holidays": {"2027-01-01": "a"},
                "workdays": {"2027-01-04": "b"},
            },
            "weekday",
        ),
        ({"holidays": {"2027-01-01": "元旦"}}, "'year' must be"),
        ({"year": 2027, "holidays": {}}, "no holidays"),
        ({"year": 2027, "holiday": {"2027-01-01": "元旦"}}, "unknown keys"),
        ([FAKE_2027, FAKE_2027], "year 2027 appears twice"),
        ([], "no year"),
    ],
)
def test_malformed_extra_file(tmp_path: Path, data: Any, problem: str) -> None:
    path = write(tmp_path, data)
    with pytest.raises(ValueError) as info:
        StatutoryCalendar.load(path)
    assert str(path) in str(info.value) and problem in str(info.value)
    assert not isinstance(info.value, UnknownHolidayYear)


def test_unreadable_extra_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.json.*cannot read JSON"):
        StatutoryCalendar.load(bad)
    with pytest.raises(ValueError, match="missing.json.*cannot read"):
        StatutoryCalendar.load(tmp_path / "missing.json")


def test_constructor_rejects_contradictions() -> None:
    day = date(2027, 1, 2)
    with pytest.raises(ValueError, match="both holiday and workday"):
        StatutoryCalendar({day: "元旦"}, {day: "调休"}, [2027])
    with pytest.raises(TypeError):
        StatutoryCalendar({datetime(2027, 1, 1, tzinfo=UTC): "元旦"}, {}, [2027])


def test_limit_days_never_roll(cal: StatutoryCalendar) -> None:
    """ACL Art. 25: sealing lasts at most 30 days. Sealed Tue 2026-02-10: day 30 is Thu 03-12;
    extended by 30 from there: Sat 04-11, which stays (a CD period would roll to Mon 04-13)."""
    assert cal.last_day(date(2026, 2, 10), "30 LD") == date(2026, 3, 12)
    assert cal.last_day(date(2026, 3, 12), "30 LD") == date(2026, 4, 11)
    assert cal.last_day(date(2026, 3, 12), "30 CD") == date(2026, 4, 13)
    assert cal.deadline(date(2026, 3, 12), "30 LD") == datetime(2026, 4, 12, tzinfo=TZ)
    assert not cal.deadline_detail(date(2026, 12, 20), "30 LD").provisional
