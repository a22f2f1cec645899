"""Shared fixtures: a fixed clock and the paths of the test processes and forms."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from engine.clock import FixedClock

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture
def clock() -> FixedClock:
    # Tuesday 2026-02-10 09:00 in Shanghai: a working day just before the Spring Festival.
    return FixedClock(datetime(2026, 2, 10, 9, 0, tzinfo=SHANGHAI))


def fixture_bpmn(name: str) -> bytes:
    return (FIXTURES / "processes" / name).read_bytes()
