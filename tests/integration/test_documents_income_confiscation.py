"""The 行政处罚决定书 says what a confiscation takes (URPL Art. 64: 没收实物或者违法收入), on
SQLite and PostgreSQL: the illegal income and its amount when the decision confiscates the
income, the building and its extent when it confiscates the building — never both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.bootstrap import App
from engine.clock import FixedClock
from tests.integration.test_documents import real
from tests.integration.test_documents_confiscation_utility import (
    docs,
    text_of,
    to_confiscation_approval,
)
from tests.process import paths as P
from tests.process.driver import Driver

__all__ = ["real"]  # the fixture, shared with test_documents

BUILDING = "临街二层加建商铺（约80平方米）"


def _decide(drv: Driver, **decision: Any) -> None:
    to_confiscation_approval(drv)
    drv.do("confiscation_approval", {"confiscation_approved": True, "confiscated_items": BUILDING})
    P.notice_and_waiver(drv, "2026-02-10", fine=5000)
    P.decide(drv, "penalty_decision", on="2026-02-10", days=15, fine=5000, **decision)


def test_the_decision_states_the_income_confiscated(
    real: tuple[App, FixedClock], tmp_path: Path
) -> None:
    app, clock = real
    drv = Driver(app, clock)
    _decide(
        drv,
        penalty="没收违法收入并处罚款",
        confiscation_object="income",
        illegal_income_amount=80000,
        illegal_income_source="出租违法建筑所得",
    )
    decision = next(d for d in docs(app, drv) if d.kind == "行政处罚决定书")
    text = text_of(app, decision, tmp_path)
    for part in (
        "没收违法收入：出租违法建筑所得，人民币80000.00元",
        "十五日内将没收的违法收入和罚款缴至指定银行",
        "并处罚款人民币5000",
        "不能实施拆除",
    ):
        assert part in text, part
    assert "没收的建筑物、设施及其范围" not in text
    assert "移交" not in text


def test_the_decision_states_the_building_confiscated(
    real: tuple[App, FixedClock], tmp_path: Path
) -> None:
    app, clock = real
    drv = Driver(app, clock)
    _decide(drv, penalty="没收实物并处罚款", confiscation_object="property")
    decision = next(d for d in docs(app, drv) if d.kind == "行政处罚决定书")
    text = text_of(app, decision, tmp_path)
    assert f"没收的建筑物、设施及其范围：{BUILDING}" in text
    assert "没收违法收入" not in text
