"""The ledger projection, campaigns and rebuilt structures through the real use cases (both
databases): a rebuilt structure opens a linked case the ledger counts; a campaign's progress,
projection and ranking follow the cases; ledger filters and exports honour them."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from engine import services
from engine.bootstrap import App
from engine.clock import FixedClock
from engine.errors import PermissionDenied, ValidationFailed
from engine.services.campaigns import (
    CampaignSpec,
    PhaseSpec,
    TargetSpec,
    create_campaign,
    get_campaign,
    update_campaign,
)
from engine.services.ledger import LedgerQuery, ledger_csv, ledger_page, ledger_xlsx
from engine.services.views import CaseView
from tests.integration.conftest import HEAD, OFFICER
from tests.integration.helpers import complete

pytestmark = pytest.mark.usefixtures("mini")


def open_at(app: App, clock: FixedClock, day: date, **data: Any) -> CaseView:
    clock.set(clock.now().replace(year=day.year, month=day.month, day=day.day))
    intake = {"address": f"{data.get('district', '甲区')}某路{day}", "area_m2": 10.0, **data}
    return services.open_case(
        app.ctx.uow(), ctx=app.ctx, actor=OFFICER, process_key="mini_case", data=intake
    )


def demolish(app: App, case: CaseView, area: float | None = None) -> CaseView:
    """investigate → decide → serve → the party demolished (outcome self_demolished)."""
    case = complete(app, case, {"classification": "not_correctable", "area_m2": area or 10.0})
    case = complete(app, case, {"compliance_days": 10}, actor=HEAD)
    case = complete(app, case, {"service_method": "direct", "served_at": "2026-02-10"})
    return services.send_message(
        app.ctx.uow(), ctx=app.ctx, actor=OFFICER, case_id=case.id, name="party_demolished", data={}
    )


def spec(**changes: Any) -> CampaignSpec:
    base: dict[str, Any] = {
        "name": "XX镇清违行动",
        "starts_on": date(2026, 3, 1),
        "ends_on": date(2026, 12, 31),
        "districts": ["甲区", "乙区", "丙区"],
        "targets": [
            TargetSpec("area_demolished_m2", 40.0, date(2026, 6, 20)),
            TargetSpec("share_demolished", 0.6, date(2026, 6, 20)),
            TargetSpec("cases_closed", 100, date(2026, 9, 10)),
        ],
        "phases": [
            PhaseSpec("宣传发动", date(2026, 3, 1), date(2026, 3, 31)),
            PhaseSpec("集中整治", date(2026, 4, 1), date(2026, 9, 10)),
        ],
        "villages": {"甲区": ["一村", "二村"]},
        "units": {"甲区": "甲区城管执法队"},
    }
    return CampaignSpec(**{**base, **changes})


def test_a_rebuilt_structure_opens_a_linked_case_the_ledger_counts(
    app: App, clock: FixedClock
) -> None:
    closed = demolish(
        app,
        open_at(
            app,
            clock,
            date(2026, 3, 2),
            district="甲区",
            village="一村",
            party_name="张某",
            party_known=True,
        ),
    )
    assert (closed.status, closed.data["outcome"]) == ("closed", "self_demolished")
    clock.advance(timedelta(days=40))
    parent = services.send_message(
        app.ctx.uow(),
        ctx=app.ctx,
        actor=OFFICER,
        case_id=closed.id,
        name="rebuilt_found",
        data={"area_m2": 8.0},
    )
    assert len(parent.linked_cases) == 1
    child = services.get_case(app.ctx.uow(read_only=True), case_id=parent.linked_cases[0])
    assert child.parent_case_id == closed.id
    assert child.status == "open"
    assert {k: child.data[k] for k in ("address", "district", "village", "party_name")} == {
        k: closed.data[k] for k in ("address", "district", "village", "party_name")
    }
    assert child.data["source"] == "reinspection" and child.data["area_m2"] == 8.0
    again = services.get_case(app.ctx.uow(read_only=True), case_id=closed.id)
    assert again.linked_cases == [child.id]
    parent_trail = services.case_trail(app.ctx.uow(read_only=True), case_id=closed.id)
    linked = [e for e in parent_trail if e.action == "linked_case_opened"]
    assert linked and linked[0].data["case_id"] == child.id
    child_trail = services.case_trail(app.ctx.uow(read_only=True), case_id=child.id)
    assert child_trail[0].action == "case_opened"
    assert child_trail[0].data["parent_case_id"] == closed.id
    for cid in (closed.id, child.id):
        assert services.verify_case(app.ctx.uow(read_only=True), ctx=app.ctx, case_id=cid).valid
    stats = services.ledger_stats(app.ctx.uow(read_only=True), ctx=app.ctx)
    assert stats.rebuilt == 1 and stats.total == 2
    campaign = create_campaign(app.ctx.uow(), ctx=app.ctx, actor=HEAD, spec=spec())
    by = {d.district: d for d in campaign.by_district}
    assert by["甲区"].rebuilt == 1 and by["甲区"].cases == 2
    rows = ledger_page(
        app.ctx.uow(read_only=True),
        ctx=app.ctx,
        query=LedgerQuery(rebuilt=True),
        page=1,
        page_size=10,
    )
    assert [r.case_id for r in rows.items] == [child.id]


def test_rebuilt_found_on_an_open_case_not_waiting_for_it_is_refused(
    app: App, clock: FixedClock
) -> None:
    case = open_at(app, clock, date(2026, 3, 2), district="甲区")
    from engine.errors import NotWaitingForMessage

    with pytest.raises(NotWaitingForMessage):
        services.send_message(
            app.ctx.uow(),
            ctx=app.ctx,
            actor=OFFICER,
            case_id=case.id,
            name="rebuilt_found",
            data={},
        )
    assert services.get_case(app.ctx.uow(read_only=True), case_id=case.id).linked_cases == []


def test_campaign_progress_projection_and_ranking(app: App, clock: FixedClock) -> None:
    # 甲区: 3 cases (2 demolished, 10 + 20 m² of 40 found); 乙区: 2 cases, 1 demolished (5/15);
    # 丙区: one open case; a case in 丁区 and one opened before the campaign do not count.
    a1 = open_at(app, clock, date(2026, 3, 2), district="甲区", village="一村")
    a2 = open_at(app, clock, date(2026, 3, 3), district="甲区", village="二村", area_m2=20.0)
    open_at(app, clock, date(2026, 3, 4), district="甲区", village="一村")
    b1 = open_at(app, clock, date(2026, 3, 5), district="乙区", area_m2=5.0)
    open_at(app, clock, date(2026, 3, 5), district="乙区", area_m2=10.0)
    open_at(app, clock, date(2026, 3, 6), district="丙区", area_m2=7.0)
    open_at(app, clock, date(2026, 3, 6), district="丁区", area_m2=99.0)
    open_at(app, clock, date(2026, 2, 27), district="甲区", area_m2=99.0)
    clock.set(clock.now().replace(month=3, day=10))
    demolish(app, a1)
    demolish(app, a2, area=20.0)
    demolish(app, b1, area=5.0)

    c = create_campaign(app.ctx.uow(), ctx=app.ctx, actor=HEAD, spec=spec())
    assert c.totals["cases"] == 6 and c.totals["closed"] == 3
    assert c.totals["found_m2"] == pytest.approx(10 + 20 + 10 + 5 + 10 + 7)
    assert c.totals["demolished_m2"] == pytest.approx(35)
    assert c.current_phase == "宣传发动"
    assert [d.district for d in c.by_district] == ["甲区", "乙区", "丙区"]  # by share demolished
    jia = c.by_district[0]
    assert (jia.rank, jia.cases, jia.closed, jia.found_m2, jia.demolished_m2) == (1, 3, 2, 40, 30)
    assert jia.unit == "甲区城管执法队" and jia.modes["self"] == 2
    assert {v["village"]: v["cases"] for v in jia.villages} == {"一村": 2, "二村": 1}
    progress = {p.metric: p for p in c.progress}
    area = progress["area_demolished_m2"]
    # 35 m² so far, all demolished within the 10 days since the start: 3.5 m²/day carried to
    # 20 June reaches 40 well before; 100 closed cases by September at 0.3 a day does not.
    assert area.value == 35 and area.on_track and area.projected > 40
    closed = progress["cases_closed"]
    assert closed.value == 3 and not closed.on_track
    share = progress["share_demolished"]
    assert share.value == pytest.approx(35 / 62, abs=1e-4)
    assert sum(w["demolished_m2"] for w in c.trend) == pytest.approx(35)
    assert c.trend[-1]["cumulative_m2"] == pytest.approx(35)
    assert c.by_mode["self"] == 3
    assert c.waiting_longest[0].district == "甲区"

    # After the target date, nothing projected: 35 < 40 is behind.
    clock.set(clock.now().replace(month=6, day=21))
    later = get_campaign(app.ctx.uow(read_only=True), ctx=app.ctx, campaign_id=c.id)
    assert not {p.metric: p for p in later.progress}["area_demolished_m2"].on_track


def test_campaign_changes_are_validated_audited_and_for_the_head_only(
    app: App, clock: FixedClock
) -> None:
    with pytest.raises(PermissionDenied):
        create_campaign(app.ctx.uow(), ctx=app.ctx, actor=OFFICER, spec=spec())
    with pytest.raises(ValidationFailed) as bad:
        create_campaign(
            app.ctx.uow(),
            ctx=app.ctx,
            actor=HEAD,
            spec=spec(
                ends_on=date(2026, 2, 1),
                targets=[TargetSpec("share_demolished", 60, date(2026, 6, 20))],
            ),
        )
    locs = {tuple(e.loc) for e in bad.value.errors}
    assert ("body", "ends_on") in locs and ("body", "targets", 0, "value") in locs
    c = create_campaign(app.ctx.uow(), ctx=app.ctx, actor=HEAD, spec=spec())
    changed = update_campaign(
        app.ctx.uow(),
        ctx=app.ctx,
        actor=HEAD,
        campaign_id=c.id,
        spec=spec(districts=["甲区", "乙区"], units={}, villages={}),
        version=1,
    )
    assert changed.version == 2 and changed.districts == ["甲区", "乙区"]
    trail = services.system_trail(app.ctx.uow(read_only=True))
    actions = [e.action for e in trail if e.action.startswith("campaign_")]
    assert actions == ["campaign_created", "campaign_changed"]
    last = next(e for e in reversed(trail) if e.action == "campaign_changed")
    assert last.data["before"]["districts"] == ["甲区", "乙区", "丙区"]
    assert last.actor == "head1"
    assert services.verify_system(app.ctx.uow(read_only=True), ctx=app.ctx).valid


def test_ledger_filters_and_exports_honour_them(app: App, clock: FixedClock) -> None:
    a = open_at(
        app,
        clock,
        date(2026, 3, 2),
        district="甲区",
        village="一村",
        party_name="李某",
        party_known=True,
    )
    open_at(app, clock, date(2026, 3, 9), district="乙区")
    demolish(app, a)
    query = LedgerQuery(district="甲区", mode="self")
    page = ledger_page(app.ctx.uow(read_only=True), ctx=app.ctx, query=query, page=1, page_size=5)
    assert [r.case_no for r in page.items] == [a.case_no] and page.total == 1
    by_date = LedgerQuery(opened_from=date(2026, 3, 9), opened_to=date(2026, 3, 9))
    assert (
        ledger_page(app.ctx.uow(read_only=True), ctx=app.ctx, query=by_date, page=1, page_size=5)
        .items[0]
        .district
        == "乙区"
    )

    text = ledger_csv(app.ctx.uow(read_only=True), ctx=app.ctx, query=query)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["序号", "案件编号", "地址", "当事人"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["案件编号"], row["当事人"], row["处置方式"], row["状态"]) == (
        a.case_no,
        "李某",
        "自行拆除",
        "已结案",
    )
    assert row["发现日期"] == "2026-03-02" and row["更新时间"].endswith("+08:00")

    out = io.BytesIO()
    assert ledger_xlsx(app.ctx.uow(read_only=True), ctx=app.ctx, query=query, out=out) == 1
    sheet = load_workbook(io.BytesIO(out.getvalue()), read_only=True)["台账"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("序号", "案件编号", "地址") and values[1][1] == a.case_no
    assert len(values) == 2
