"""A case's data written before input was bounded (issue 14 item 5: a 401-digit `area_m2`,
1e308, Infinity) must not break its ledger row, hence every later step of the case and the
ledger's totals: such areas count as 0, sane ones as they are."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.store.ledger_repo import demolished_area, entry_values

AT = datetime(2026, 2, 10, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        (10**400, 0.0),
        (1e308, 0.0),
        (float("inf"), 0.0),
        (float("nan"), 0.0),
        ("1e999", 0.0),
        (-3, 0.0),
        (12.5, 12.5),
        ("30", 30.0),
        (10**15, 1e15),
    ],
)
def test_an_area_the_ledger_cannot_total_counts_as_zero(area: object, expected: float) -> None:
    data = {"area_m2": area, "outcome": "forced_demolished", "demolished_area_m2": area}
    row = entry_values(
        case_id=1,
        case_no="QW-2026-000001",
        parent_case_id=None,
        status="closed",
        stage="closed",
        data=data,
        created_at=AT,
        updated_at=AT,
    )
    assert (row["area_m2"], row["demolished_m2"]) == (expected, expected)
    assert demolished_area({"outcome": "forced_demolished", "area_m2": area}) == expected
