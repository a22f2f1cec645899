"""A year's statutory holidays as the law fixes them, for years the State Council has not yet
scheduled (暂定, provisional).

全国年节及纪念日放假办法 (2024 revision), Art. 2: 元旦 1 day (1 Jan); 春节 4 days (除夕 and 正月
初一至初三); 清明节 1 day (the day of the 清明 solar term); 劳动节 2 days (1-2 May); 端午节 1 day
(五月初五); 中秋节 1 day (八月十五); 国庆节 3 days (1-3 Oct). Art. 6: a holiday of all citizens that
falls on a Saturday or Sunday is made up on a working day (补假). The State Council's yearly notice
then adds make-up working days (调休) that cannot be known in advance, so a provisional year has
none; its holiday blocks are never shorter than the law's, so a party's period computed on it is
never shorter than the law allows before the official schedule lands.

Lunar dates and the solar term come from lunar-python (a maintained library), never a table.
"""

from __future__ import annotations

from datetime import date, timedelta

from lunar_python import Lunar  # type: ignore[import-untyped]

# lunar-python's tables cover these years reliably; outside them a year stays unknown.
PROVISIONAL_MIN_YEAR = 1950
PROVISIONAL_MAX_YEAR = 2099
_DAY = timedelta(days=1)


def _solar(lunar: Lunar) -> date:
    s = lunar.getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


def statutory_holidays(year: int) -> dict[date, str]:
    """The holiday days of `year` under Art. 2 and the 补假 days of Art. 6, day → name."""
    if not PROVISIONAL_MIN_YEAR <= year <= PROVISIONAL_MAX_YEAR:
        raise ValueError(f"no provisional calendar for {year}")
    spring = _solar(Lunar.fromYmd(year, 1, 1))
    qingming = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    blocks: list[tuple[str, list[date]]] = [
        ("元旦", [date(year, 1, 1)]),
        ("春节", [spring - _DAY, spring, spring + _DAY, spring + 2 * _DAY]),
        ("清明节", [date(qingming.getYear(), qingming.getMonth(), qingming.getDay())]),
        ("劳动节", [date(year, 5, 1), date(year, 5, 2)]),
        ("端午节", [_solar(Lunar.fromYmd(year, 5, 5))]),
        ("中秋节", [_solar(Lunar.fromYmd(year, 8, 15))]),
        ("国庆节", [date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)]),
    ]
    days: dict[date, str] = {}
    for name, block in blocks:
        for d in block:
            days.setdefault(d, name)
    # Art. 6: each holiday day on a weekend is made up on the next free working day after its
    # block (in the order of the year, so overlapping blocks, e.g. 中秋 on 3 Oct, share days).
    for name, block in blocks:
        owed = sum(1 for d in block if d.weekday() >= 5)
        day = max(block)
        while owed:
            day += _DAY
            if day.weekday() < 5 and day not in days:
                days[day] = f"{name}补假"
                owed -= 1
    return {d: n for d, n in sorted(days.items()) if d.year == year}
