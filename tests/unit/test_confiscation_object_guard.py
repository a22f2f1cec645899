"""URPL Art. 64: a building that cannot be demolished loses the building or the illegal income;
the decision says which, and with income how much (APL Art. 59)."""

from __future__ import annotations

import pytest

from engine.guards import confiscation_object_guard


@pytest.mark.parametrize(
    ("classification", "obj", "amount"),
    [
        ("cannot_demolish", None, None),  # the building, by default
        ("cannot_demolish", "property", None),
        ("cannot_demolish", "property", 0),
        ("cannot_demolish", "income", 80000),
        ("cannot_demolish", "income", 0.5),
        ("not_correctable", None, None),
        ("correctable", "", 0),
    ],
)
def test_allowed(classification: str, obj: str | None, amount: float | None) -> None:
    got = confiscation_object_guard(
        classification=classification, confiscation_object=obj, illegal_income_amount=amount
    )
    assert got is None


@pytest.mark.parametrize(
    ("classification", "obj", "amount", "article", "zh"),
    [
        ("cannot_demolish", "income", None, "URPL Art. 64; APL Art. 59", "违法收入金额"),
        ("cannot_demolish", "income", 0, "URPL Art. 64; APL Art. 59", "违法收入金额"),
        ("cannot_demolish", "income", -5, "URPL Art. 64; APL Art. 59", "违法收入金额"),
        ("cannot_demolish", "income", True, "URPL Art. 64; APL Art. 59", "违法收入金额"),
        ("cannot_demolish", "income", float("nan"), "URPL Art. 64; APL Art. 59", "违法收入金额"),
        ("cannot_demolish", "property", 1000, "URPL Art. 64; APL Art. 59", "没收实物"),
        ("cannot_demolish", None, 1000, "URPL Art. 64; APL Art. 59", "没收实物"),
        ("cannot_demolish", "land", None, "URPL Art. 64", "没收对象"),
        ("not_correctable", "income", 1000, "URPL Art. 64", "不能拆除"),
        ("correctable", None, 1000, "URPL Art. 64", "不能拆除"),
    ],
)
def test_refused(
    classification: str, obj: str | None, amount: object, article: str, zh: str
) -> None:
    got = confiscation_object_guard(
        classification=classification, confiscation_object=obj, illegal_income_amount=amount
    )
    assert got is not None
    assert (got.article, got.rule) == (article, "confiscation")
    assert zh in got.reason and " / " in got.reason
