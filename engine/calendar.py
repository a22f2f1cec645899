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
  A year without a loaded schedule is an error (design rule), never "weekends only".

Pure: stdlib plus the data of `chinese_calendar`. Instances are immutable, hence thread-safe.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar as _cc

TZ = ZoneInfo("Asia/Shanghai")
UNITS = ("CD", "WD", "M", "Y", "H")
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
            f"no statutory holiday schedule is loaded for {year}; load the State Council "
            f"schedule for {year} via QINGWEI_HOLIDAYS_FILE"
        )

    def __reduce__(self) -> tuple[type[UnknownHolidayYear], tuple[int]]:
        return (type(self), (self.year,))


class PeriodError(ValueError):
    """A period text (a BPMN extension property) that is not `<amount> <unit>`."""


@dataclass(frozen=True, slots=True)
class Period:
    """A legal period: CD calendar days, WD working days, M months, Y years, H hours.

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


class StatutoryCalendar:
    """Working days per the State Council schedules of the known years, nothing outside them."""

    def __init__(
        self,
        holidays: Mapping[date, str],
        workdays: Mapping[date, str],
        known_years: Iterable[int],
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
        ords: list[int] = []
        for year in sorted(years):
            day = date(year, 1, 1)
            while day.year == year:
                if day in workdays or (day.weekday() < 5 and day not in holidays):
                    ords.append(day.toordinal())
                day += _DAY
        # Sorted ordinals of every working day: the n-th working day is a bisect, not a walk.
        self._work_ords = tuple(ords)
        self._work_set = frozenset(ords)

    @classmethod
    def load(cls, extra_file: str | Path | None = None) -> StatutoryCalendar:
        """The packaged schedules (chinese_calendar), then an administrator's file on top.

        The State Council publishes next year's schedule around November; the extra file
        (QINGWEI_HOLIDAYS_FILE) lets it take effect without a release. A year in that file
        replaces the packaged data of that year entirely.
        """
        names: dict[str, str] = {h.value: h.chinese for h in _cc.Holiday}
        holidays: dict[date, str] = {d: names.get(v, v) for d, v in _cc.holidays.items()}
        workdays: dict[date, str] = {d: names.get(v, v) + "调休" for d, v in _cc.workdays.items()}
        # A year counts as covered only if its schedule is there from 元旦 to 国庆.
        years = {
            d.year
            for d in holidays
            if date(d.year, 1, 1) in holidays and date(d.year, 10, 1) in holidays
        }
        if extra_file is not None:
            for year, hol, work in _read_extra(Path(extra_file)):
                holidays = {d: n for d, n in holidays.items() if d.year != year} | hol
                workdays = {d: n for d, n in workdays.items() if d.year != year} | work
                years.add(year)
        return cls(holidays, workdays, years)

    def known_years(self) -> frozenset[int]:
        return self._years

    def holiday_name(self, day: date) -> str | None:
        """The statutory holiday on `day` (e.g. 国庆节), for refusals under ACL Art. 43(1)."""
        self._require(day.year)
        return self._holidays.get(day)

    def is_working_day(self, day: date) -> bool:
        self._require(day.year)
        return day.toordinal() in self._work_set

    def is_rest_day(self, day: date) -> bool:
        return not self.is_working_day(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (start not counted, CPL Art. 85)."""
        if n < 0:
            raise ValueError(f"working days must be >= 0, not {n}")
        return start if n == 0 else self._working_day_on_or_after(start + _DAY, n - 1)

    def last_day(self, start: date | datetime | str, period: Period | str) -> date:
        p = period if isinstance(period, Period) else Period.parse(period)
        if p.unit == "H":
            return self._hours_end(start, p.amount).date()
        day = _start_day(start)
        if p.unit == "WD":
            return self.add_working_days(day, p.amount)
        if p.unit == "CD":
            if day.toordinal() + p.amount > date.max.toordinal():
                raise UnknownHolidayYear(MAXYEAR + 1)
            end = day + timedelta(days=p.amount)
        else:
            end = _add_months(day, p.amount * (12 if p.unit == "Y" else 1))
        # CPL Art. 85: a last day that is a rest day moves to the first working day after it.
        return self._working_day_on_or_after(end, 0)

    def deadline(self, start: date | datetime | str, period: Period | str) -> datetime:
        """24:00 Shanghai of the last day (民法典 Art. 203), i.e. 00:00 of the next day, aware."""
        p = period if isinstance(period, Period) else Period.parse(period)
        if p.unit == "H":
            return self._hours_end(start, p.amount)
        return datetime.combine(self.last_day(start, p) + _DAY, time(0), tzinfo=TZ)

    @staticmethod
    def _hours_end(start: date | datetime | str, hours: int) -> datetime:
        # An exact duration, counted in UTC so no zone rule can bend it; no day rule applies.
        return (parse_instant(start).astimezone(UTC) + timedelta(hours=hours)).astimezone(TZ)

    def _require(self, year: int) -> None:
        if year not in self._years:
            raise UnknownHolidayYear(year)

    def _working_day_on_or_after(self, first: date, k: int) -> date:
        """The (k+1)-th working day on or after `first`; every year it passes must be known."""
        self._require(first.year)
        i = bisect_left(self._work_ords, first.toordinal()) + k
        if i < len(self._work_ords):
            found = date.fromordinal(self._work_ords[i])
            # A gap between loaded years (2026, 2028) must not be skipped silently.
            for year in range(first.year + 1, found.year + 1):
                self._require(year)
            return found
        year = first.year
        while year in self._years:
            year += 1
        raise UnknownHolidayYear(year)


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
