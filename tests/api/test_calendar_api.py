"""The holiday calendar and overdue duties over HTTP, on the real enforcement process, on both
databases: a case filed on 2026-12-01 is not blocked by 2027; its 2027 deadlines are 暂定;
an admin loads 2027; a lapsed 7 WD service deadline stays visible as overdue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from engine import services
from engine.bootstrap import App, build
from engine.clock import FixedClock
from engine.config import Settings
from engine.demo_seed import seed_users
from tests.api.conftest import API, login
from tests.conftest import SHANGHAI
from tests.integration.conftest import DESIGNER
from tests.process import paths as P

ROOT = Path(__file__).resolve().parents[2]
LANE_USERS = {
    "officer": "officer1",
    "legal_review": "reviewer1",
    "head": "head1",
    "government": "gov1",
    "utility": "utility1",
}
SCHEDULE_2027 = {
    "rest_days": [
        "2027-01-01",
        *[f"2027-02-{d:02d}" for d in range(5, 14)],
        "2027-04-05",
        "2027-05-01",
        "2027-05-02",
        "2027-05-03",
        "2027-06-09",
        "2027-09-15",
        "2027-10-01",
        "2027-10-02",
        "2027-10-03",
        "2027-10-04",
    ],
    "work_days": ["2027-01-31", "2027-02-14"],
    "source": "测试用放假安排（非真实通知）",
}


@pytest.fixture
def real(db_url: str, clock: FixedClock) -> Iterator[App]:
    settings = Settings(
        database_url=db_url, forms_dir=ROOT / "forms", secret_key="k" * 32, fake_clock=True
    )
    app = build(settings, clock)
    files = {p.name: p.read_bytes() for p in sorted((ROOT / "processes").glob("*.bpmn"))}
    services.deploy_process(app.ctx.uow(), ctx=app.ctx, files=files, actor=DESIGNER)
    seed_users(app.ctx)
    yield app
    app.close()


class Http:
    """Enough of a driver for tests/process/paths.py: open and do, over the HTTP API."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.tokens: dict[str, dict[str, str]] = {}
        self.case: dict[str, Any] = {}

    def h(self, user: str) -> dict[str, str]:
        if user not in self.tokens:
            self.tokens[user] = login(self.client, user)
        return self.tokens[user]

    def get(self, path: str, user: str = "officer1") -> Any:
        r = self.client.get(API + path, headers=self.h(user))
        assert r.status_code == 200, r.text
        return r.json()

    def open(self, data: dict[str, Any]) -> None:
        r = self.client.post(
            f"{API}/cases",
            json={"process_key": "enforcement", "data": data},
            headers=self.h("officer1"),
        )
        assert r.status_code == 201, r.text
        self.case = r.json()

    def do(self, element_id: str, data: dict[str, Any] | None = None) -> None:
        task = next(t for t in self.case["tasks"] if t["element_id"] == element_id)
        r = self.client.post(
            f"{API}/cases/{self.case['id']}/tasks/{task['id']}/complete",
            json={"data": dict(data or {}), "case_version": self.case["case_version"]},
            headers=self.h(LANE_USERS[task["lane"]]),
        )
        assert r.status_code == 200, r.text
        self.case = r.json()

    def timers(self) -> dict[str, dict[str, Any]]:
        return {t["element_id"]: t for t in self.case["timers"]}


@pytest.fixture
def http(real: App) -> Iterator[Http]:
    with TestClient(create_app(real), raise_server_exceptions=False) as client:
        yield Http(client)


