"""The statutory calendar: how a legal period becomes an absolute deadline.

Every timer depends on this module, and a forced demolition one day early is unlawful, so the
rules follow the statutes literally (PROCEDURE.md section 0):

* 民事诉讼法 Art. 85 / 行诉解释 Art. 48: periods count in hours, days, months and years; the start
  hour or day is not counted; a period whose last day is a statutory rest day ends on the first
  working day after it.
* 行政处罚法 Art. 85, 行政强制法 Art. 69, 行政复议法 Art. 88: short periods are working days
  (工作日), statutory holidays excluded; the BPMN author decides which periods are
  (`5 WD` / `60 CD`).
* 民法典 Art. 202-203: a month or year period ends on the corresponding day of the last month, or
  that month's last day when there is none; a period ends at 24:00 of its last day.
* Working days follow the State Council's yearly schedule with its make-up working days (调休).
  A year without a loaded schedule is *provisional*: weekends plus the statutory holidays of
  全国年节及纪念日放假办法 (engine.holiday_rules), never "weekends only"; every deadline that
  depends on such a year says so (`DeadlineInfo.provisional_years`), so that it is shown as 暂定
  and no coercion rests on it until the schedule is loaded.

Pure: stdlib plus the data of `chinese_calendar` and `lunar_python`. Instances are immutable
(the per-year caches fill once with the same values), hence thread-safe.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar as _cc

TZ = ZoneInfo("Asia/Shanghai")
UNITS = ("CD", "WD", "M", "Y", "H", "LD")
_PERIOD_RE = re.compile(r"\s*([0-9]+)\s*([A-Z]+)\s*")
_MAX_AMOUNT = 9999
_DAY = timedelta(days=1)


class UnknownHolidayYear(ValueError):
    """A day in a year whose State Council schedule is not loaded had to be examined.

    Guessing with "weekends only" would silently misplace deadlines around 调休 days, so the
    administrator must load the schedule instead.
    """

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year}年法定节假日安排未载入且无法暂定 / no statutory holiday schedule is loaded "
            f"for {year} and no provisional rule covers it; load the State Council schedule "
            f"(PUT /api/v1/calendar/{year}, `qingwei calendar load`, or QINGWEI_HOLIDAYS_FILE)"
        )

    def __reduce__(self) -> tuple[type[UnknownHolidayYear], tuple[int]]:
        return (type(self), (self.year,))


class PeriodError(ValueError):
    """A period text (a BPMN extension property) that is not `<amount> <unit>`."""


@dataclass(frozen=True, slots=True)
class Period:
    """A legal period: CD calendar days, WD working days, M months, Y years, H hours, and LD
    limit days: calendar days whose last day never rolls off a rest day. CPL Art. 85's rolling
    protects a party's period; a maximum the agency may not exceed (查封 "不得超过三十日", ACL
    Art. 25) must not grow by it.

    The amount is 1..9999. Zero is rejected: no statute sets a zero period, and with the start
    day not counted "0 CD" has no meaning, so a zero is an authoring error to catch at deploy.
    Units are upper case only, so that "m" is never misread as minutes.
    """

    amount: int
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise PeriodError(f"unknown period unit {self.unit!r}; expected one of {UNITS}")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise PeriodError(f"period amount must be an int, not {self.amount!r}")
        if not 1 <= self.amount <= _MAX_AMOUNT:
            raise PeriodError(f"period amount must be 1..{_MAX_AMOUNT}, not {self.amount}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read "60 CD", "5WD", " 6 M " (whitespace tolerant, canonical case)."""
        m = _PERIOD_RE.fullmatch(text) if isinstance(text, str) else None
        if m is None:
            raise PeriodError(f"bad period {text!r}; expected e.g. '60 CD', '5 WD', '6 M'")
        return cls(int(m.group(1)), m.group(2))

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"


def parse_instant(value: date | datetime | str) -> datetime:
    """An aware instant in Asia/Shanghai; a bare date or naive time is Shanghai local time.

    Legal days are Shanghai days: an event at 01:30 Shanghai time (17:30 UTC the day before)
    happens on the Shanghai date, which decides when counting starts.
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"bad date or instant {value!r}; expected ISO 8601") from None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=TZ)
        return value.astimezone(TZ)
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=TZ)
    raise TypeError(f"expected a date, datetime or ISO string, not {type(value).__name__}")


def _start_day(value: date | datetime | str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return parse_instant(value).date()


def _add_months(day: date, months: int) -> date:
    """民法典 Art. 202: the corresponding day, else the last day of that month."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    if year > MAXYEAR:
        raise UnknownHolidayYear(year)
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date(year, month, min(day.day, (nxt - _DAY).day))


