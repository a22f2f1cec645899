"""A case whose deadlines fail to recompute (its process breaks) is logged and skipped: the
cases after it are still recomputed, by a holiday load or by the worker's sweep (issue 14)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy.exc import OperationalError

from engine.services import calendars


def test_one_failing_case_does_not_stop_the_recompute_of_the_others(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[int] = []

    def recompute(ctx: object, case_id: int) -> int:
        seen.append(case_id)
        if case_id == 2:
            raise ValueError("坏数据 bad data")
        return 3

    monkeypatch.setattr(calendars, "_recompute_case", recompute)
    assert calendars._recompute_cases(SimpleNamespace(), [1, 2, 3]) == (2, 6)  # type: ignore[arg-type]
    assert seen == [1, 2, 3]
    assert "case 2: deadlines not recomputed" in caplog.text


def test_a_database_failure_still_ends_the_recompute(monkeypatch: pytest.MonkeyPatch) -> None:
    def down(ctx: object, case_id: int) -> int:
        raise OperationalError("select", {}, Exception("connection refused"))

    monkeypatch.setattr(calendars, "_recompute_case", down)
    with pytest.raises(OperationalError):
        calendars._recompute_cases(SimpleNamespace(), [1, 2])  # type: ignore[arg-type]
