"""The demo campaign (`serve --demo`): cases of the real `enforcement` process opened over the
months before the demo clock, played in time order on a clock of their own, at several stages and
outcomes, with the campaign over their three districts (a few cases here; the demo plays 300)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from engine import services
from engine.bootstrap import App, build
from engine.clock import FixedClock
from engine.config import ClockSettings, Settings
from engine.demo.campaign import CAMPAIGN_NAME, DISTRICTS, seed_campaign
from engine.services.campaigns import list_campaigns
from tests.conftest import ROOT
from tests.integration.conftest import DESIGNER


@pytest.fixture
def played(db_url: str, tmp_path: Path) -> Iterator[tuple[App, int]]:
    settings = Settings(database_url=db_url, forms_dir=ROOT / "forms", secret_key="test")
    settings.files.root = tmp_path / "files"
    until = ClockSettings().start
    clock = FixedClock(until - timedelta(days=400))
    app = build(settings, clock)
    files = {p.name: p.read_bytes() for p in sorted((ROOT / "processes").glob("*.bpmn"))}
    services.deploy_process(app.ctx.uow(), ctx=app.ctx, files=files, actor=DESIGNER)
    opened = seed_campaign(app.ctx, clock, cases=10, until=until, echo=lambda _: None)
    yield app, opened
    app.close()


def test_the_demo_campaign_is_played_through_the_engine(played: tuple[App, int]) -> None:
    app, opened = played
    assert opened == 10
    ctx = app.ctx
    (campaign,) = [c for c in list_campaigns(ctx.uow(read_only=True), ctx=ctx)]
    assert campaign.name == CAMPAIGN_NAME and campaign.districts == list(DISTRICTS)
    cases = services.list_cases(ctx.uow(read_only=True), ctx=ctx, page_size=100).items
    assert len(cases) >= 10
    assert campaign.totals["cases"] == len(cases)
    stages = {c.stage for c in cases}
    assert len(stages) >= 3, stages
    # 结案 once the process closed the case, even while it waits for the re-inspection.
    closed = [c for c in cases if c.data.get("closed_on")]
    assert campaign.totals["closed"] == len(closed) > 0
    # Every way a case ends: by the party, with help, by force after the remedy windows (URPL)
    # or on the court's order (land law), and a building confiscated and handed over.
    outcomes = Counter(c.data["outcome"] for c in closed if c.parent_case_id is None)
    assert set(outcomes) == {
        "self_demolished",
        "assisted_demolished",
        "forced_demolished",
        "confiscated",
    }
    forced = [c for c in closed if c.data["outcome"] == "forced_demolished"]
    assert "LAL77" in {c.data["legal_basis"] for c in forced}
    assert campaign.by_mode["forced"] == outcomes["forced_demolished"] >= 2
    assert campaign.by_mode["confiscated"] == outcomes["confiscated"] >= 1
    assert campaign.totals["demolished_m2"] > 0
    opened_days = {c.created_at.date() for c in cases}
    assert len(opened_days) >= 5  # spread over months, not one minute
    assert ctx.clock.now() == ClockSettings().start
    for c in cases:
        assert services.verify_case(ctx.uow(read_only=True), ctx=ctx, case_id=c.id).valid
    # Idempotent: a second start adds nothing.
    assert seed_campaign(ctx, ctx.clock, cases=10, until=ctx.clock.now()) == 0  # type: ignore[arg-type]