def test_filing_on_2026_12_01_gives_provisional_2027_deadlines(
    http: Http, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI))
    P.file_case(http)  # 立案审批 answered 200 (Http.do asserts it)
    # 90 CD from Tue 2026-12-01 -> Mon 2027-03-01, a working day of the provisional 2027.
    decision = http.timers()["decision_deadline"]
    assert decision["due_at"] == "2027-03-02T00:00:00+08:00"
    assert decision["provisional"] is True and decision["provisional_years"] == [2027]
    assert decision["holder"] == "agency"

    year = http.get("/calendar/2027")
    assert year["status"] == "provisional" and year["work_days"] == []
    for day in ("2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-05-01"):
        assert day in year["rest_days"]
    for day in ("2027-05-02", "2027-10-01", "2027-10-02", "2027-10-03"):
        assert day in year["rest_days"]
    assert any(h["name"] == "春节" for h in year["holidays"])
    assert [y["year"] for y in http.get("/calendar")][-2:] == [2026, 2027]

    # Only an admin loads a year; a bad one is a 422 naming the field; nothing changes.
    r = http.client.put(f"{API}/calendar/2027", json=SCHEDULE_2027, headers=http.h("officer1"))
    assert r.status_code == 403
    bad = {**SCHEDULE_2027, "work_days": ["2027-02-10"]}
    r = http.client.put(f"{API}/calendar/2027", json=bad, headers=http.h("admin"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "work_days", 0]
    assert http.get("/calendar/2027")["status"] == "provisional"

    r = http.client.put(f"{API}/calendar/2027", json=SCHEDULE_2027, headers=http.h("admin"))
    assert r.status_code == 200, r.text
    loaded = r.json()
    assert loaded["status"] == "official" and loaded["loaded_by"] == "admin"
    assert loaded["work_days"] == ["2027-01-31", "2027-02-14"]
    case = http.get(f"/cases/{http.case['id']}")
    timer = next(t for t in case["timers"] if t["element_id"] == "decision_deadline")
    assert timer["provisional"] is False and timer["due_at"] == "2027-03-02T00:00:00+08:00"
    system = http.get("/audit/system", "auditor1")
    assert system[-1]["action"] == "calendar_loaded" and system[-1]["data"]["year"] == 2027
    assert http.get("/audit/system/verify", "auditor1")["valid"] is True


def test_a_lapsed_service_deadline_stays_overdue(http: Http, clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))
    P.file_case(http)
    P.investigate(http, on="2026-11-02")
    P.report(http, "not_correctable")
    P.legal_review(http)
    P.advance_notice(http, "2026-11-02")
    # Serve within 7 WD from Mon 11-02: 3, 4, 5, 6, 9, 10, 11 -> due 11-12 00:00.
    assert http.timers()["service_deadline"]["due_at"] == "2026-11-12T00:00:00+08:00"
    (task,) = http.case["tasks"]
    assert task["element_id"] == "serve_document"
    assert task["due_at"] == "2026-11-12T00:00:00+08:00" and task["overdue"] is False
    assert http.get("/ledger/stats", "head1")["overdue"] == 0

    clock.set(datetime(2026, 11, 12, 9, 0, tzinfo=SHANGHAI))
    r = http.client.post(f"{API}/admin/timers/run", headers=http.h("admin"))
    assert r.status_code == 200 and r.json()["fired"] == 1
    case = http.get(f"/cases/{http.case['id']}")
    assert "service_deadline" not in {t["element_id"] for t in case["timers"]}  # it fired
    (task,) = case["tasks"]
    assert task["overdue"] is True and task["due_at"] == "2026-11-12T00:00:00+08:00"
    assert task["due_basis"].startswith("APL Art. 61")
    assert [d["element_id"] for d in case["overdue_duties"]] == ["serve_document"]
    work = http.get("/tasks")
    mine = [t for t in work if t["case_id"] == case["id"]]
    assert [(t["element_id"], t["overdue"]) for t in mine] == [("serve_document", True)]
    assert http.get("/ledger/stats", "head1")["overdue"] == 1
    listed = http.get("/cases?overdue=true")
    assert [c["id"] for c in listed["items"]] == [case["id"]]
    trail = http.get(f"/cases/{case['id']}/audit", "auditor1")
    lapses = [e for e in trail if e["action"] == "timer_fired"]
    assert [e["element_id"] for e in lapses] == ["service_deadline"]  # audited once

    # Served late: the duty is done and no longer overdue.
    http.case = case
    P.serve(http, "2026-11-12")
    assert all(not t["overdue"] for t in http.case["tasks"])
    assert http.case["overdue_duties"] == []
    assert http.get("/ledger/stats", "head1")["overdue"] == 0
