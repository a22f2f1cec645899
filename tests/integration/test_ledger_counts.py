"""The ledger's kept counts (both databases) are exactly what a scan of the ledger rows gives.

Real cases are driven through the engine over fifteen months — opened, investigated, decided,
closed as demolished or as no violation, a rebuild found — and at every point a campaign's
progress read from the counts (`get_campaign`) must equal the same progress computed by
scanning every ledger row (`get_campaign(scan=True)`, the former query kept as the reference),
for campaigns whose dates fall on whole years, whole months and partial months. Recounting from
scratch (`rebuild_counts`, the migration's back-fill) must give the very counts the steps kept.
Two steps on different cases of the same district and month must not lose an update."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from engine import services
from engine.bootstrap import App
from engine.clock import FixedClock
from engine.services.campaigns import (
    CampaignSpec,
    TargetSpec,
    as_dict,
    create_campaign,
    get_campaign,
)
from engine.services.views import CaseView
from engine.store.ledger_repo import (
    CN,
    COUNT_KEYS,
    WEEK_KEYS,
    LedgerRepository,
    entry_values,
    rebuild_counts,
    split_period,
)
from engine.store.migrate import alembic_config, check, upgrade
from engine.store.models import LedgerCount, LedgerEntry, LedgerWeekCount
from tests.integration.conftest import HEAD, OFFICER
from tests.integration.helpers import complete

pytestmark = pytest.mark.usefixtures("mini")


def at(clock: FixedClock, day: date, hour: int = 10) -> None:
    clock.set(datetime(day.year, day.month, day.day, hour, tzinfo=CN))


def open_case(app: App, district: str, area: float, **data: Any) -> CaseView:
    intake = {"address": f"{district}某路{area}号", "district": district, "area_m2": area, **data}
    return services.open_case(
        app.ctx.uow(), ctx=app.ctx, actor=OFFICER, process_key="mini_case", data=intake
    )


def investigate(app: App, case: CaseView, area: float) -> CaseView:
    return complete(app, case, {"classification": "not_correctable", "area_m2": area})


def demolish(app: App, case: CaseView) -> CaseView:
    """(investigated) → decide → serve → the party demolished: closed, self-demolished."""
    case = complete(app, case, {"compliance_days": 10}, actor=HEAD)
    served = app.ctx.clock.now().astimezone(CN).date().isoformat()
    case = complete(app, case, {"service_method": "direct", "served_at": served})
    return services.send_message(
        app.ctx.uow(), ctx=app.ctx, actor=OFFICER, case_id=case.id, name="party_demolished", data={}
    )


def campaign(app: App, name: str, first: date, last: date) -> int:
    spec = CampaignSpec(
        name=name,
        starts_on=first,
        ends_on=last,
        districts=["甲区", "乙区"],
        targets=[
            TargetSpec("area_demolished_m2", 100.0, last),
            TargetSpec("cases_closed", 5, last),
            TargetSpec("share_demolished", 0.5, last),
        ],
    )
    return create_campaign(app.ctx.uow(), ctx=app.ctx, actor=HEAD, spec=spec).id


def assert_counts_equal_the_scan(app: App, ids: list[int]) -> list[dict[str, Any]]:
    views = []
    for cid in ids:
        counted = as_dict(get_campaign(app.ctx.uow(read_only=True), ctx=app.ctx, campaign_id=cid))
        scanned = as_dict(
            get_campaign(app.ctx.uow(read_only=True), ctx=app.ctx, campaign_id=cid, scan=True)
        )
        assert counted == scanned, cid
        views.append(counted)
    return views


def kept_counts(app: App) -> tuple[dict[tuple[Any, ...], tuple[Any, ...]], ...]:
    """Both count tables as {key: numbers}, without rows every case has left (all zero)."""
    out = []
    with Session(app.engine) as s:
        for model, keys, values in (
            (LedgerCount, COUNT_KEYS, ("cases", "closed")),
            (LedgerWeekCount, WEEK_KEYS, ("cases",)),
        ):
            table: dict[tuple[Any, ...], tuple[Any, ...]] = {}
            for row in s.scalars(select(model)).all():
                numbers = tuple(getattr(row, c) for c in values) + tuple(
                    round(getattr(row, c), 6)
                    for c in ("found_m2", "demolished_m2", "m2")
                    if hasattr(row, c)
                )
                if any(numbers):
                    table[tuple(getattr(row, k) for k in keys)] = numbers
            out.append(table)
    return out[0], out[1]


def test_split_period_into_years_months_and_edge_days() -> None:
    assert split_period(date(2025, 11, 20), date(2027, 2, 10)) == (
        [date(2026, 1, 1)],
        [date(2025, 12, 1), date(2027, 1, 1)],
        [(date(2025, 11, 20), date(2025, 11, 30)), (date(2027, 2, 1), date(2027, 2, 10))],
    )
    assert split_period(date(2026, 1, 1), date(2026, 12, 31)) == ([date(2026, 1, 1)], [], [])
    assert split_period(date(2026, 3, 5), date(2026, 3, 20)) == (
        [],
        [],
        [(date(2026, 3, 5), date(2026, 3, 20))],
    )


def test_campaign_progress_from_the_counts_equals_the_scan(app: App, clock: FixedClock) -> None:
    at(clock, date(2025, 11, 1))
    ids = [
        campaign(app, "跨年行动", date(2025, 11, 20), date(2027, 2, 10)),  # edges, months, a year
        campaign(app, "2026年度", date(2026, 1, 1), date(2026, 12, 31)),  # one whole year
        campaign(app, "春夏整治", date(2026, 3, 1), date(2026, 7, 31)),  # whole months
        campaign(app, "三月四天", date(2026, 3, 2), date(2026, 3, 5)),  # days only
    ]

    at(clock, date(2025, 11, 10))
    open_case(app, "甲区", 99.0)  # before the first campaign
    at(clock, date(2025, 11, 25))
    a1 = investigate(app, open_case(app, "甲区", 10.0, village="一村"), 20.5)
    at(clock, date(2025, 12, 10))
    a2 = open_case(app, "甲区", 7.25, village="二村")
    b1 = investigate(app, open_case(app, "乙区", 3.0), 5.25)
    first = assert_counts_equal_the_scan(app, ids)
    assert first[0]["totals"]["cases"] == 3 and first[0]["totals"]["found_m2"] == 33.0

    at(clock, date(2026, 3, 1))  # a Sunday: the spring campaign's first week is cut by its start
    open_case(app, "乙区", 2.5)
    at(clock, date(2026, 3, 2))
    a3 = investigate(app, open_case(app, "甲区", 4.0, village="一村"), 4.0)
    a1 = demolish(app, a1)
    assert a1.status == "closed"
    # closed, nothing demolished
    complete(app, a2, {"classification": "no_violation", "area_m2": 7.25})
    at(clock, date(2026, 3, 3))
    a5 = open_case(app, "甲区", 1.5)
    assert_counts_equal_the_scan(app, ids)
    at(clock, date(2026, 3, 6))  # after the four-day campaign's end, in its last week
    complete(app, a5, {"classification": "no_violation", "area_m2": 1.5})
    assert_counts_equal_the_scan(app, ids)

    at(clock, date(2026, 7, 15))
    b2 = open_case(app, "乙区", 12.5)
    b1 = demolish(app, b1)
    at(clock, date(2026, 7, 20))
    parent = services.send_message(
        app.ctx.uow(),
        ctx=app.ctx,
        actor=OFFICER,
        case_id=a1.id,
        name="rebuilt_found",
        data={"area_m2": 8.0},
    )
    assert len(parent.linked_cases) == 1  # a rebuild: a new case in 甲区 linked to a1
    a6 = open_case(app, "乙区", 3.5)
    at(clock, date(2026, 8, 1))  # a Saturday, after the spring campaign's end, in its last week
    complete(app, a6, {"classification": "no_violation", "area_m2": 3.5})
    mid = assert_counts_equal_the_scan(app, ids)
    assert mid[1]["totals"]["rebuilt"] == 1

    at(clock, date(2027, 1, 5))
    open_case(app, "甲区", 2.0, village="三村")
    b2 = complete(app, investigate(app, b2, 12.5), {"compliance_days": 10}, actor=HEAD)
    # served: the party's period runs (a timer no worker fires here: overdue once passed)
    complete(app, b2, {"service_method": "direct", "served_at": "2027-01-05"})
    at(clock, date(2027, 2, 3))
    open_case(app, "乙区", 6.0)
    open_case(app, "丁区", 50.0)  # not a campaign district
    a3 = demolish(app, a3)
    at(clock, date(2027, 2, 20))
    open_case(app, "甲区", 1.0)  # after the first campaign
    # Deadlines passed by now (overdue is read at now, not counted): a week later, and later.
    for day in (date(2027, 2, 27), date(2027, 6, 1)):
        at(clock, day)
        last = assert_counts_equal_the_scan(app, ids)
    assert last[0]["totals"]["cases"] == 11
    assert last[0]["totals"]["closed"] == 6
    assert last[0]["totals"]["overdue"] >= 1

    # Whatever day it is (a Monday, a Sunday, inside or after a campaign), the weeks cut by
    # the trend's and the projection's dates are read by day and the rest from the counts.
    for day in [date(2026, 3, 1) + timedelta(days=n) for n in range(0, 15)] + [
        date(2026, 7, 19),
        date(2026, 7, 20),
        date(2026, 8, 10),
        date(2026, 9, 20),
        date(2027, 2, 1),  # a3 demolished on Wednesday 3 Feb, after today, in today's week
        date(2027, 2, 2),
        date(2027, 2, 8),
        date(2027, 2, 10),
        date(2027, 3, 1),  # the trailing window starts on Tuesday 2 Feb: the week is cut
        date(2027, 3, 2),
        date(2027, 2, 11),
        date(2027, 3, 14),
    ]:
        at(clock, day, hour=23)
        assert_counts_equal_the_scan(app, ids)
    at(clock, date(2027, 6, 1))

    # Recounting every ledger row gives the counts the steps kept, and the same progress.
    kept = kept_counts(app)
    with Session(app.engine) as s, s.begin():
        rebuild_counts(s)
    assert kept_counts(app) == kept
    assert assert_counts_equal_the_scan(app, ids) == last


def test_two_steps_of_one_district_and_month_do_not_lose_an_update(
    app: App, clock: FixedClock
) -> None:
    """The second writer waits on the first's count row (PostgreSQL: the row lock of ON CONFLICT
    DO UPDATE; SQLite: the database lock), then adds to what the first committed."""
    at(clock, date(2026, 3, 2))
    cases = [open_case(app, "甲区", 10.0, village="一村") for _ in range(2)]
    now = clock.now()

    def rewrite(case_id: int, hold: threading.Event | None, done: threading.Event) -> None:
        with Session(app.engine) as s, s.begin():
            row = s.get(LedgerEntry, case_id)
            assert row is not None
            LedgerRepository(s).upsert(
                entry_values(
                    case_id=case_id,
                    case_no=row.case_no,
                    parent_case_id=None,
                    status="open",
                    stage="decision",
                    data={"district": "甲区", "village": "一村", "area_m2": 10.0},
                    created_at=row.opened_at,
                    updated_at=now,
                )
            )
            done.set()
            if hold is not None:
                assert hold.wait(10)

    first_wrote, second_wrote, release = threading.Event(), threading.Event(), threading.Event()
    one = threading.Thread(target=rewrite, args=(cases[0].id, release, first_wrote))
    one.start()
    assert first_wrote.wait(10)  # the first transaction holds its count rows, uncommitted
    two = threading.Thread(target=rewrite, args=(cases[1].id, None, second_wrote))
    two.start()
    assert not second_wrote.wait(0.5)  # the second waits for them …
    release.set()
    one.join(10)
    two.join(10)
    assert second_wrote.is_set()  # … and then adds to them
    with Session(app.engine) as s:
        decision = s.scalars(
            select(LedgerCount.cases).where(
                LedgerCount.grain == "M",
                LedgerCount.dim == "stage",
                LedgerCount.value == "decision",
            )
        ).all()
    assert decision == [2]
    kept = kept_counts(app)
    with Session(app.engine) as s, s.begin():
        rebuild_counts(s)
    assert kept_counts(app) == kept


def test_the_daily_window_and_the_edges_are_read_by_day(app: App, clock: FixedClock) -> None:
    """A case closed inside the four weeks before today counts in the projection's rate the same
    way whether the campaign's days are counted or scanned, also when today is a Monday."""
    at(clock, date(2026, 3, 30))  # a Monday
    cid = campaign(app, "三月", date(2026, 3, 4), date(2026, 12, 31))
    case = investigate(app, open_case(app, "甲区", 30.0), 30.0)
    demolish(app, case)
    at(clock, date(2026, 3, 31))
    view = assert_counts_equal_the_scan(app, [cid])[0]
    assert view["totals"]["demolished_m2"] == 30.0
    area = next(p for p in view["progress"] if p["metric"] == "area_demolished_m2")
    assert area["rate_per_day"] > 0  # the demolition on 30 March is in the trailing window
    at(clock, date(2026, 3, 30) + timedelta(days=60))
    assert_counts_equal_the_scan(app, [cid])


def test_migration_0013_back_fills_the_counts_from_the_ledger_rows(
    app: App, clock: FixedClock, db_url: str
) -> None:
    """A database whose cases predate the counts: 0013 fills them from the ledger rows with the
    numbers the steps would have kept; the models and the migrations agree (alembic check)."""
    at(clock, date(2026, 3, 2))
    case = investigate(app, open_case(app, "甲区", 10.0, village="一村"), 12.5)
    demolish(app, case)
    open_case(app, "乙区", 3.0)
    kept = kept_counts(app)
    assert kept[0] and kept[1]
    app.engine.dispose()
    command.downgrade(alembic_config(db_url), "0013-1")
    with app.engine.connect() as c:
        assert "ledger_counts" not in inspect(c).get_table_names()
    upgrade(db_url)
    app.engine.dispose()
    assert kept_counts(app) == kept
    check(db_url)