@dataclass(frozen=True, slots=True)
class DeadlineInfo:
    """A computed deadline and the years whose schedule decided it.

    `provisional_years` are those among them without an official schedule: the deadline is
    暂定 until they are loaded, and no coercion may rest on it (DESIGN.md, deadlines).
    """

    due: datetime
    last_day: date
    years: tuple[int, ...]
    provisional_years: tuple[int, ...]

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)


ProvisionalRule = Callable[[int], Mapping[date, str]]


class StatutoryCalendar:
    """Working days per the State Council schedules of the official years; other years are
    provisional (weekends plus the statutory holidays `provisional` computes), or unknown when
    there is no rule for them."""

    def __init__(
        self,
        holidays: Mapping[date, str],
        workdays: Mapping[date, str],
        known_years: Iterable[int],
        *,
        provisional: ProvisionalRule | None = None,
        provisional_range: tuple[int, int] = (MINYEAR + 1, MAXYEAR - 1),
    ) -> None:
        years = frozenset(known_years)
        if any(not MINYEAR < y < MAXYEAR for y in years):
            raise ValueError(f"known years out of range: {sorted(years)}")
        for d in (*holidays, *workdays):
            if isinstance(d, datetime) or not isinstance(d, date):
                raise TypeError(f"schedule keys must be dates, not {d!r}")
        both = sorted(set(holidays) & set(workdays))
        if both:
            raise ValueError(f"days both holiday and workday: {[d.isoformat() for d in both]}")
        self._years = years
        self._holidays = MappingProxyType(dict(holidays))
        self._workdays = MappingProxyType(dict(workdays))
        self._provisional = provisional
        self._provisional_range = provisional_range
        # Sorted ordinals of every working day, per year: the n-th working day is a bisect.
        self._year_ords: dict[int, tuple[int, ...]] = {}
        self._provisional_days: dict[int, Mapping[date, str]] = {}
        for year in years:
            self._year_ords[year] = self._ordinals(year, self._holidays, self._workdays)

    @staticmethod
    def _ordinals(
        year: int, holidays: Mapping[date, str], workdays: Mapping[date, str]
    ) -> tuple[int, ...]:
        ords: list[int] = []
        day = date(year, 1, 1)
        while day.year == year:
            if day in workdays or (day.weekday() < 5 and day not in holidays):
                ords.append(day.toordinal())
            day += _DAY
        return tuple(ords)

    @classmethod
    def load(
        cls, extra_file: str | Path | None = None, *, provisional: bool = True
    ) -> StatutoryCalendar:
        """The packaged schedules (chinese_calendar), then an administrator's file on top, and
        the provisional rule of engine.holiday_rules for every other year.

        The State Council publishes next year's schedule around November; the extra file
        (QINGWEI_HOLIDAYS_FILE) lets it take effect without a release. A year in that file
        replaces the packaged data of that year entirely.
        """
        holidays, workdays, years = packaged_schedules()
        if extra_file is not None:
            for year, hol, work in _read_extra(Path(extra_file)):
                holidays = {d: n for d, n in holidays.items() if d.year != year} | hol
                workdays = {d: n for d, n in workdays.items() if d.year != year} | work
                years.add(year)
        if not provisional:
            return cls(holidays, workdays, years)
        from engine import holiday_rules

        return cls(
            holidays,
            workdays,
            years,
            provisional=holiday_rules.statutory_holidays,
            provisional_range=(
                holiday_rules.PROVISIONAL_MIN_YEAR,
                holiday_rules.PROVISIONAL_MAX_YEAR,
            ),
        )

    def with_year(
        self, year: int, holidays: Mapping[date, str], workdays: Mapping[date, str]
    ) -> StatutoryCalendar:
        """A new calendar in which `year` has this official schedule (replacing any other)."""
        return self.with_years({year: (holidays, workdays)})

    def with_years(
        self, schedules: Mapping[int, tuple[Mapping[date, str], Mapping[date, str]]]
    ) -> StatutoryCalendar:
        """A new calendar with these official schedules (year -> (rest days, make-up days))
        replacing whatever this one had for those years."""
        hol = {d: n for d, n in self._holidays.items() if d.year not in schedules}
        work = {d: n for d, n in self._workdays.items() if d.year not in schedules}
        for year, (h, w) in schedules.items():
            hol.update({d: n for d, n in h.items() if d.year == year})
            work.update({d: n for d, n in w.items() if d.year == year})
        return type(self)(
            hol,
            work,
            self._years | set(schedules),
            provisional=self._provisional,
            provisional_range=self._provisional_range,
        )

    def known_years(self) -> frozenset[int]:
        """The years with an official schedule."""
        return self._years

    def is_official(self, year: int) -> bool:
        return year in self._years

    def is_provisional(self, year: int) -> bool:
        """True for a year computed by the provisional rule (no official schedule loaded)."""
        lo, hi = self._provisional_range
        return year not in self._years and self._provisional is not None and lo <= year <= hi

    def year_days(self, year: int) -> tuple[dict[date, str], dict[date, str]]:
        """(rest days with their holiday names, make-up working days) of `year`; weekends are
        implicit. Provisional years have no make-up days."""
        self._require(year)
        if year in self._years:
            hol = {d: n for d, n in self._holidays.items() if d.year == year}
            work = {d: n for d, n in self._workdays.items() if d.year == year}
            return dict(sorted(hol.items())), dict(sorted(work.items()))
        return dict(self._provisional_holidays(year)), {}

    def holiday_name(self, day: date) -> str | None:
        """The statutory holiday on `day` (e.g. 国庆节), for refusals under ACL Art. 43(1)."""
        self._require(day.year)
        if day.year in self._years:
            return self._holidays.get(day)
        return self._provisional_holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        ords = self._ords(day.year)
        i = bisect_left(ords, day.toordinal())
        return i < len(ords) and ords[i] == day.toordinal()

    def is_rest_day(self, day: date) -> bool:
        return not self.is_working_day(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (start not counted, CPL Art. 85)."""
        if n < 0:
            raise ValueError(f"working days must be >= 0, not {n}")
        return start if n == 0 else self._working_day_on_or_after(start + _DAY, n - 1)[0]

    def last_day(self, start: date | datetime | str, period: Period | str) -> date:
        return self._last_day(start, period)[0]

    def _last_day(
        self, start: date | datetime | str, period: Period | str
    ) -> tuple[date, tuple[int, ...]]:
        p = period if isinstance(period, Period) else Period.parse(period)
        if p.unit == "H":
            return self._hours_end(start, p.amount).date(), ()
        day = _start_day(start)
        if p.unit == "WD":
            if p.amount == 0:
                return day, ()
            return self._working_day_on_or_after(day + _DAY, p.amount - 1)
        if p.unit in ("CD", "LD"):
            if day.toordinal() + p.amount > date.max.toordinal():
                raise UnknownHolidayYear(MAXYEAR + 1)
            end = day + timedelta(days=p.amount)
            if p.unit == "LD":
                return end, ()
        else:
            end = _add_months(day, p.amount * (12 if p.unit == "Y" else 1))
        # CPL Art. 85: a last day that is a rest day moves to the first working day after it.
        return self._working_day_on_or_after(end, 0)

    def deadline(self, start: date | datetime | str, period: Period | str) -> datetime:
        """24:00 Shanghai of the last day (民法典 Art. 203), i.e. 00:00 of the next day, aware."""
        return self.deadline_detail(start, period).due

    def deadline_detail(self, start: date | datetime | str, period: Period | str) -> DeadlineInfo:
        """The deadline, and which years' schedules decided it (provisional ones named)."""
        p = period if isinstance(period, Period) else Period.parse(period)
        if p.unit == "H":
            due = self._hours_end(start, p.amount)
            return DeadlineInfo(due, due.date(), (), ())
        last, years = self._last_day(start, p)
        due = datetime.combine(last + _DAY, time(0), tzinfo=TZ)
        provisional = tuple(y for y in years if y not in self._years)
        return DeadlineInfo(due, last, years, provisional)

    @staticmethod
    def _hours_end(start: date | datetime | str, hours: int) -> datetime:
        # An exact duration, counted in UTC so no zone rule can bend it; no day rule applies.
        return (parse_instant(start).astimezone(UTC) + timedelta(hours=hours)).astimezone(TZ)

    def _require(self, year: int) -> None:
        if year not in self._years and not self.is_provisional(year):
            raise UnknownHolidayYear(year)

    def _provisional_holidays(self, year: int) -> Mapping[date, str]:
        found = self._provisional_days.get(year)
        if found is None:
            assert self._provisional is not None
            found = MappingProxyType(dict(self._provisional(year)))
            self._provisional_days[year] = found
        return found

    def _ords(self, year: int) -> tuple[int, ...]:
        found = self._year_ords.get(year)
        if found is None:
            self._require(year)
            found = self._ordinals(year, self._provisional_holidays(year), {})
            self._year_ords[year] = found  # a benign race: both threads compute the same
        return found

    def _working_day_on_or_after(self, first: date, k: int) -> tuple[date, tuple[int, ...]]:
        """The (k+1)-th working day on or after `first`, and the years examined to find it."""
        year = first.year
        target = first.toordinal()
        examined: list[int] = []
        while True:
            if year >= MAXYEAR:
                raise UnknownHolidayYear(year)
            ords = self._ords(year)
            examined.append(year)
            i = bisect_left(ords, target) + k
            if i < len(ords):
                return date.fromordinal(ords[i]), tuple(examined)
            k = i - len(ords)
            year += 1
            target = date(year, 1, 1).toordinal()


def packaged_schedules() -> tuple[dict[date, str], dict[date, str], set[int]]:
    """The official schedules the chinese_calendar package ships: holidays, make-up days, and
    the years covered (a year counts only if its schedule is there from 元旦 to 国庆)."""
    names: dict[str, str] = {h.value: h.chinese for h in _cc.Holiday}
    holidays: dict[date, str] = {d: names.get(v, v) for d, v in _cc.holidays.items()}
    workdays: dict[date, str] = {d: names.get(v, v) + "调休" for d, v in _cc.workdays.items()}
    years = {
        d.year
        for d in holidays
        if date(d.year, 1, 1) in holidays and date(d.year, 10, 1) in holidays
    }
    holidays = {d: n for d, n in holidays.items() if d.year in years}
    workdays = {d: n for d, n in workdays.items() if d.year in years}
    return holidays, workdays, years


def _read_extra(path: Path) -> list[tuple[int, dict[date, str], dict[date, str]]]:
    """Parse and check an administrator's schedule file; any flaw names the file and the day."""

    def fail(problem: str) -> ValueError:
        return ValueError(f"holiday file {path}: {problem}")

    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise fail(f"cannot read JSON ({exc})") from exc
    entries = raw if isinstance(raw, list) else [raw]
    out: list[tuple[int, dict[date, str], dict[date, str]]] = []
    seen: set[int] = set()
    for pos, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise fail(f"entry {pos} is not an object")
        extra_keys = set(entry) - {"year", "holidays", "workdays"}
        if extra_keys:
            raise fail(f"entry {pos}: unknown keys {sorted(extra_keys)}")
        year = entry.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not MINYEAR < year < MAXYEAR:
            raise fail(f"entry {pos}: 'year' must be an integer year, not {year!r}")
        if year in seen:
            raise fail(f"year {year} appears twice")
        seen.add(year)
        days: list[dict[date, str]] = []
        for key in ("holidays", "workdays"):
            table = entry.get(key, {})
            if not isinstance(table, dict):
                raise fail(f"{year}: '{key}' must be an object of date -> name")
            parsed: dict[date, str] = {}
            for text, name in table.items():
                try:
                    day = date.fromisoformat(text)
                except ValueError:
                    raise fail(f"{year} {key}: bad date {text!r}") from None
                if day.year != year:
                    raise fail(f"{year} {key}: {text} is not in {year}")
                if not isinstance(name, str):
                    raise fail(f"{year} {key}: name of {text} must be a string")
                if key == "workdays" and day.weekday() < 5:
                    raise fail(f"{year} workdays: {text} is a weekday, not a make-up day (调休)")
                parsed[day] = name
            days.append(parsed)
        hol, work = days
        if not hol:
            raise fail(f"{year}: no holidays listed (元旦 at least)")
        both = sorted(set(hol) & set(work))
        if both:
            raise fail(f"{year}: {both[0].isoformat()} is both a holiday and a workday")
        out.append((year, hol, work))
    if not out:
        raise fail("no year in file")
    return out
