"""Every endpoint of API.md through HTTP: status codes, bodies and problem details.

Runs on SQLite and PostgreSQL (the `db_url` param of the integration fixtures).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api.main import create_app
from engine.bootstrap import App, build
from engine.clock import FixedClock
from engine.config import Settings
from tests.api.conftest import API, INTAKE, MINI, Driver, assert_problem, login
from tests.conftest import FIXTURES, fixture_bpmn

Headers = Callable[[str], dict[str, str]]
MINI_XML = fixture_bpmn("mini_case.bpmn").decode("utf-8")
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
STAGES = {
    "intake",
    "investigation",
    "legal_review",
    "notice",
    "hearing",
    "decision",
    "service",
    "compliance_period",
    "demand",
    "enforcement_decision",
    "public_notice",
    "forced_demolition",
    "confiscation",
    "deferred",
    "litigation",
    "closed",
    "reinspection",
    "remedy_period",  # our addition: waiting out the review and lawsuit windows
}
TASK_FIELDS = {"id", "element_id", "name", "lane", "form_key", "created_at", "due_at"}
TIMER_FIELDS = {"element_id", "name", "due_at", "period", "basis"}
CASE_FIELDS = {
    "id",
    "case_no",
    "process_key",
    "process_version",
    "status",
    "stage",
    "data",
    "case_version",
    "created_at",
    "updated_at",
    "tasks",
    "timers",
}
AUDIT_FIELDS = {
    "seq",
    "at",
    "actor",
    "roles",
    "action",
    "element_id",
    "data",
    "basis",
    "prev_hash",
    "hash",
}


def is_db(client: TestClient, prefix: str) -> bool:
    return str(client.app.state.qingwei.settings.database.url).startswith(prefix)  # type: ignore[attr-defined]


def when(ts: str) -> datetime:
    assert ISO_WITH_OFFSET.match(ts), f"not ISO-8601 with an offset: {ts!r}"
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def norm(value: Any) -> Any:
    """Timestamps as instants: a write answers in the clock's offset (+08:00), a read in UTC."""
    if isinstance(value, str) and ISO_WITH_OFFSET.match(value):
        return when(value)
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [norm(v) for v in value]
    return value


def assert_task(t: dict[str, Any]) -> None:
    assert set(t) >= TASK_FIELDS, t
    assert isinstance(t["id"], str) and t["id"]
    assert isinstance(t["element_id"], str) and isinstance(t["name"], str)
    when(t["created_at"])
    if t["due_at"] is not None:
        when(t["due_at"])


def assert_case(c: dict[str, Any]) -> None:
    assert set(c) >= CASE_FIELDS, set(CASE_FIELDS) - set(c)
    assert isinstance(c["id"], int)
    assert re.match(r"^QW-\d{4}-\d{6}$", c["case_no"]), c["case_no"]
    assert isinstance(c["process_version"], int) and c["process_version"] >= 1
    assert c["status"] in ("open", "suspended", "closed")
    assert c["stage"] in STAGES, c["stage"]
    assert isinstance(c["data"], dict)
    assert isinstance(c["case_version"], int)
    when(c["created_at"])
    when(c["updated_at"])
    for t in c["tasks"]:
        assert_task(t)
    for t in c["timers"]:
        assert set(t) >= TIMER_FIELDS, t
        when(t["due_at"])


def upload(*files: tuple[str, str | bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [
        ("files", (name, body.encode("utf-8") if isinstance(body, str) else body, "text/xml"))
        for name, body in files
    ]


def processes(client: TestClient, headers: Headers) -> list[dict[str, Any]]:
    r = client.get(f"{API}/processes", headers=headers("designer"))
    assert r.status_code == 200, r.text
    body: list[dict[str, Any]] = r.json()
    return body


# --------------------------------------------------------------------------------------- auth


class TestAuth:
    def test_good_password_gives_a_bearer_token_with_roles(self, client: TestClient) -> None:
        r = client.post(f"{API}/auth/token", data={"username": "officer1", "password": "demo"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["token_type"] == "bearer"
        assert isinstance(body["access_token"], str) and body["access_token"].count(".") == 2
        assert body["roles"] == ["officer"]
        me = client.get(f"{API}/cases", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.status_code == 200

    @pytest.mark.parametrize(
        ("username", "password"),
        [("officer1", "wrong"), ("nobody", "demo"), ("officer1", ""), ("", "")],
    )
    def test_bad_credentials_are_401(
        self, client: TestClient, username: str, password: str
    ) -> None:
        r = client.post(f"{API}/auth/token", data={"username": username, "password": password})
        assert r.status_code in (401, 422)
        if username and password:
            assert_problem(r, 401)
        else:
            assert_problem(r, r.status_code)

    def test_missing_form_fields_are_422(self, client: TestClient) -> None:
        body = assert_problem(client.post(f"{API}/auth/token", data={"username": "x"}), 422)
        assert any(e["loc"][-1] == "password" for e in body["errors"]), body

    @pytest.mark.parametrize(
        "authorization",
        [
            None,
            "Bearer",
            "Bearer garbage",
            "Bearer a.b.c",
            "Basic b2ZmaWNlcjE6ZGVtbw==",
            "bearer ",
        ],
    )
    def test_no_or_bad_token_is_401(self, client: TestClient, authorization: str | None) -> None:
        h = {"Authorization": authorization} if authorization is not None else {}
        assert_problem(client.get(f"{API}/cases", headers=h), 401)

    def test_forged_tokens_are_401(self, client: TestClient, clock: FixedClock) -> None:
        now = int(clock.now().timestamp())
        claims = {"sub": "admin", "roles": ["admin"], "iat": now, "exp": now + 3600}
        forged = jwt.encode(claims, "another-secret-key-of-32-bytes!!", algorithm="HS256")
        unsigned = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
        for token in (forged, unsigned):
            r = client.get(f"{API}/cases", headers={"Authorization": f"Bearer {token}"})
            assert_problem(r, 401)

    def test_token_survives_the_fake_clock_and_expires_in_real_time(
        self,
        client: TestClient,
        headers: Headers,
        drive: Driver,
        clock: FixedClock,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        import api.deps
        from engine.clock import FixedClock as WallClock

        officer = login(client, "officer1")
        minutes = client.app.state.qingwei.settings.security.token_minutes  # type: ignore[attr-defined]
        # Moving the demo clock two months ahead (to pass a deadline) signs nobody out.
        drive.set_clock(datetime(2026, 4, 14, tzinfo=clock.now().tzinfo).isoformat())
        assert client.get(f"{API}/cases", headers=officer).status_code == 200
        # Real time past the lifetime: the same token is refused.
        late = api.deps.WALL_CLOCK.now() + timedelta(minutes=minutes, seconds=1)
        monkeypatch.setattr(api.deps, "WALL_CLOCK", WallClock(late))
        body = assert_problem(client.get(f"{API}/cases", headers=officer), 401)
        assert "expired" in body["detail"] or "invalid" in body["detail"]


# ---------------------------------------------------------------------------------- processes


class TestProcesses:
    def test_list(self, client: TestClient, headers: Headers) -> None:
        rows = processes(client, headers)
        assert len(rows) == 1
        p = rows[0]
        assert set(p) >= {"key", "version", "name", "sha256", "deployed_at", "latest"}
        assert (p["key"], p["version"], p["latest"]) == (MINI, 1, True)
        assert p["name"] == "测试案件 Mini case"
        assert re.fullmatch(r"[0-9a-f]{64}", p["sha256"])
        when(p["deployed_at"])

    def test_deploy_new_same_and_changed(
        self, client: TestClient, headers: Headers, drive: Driver
    ) -> None:
        d = headers("designer")
        other = MINI_XML.replace('id="mini_case"', 'id="mini_two"').replace(
            'processRef="mini_case"', 'processRef="mini_two"'
        )
        r = client.post(f"{API}/processes", files=upload(("two.bpmn", other)), headers=d)
        assert r.status_code == 201, r.text
        assert r.json() == {"key": "mini_two", "version": 1}
        # The same content again: 200 with the existing version.
        r = client.post(f"{API}/processes", files=upload(("two.bpmn", other)), headers=d)
        assert r.status_code == 200, r.text
        assert r.json() == {"key": "mini_two", "version": 1}
        r = client.post(f"{API}/processes", files=upload(("mini.bpmn", MINI_XML)), headers=d)
        assert (r.status_code, r.json()) == (200, {"key": MINI, "version": 1})
        # A running case stays on its version; changed content becomes version 2.
        running = drive.open()
        changed = MINI_XML.replace("测试案件 Mini case", "测试案件 Mini case v2")
        r = client.post(f"{API}/processes", files=upload(("mini.bpmn", changed)), headers=d)
        assert r.status_code == 201, r.text
        assert r.json() == {"key": MINI, "version": 2}
        rows = {(p["key"], p["version"]): p for p in processes(client, headers)}
        assert rows[(MINI, 1)]["latest"] is False
        assert rows[(MINI, 2)]["latest"] is True
        assert rows[(MINI, 2)]["name"] == "测试案件 Mini case v2"
        assert rows[(MINI, 1)]["sha256"] != rows[(MINI, 2)]["sha256"]
        assert drive.open()["process_version"] == 2
        assert drive.investigate(running)["process_version"] == 1

    def test_admin_may_deploy(self, client: TestClient, headers: Headers) -> None:
        changed = MINI_XML.replace("测试案件 Mini case", "Admin's mini")
        r = client.post(
            f"{API}/processes", files=upload(("m.bpmn", changed)), headers=headers("admin")
        )
        assert (r.status_code, r.json()) == (201, {"key": MINI, "version": 2})

    def test_several_files_at_once(self, client: TestClient, headers: Headers) -> None:
        def renamed(key: str) -> str:
            return MINI_XML.replace('id="mini_case"', f'id="{key}"').replace(
                'processRef="mini_case"', f'processRef="{key}"'
            )

        r = client.post(
            f"{API}/processes",
            files=upload(("a.bpmn", renamed("mini_a")), ("b.bpmn", renamed("mini_b"))),
            headers=headers("designer"),
        )
        assert r.status_code == 201, r.text
        body = r.json()
        # The contract's {"key", "version"} names the main process; every version is listed.
        assert (body["key"], body["version"]) == ("mini_a", 1)
        items = body["processes"]
        assert sorted((i["key"], i["version"]) for i in items) == [("mini_a", 1), ("mini_b", 1)]
        keys = {p["key"] for p in processes(client, headers)}
        assert keys == {MINI, "mini_a", "mini_b"}

    def test_too_large_is_413(self, client: TestClient, headers: Headers) -> None:
        big = MINI_XML.replace("</bpmn:definitions>", "<!--" + "x" * (5 * 1024 * 1024) + "-->")
        r = client.post(
            f"{API}/processes", files=upload(("big.bpmn", big)), headers=headers("designer")
        )
        assert_problem(r, 413)
        assert len(processes(client, headers)) == 1

    def test_no_file_is_422(self, client: TestClient, headers: Headers) -> None:
        r = client.post(f"{API}/processes", headers=headers("designer"))
        body = assert_problem(r, 422)
        assert any("files" in e["loc"] for e in body["errors"]), body

    def test_bpmn_xml(self, client: TestClient, headers: Headers) -> None:
        r = client.get(f"{API}/processes/{MINI}/versions/1/bpmn", headers=headers("officer"))
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/xml")
        root = ET.fromstring(r.content)
        assert root.tag.endswith("definitions")
        assert 'id="mini_case"' in r.text

    @pytest.mark.parametrize(
        "path", [f"/processes/{MINI}/versions/2/bpmn", "/processes/nope/versions/1/bpmn"]
    )
    def test_bpmn_unknown_is_404(self, client: TestClient, headers: Headers, path: str) -> None:
        assert_problem(client.get(API + path, headers=headers("officer")), 404)

    def test_bpmn_version_not_an_int_is_422(self, client: TestClient, headers: Headers) -> None:
        r = client.get(f"{API}/processes/{MINI}/versions/one/bpmn", headers=headers("officer"))
        body = assert_problem(r, 422)
        assert body["errors"][0]["loc"] == ["path", "version"]


XXE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    + MINI_XML.split("\n", 1)[1].replace("测试案件 Mini case", "&xxe;")
)
LOL = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>\n"
    + MINI_XML.split("\n", 1)[1].replace("测试案件 Mini case", "&lol9;")
)
BAD_BPMN: dict[str, bytes] = {
    "not_xml": b"this is not XML at all <<<",
    "not_bpmn": b'<?xml version="1.0"?><html><body>hello</body></html>',
    "xxe": XXE.encode("utf-8"),
    "xxe_utf16": XXE.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
    "billion_laughs": LOL.encode("utf-8"),
    "unsafe_condition": MINI_XML.replace(
        "classification == 'no_violation'", "__import__('os').system('id')"
    ).encode("utf-8"),
    "unsafe_script": MINI_XML.replace(
        'outcome = "self_demolished"', "outcome = open('/etc/passwd').read()"
    ).encode("utf-8"),
    "missing_form": MINI_XML.replace("mini_decide.json", "no_such_form.json").encode("utf-8"),
    "timer_without_basis": MINI_XML.replace(
        '<spiffworkflow:property name="basis" value="ARL Art. 20" />', ""
    ).encode("utf-8"),
    "unknown_lane": MINI_XML.replace('name="head"', 'name="janitor"').encode("utf-8"),
    "no_executable_process": MINI_XML.replace('isExecutable="true"', 'isExecutable="false"').encode(
        "utf-8"
    ),
}


class TestInvalidUploads:
    @pytest.mark.parametrize("variant", sorted(BAD_BPMN))
    def test_rejected_with_errors_and_nothing_deployed(
        self, client: TestClient, headers: Headers, variant: str
    ) -> None:
        content = BAD_BPMN[variant]
        assert content != MINI_XML.encode("utf-8")
        before = processes(client, headers)
        r = client.post(
            f"{API}/processes",
            files=upload((f"{variant}.bpmn", content)),
            headers=headers("designer"),
        )
        body = assert_problem(r, 422)
        assert "root:" not in r.text  # the XXE entity was not expanded
        assert processes(client, headers) == before
        # validate says the same without deploying
        r = client.post(
            f"{API}/processes/validate",
            files=upload((f"{variant}.bpmn", content)),
            headers=headers("designer"),
        )
        assert r.status_code == 200, r.text
        report = r.json()
        assert report["valid"] is False
        assert report["errors"] and all(isinstance(e, str) for e in report["errors"])
        assert isinstance(report["warnings"], list)
        assert body["errors"]

    def test_one_bad_file_deploys_none(self, client: TestClient, headers: Headers) -> None:
        good = MINI_XML.replace('id="mini_case"', 'id="mini_ok"').replace(
            'processRef="mini_case"', 'processRef="mini_ok"'
        )
        r = client.post(
            f"{API}/processes",
            files=upload(("ok.bpmn", good), ("bad.bpmn", BAD_BPMN["missing_form"])),
            headers=headers("designer"),
        )
        assert_problem(r, 422)
        assert [p["key"] for p in processes(client, headers)] == [MINI]

    def test_error_names_the_problem(self, client: TestClient, headers: Headers) -> None:
        checks = {
            "missing_form": "no_such_form.json",
            "timer_without_basis": "basis",
            "unsafe_condition": "__import__",
        }
        for variant, needle in checks.items():
            r = client.post(
                f"{API}/processes",
                files=upload((f"{variant}.bpmn", BAD_BPMN[variant])),
                headers=headers("designer"),
            )
            msgs = " ".join(e["msg"] for e in assert_problem(r, 422)["errors"])
            assert needle in msgs, (variant, msgs)

    def test_validate_good(self, client: TestClient, headers: Headers) -> None:
        r = client.post(
            f"{API}/processes/validate",
            files=upload(("mini.bpmn", MINI_XML)),
            headers=headers("designer"),
        )
        assert r.status_code == 200, r.text
        assert r.json() == {"valid": True, "errors": [], "warnings": []}
        assert len(processes(client, headers)) == 1


# -------------------------------------------------------------------------------------- cases


class TestOpenCase:
    def test_open_returns_the_full_case(self, client: TestClient, headers: Headers) -> None:
        r = client.post(
            f"{API}/cases", json={"process_key": MINI, "data": INTAKE}, headers=headers("officer")
        )
        assert r.status_code == 201, r.text
        c = r.json()
        assert_case(c)
        assert (c["process_key"], c["process_version"], c["status"]) == (MINI, 1, "open")
        assert c["stage"] == "investigation"
        assert c["data"] == INTAKE
        assert c["case_version"] >= 1
        assert c["timers"] == []
        [task] = c["tasks"]
        assert task["element_id"] == "investigate"
        assert task["name"] == "调查取证 Investigate"
        assert task["lane"] == "officer"
        assert task["form_key"] == "mini_investigate.json"
        assert when(task["created_at"]) == when(c["created_at"])
        # the same case on GET
        again = client.get(f"{API}/cases/{c['id']}", headers=headers("auditor"))
        assert again.status_code == 200
        assert again.json()["case_no"] == c["case_no"]
        assert norm(again.json()["tasks"]) == norm(c["tasks"])

    def test_unknown_process_is_404(self, client: TestClient, headers: Headers) -> None:
        r = client.post(
            f"{API}/cases", json={"process_key": "nope", "data": {}}, headers=headers("officer")
        )
        assert_problem(r, 404)

    @pytest.mark.parametrize(
        ("body", "loc"),
        [
            ({"process_key": MINI, "data": "not an object"}, ["body", "data"]),
            ({"process_key": "", "data": {}}, ["body", "process_key"]),
            ({"process_key": MINI, "data": {}, "parent_case_id": "x"}, ["body", "parent_case_id"]),
            ([], ["body"]),
        ],
    )
    def test_invalid_body_is_422(
        self, client: TestClient, headers: Headers, body: Any, loc: list[str]
    ) -> None:
        r = client.post(f"{API}/cases", json=body, headers=headers("officer"))
        errors = assert_problem(r, 422)["errors"]
        assert any(e["loc"][: len(loc)] == loc for e in errors), errors

    def test_malformed_json_is_422(self, client: TestClient, headers: Headers) -> None:
        r = client.post(
            f"{API}/cases",
            content=b'{"process_key": "mini_case", "data": {',
            headers={**headers("officer"), "Content-Type": "application/json"},
        )
        assert_problem(r, 422)

    def test_child_case_of_unknown_parent_is_404(
        self, client: TestClient, headers: Headers
    ) -> None:
        r = client.post(
            f"{API}/cases",
            json={"process_key": MINI, "data": INTAKE, "parent_case_id": 999},
            headers=headers("officer"),
        )
        assert_problem(r, 404)


class TestListCases:
    @pytest.fixture
    def three(self, drive: Driver, clock: FixedClock) -> dict[str, dict[str, Any]]:
        closed = drive.complete(drive.open(), {"classification": "no_violation", "area_m2": 0})
        fresh = drive.open()
        served = drive.to_service()
        return {"closed": closed, "fresh": fresh, "served": served}

    def get(self, client: TestClient, headers: Headers, query: str = "") -> dict[str, Any]:
        r = client.get(f"{API}/cases{query}", headers=headers("auditor"))
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        assert set(body) >= {"items", "total"}
        for c in body["items"]:
            assert_case(c)
        return body

    def ids(self, body: dict[str, Any]) -> set[int]:
        return {c["id"] for c in body["items"]}

    def test_all(self, client: TestClient, headers: Headers, three: dict[str, Any]) -> None:
        body = self.get(client, headers)
        assert body["total"] == 3
        assert self.ids(body) == {c["id"] for c in three.values()}

    def test_filters(self, client: TestClient, headers: Headers, three: dict[str, Any]) -> None:
        assert self.ids(self.get(client, headers, "?status=closed")) == {three["closed"]["id"]}
        assert self.get(client, headers, "?status=open")["total"] == 2
        assert self.get(client, headers, "?status=suspended")["total"] == 0
        assert self.ids(self.get(client, headers, "?stage=investigation")) == {three["fresh"]["id"]}
        assert self.ids(self.get(client, headers, "?stage=compliance_period")) == {
            three["served"]["id"]
        }
        assert self.ids(self.get(client, headers, "?status=open&stage=closed")) == set()
        no = three["served"]["case_no"]
        assert self.ids(self.get(client, headers, f"?q={no}")) == {three["served"]["id"]}
        assert self.get(client, headers, "?q=QW-1999-")["total"] == 0

    def test_q_is_case_insensitive_on_every_database(
        self, client: TestClient, headers: Headers, three: dict[str, Any], request: Any
    ) -> None:
        no = three["served"]["case_no"].lower()
        assert self.ids(self.get(client, headers, f"?q={no}")) == {three["served"]["id"]}

    def test_paging(self, client: TestClient, headers: Headers, three: dict[str, Any]) -> None:
        pages = [self.get(client, headers, f"?page={p}&page_size=2") for p in (1, 2, 3)]
        assert [len(p["items"]) for p in pages] == [2, 1, 0]
        assert all(p["total"] == 3 for p in pages)
        seen = [c["id"] for p in pages for c in p["items"]]
        assert sorted(seen) == sorted(c["id"] for c in three.values())

    @pytest.mark.parametrize(
        "query", ["?page=0", "?page_size=0", "?page_size=100000", "?page=x", "?overdue=maybe"]
    )
    def test_bad_query_is_422(self, client: TestClient, headers: Headers, query: str) -> None:
        r = client.get(f"{API}/cases{query}", headers=headers("auditor"))
        errors = assert_problem(r, 422)["errors"]
        assert errors[0]["loc"][0] == "query"

    def test_overdue(
        self, client: TestClient, headers: Headers, drive: Driver, three: dict[str, Any]
    ) -> None:
        assert self.get(client, headers, "?overdue=true")["total"] == 0
        due = three["served"]["timers"][0]["due_at"]
        assert when(due) == datetime.fromisoformat("2026-04-14T00:00:00+08:00")
        drive.set_clock("2026-04-13T23:59:59+08:00")
        assert self.get(client, headers, "?overdue=true")["total"] == 0
        drive.set_clock("2026-04-14T00:00:00+08:00")
        overdue = self.get(client, headers, "?overdue=true")
        assert self.ids(overdue) == {three["served"]["id"]}
        assert self.get(client, headers, "?overdue=false")["total"] == 3


class TestGetCase:
    def test_unknown_is_404(self, client: TestClient, headers: Headers) -> None:
        body = assert_problem(client.get(f"{API}/cases/12345", headers=headers("officer")), 404)
        assert "12345" in body["detail"]

    def test_not_an_int_is_422(self, client: TestClient, headers: Headers) -> None:
        r = client.get(f"{API}/cases/abc", headers=headers("officer"))
        assert assert_problem(r, 422)["errors"][0]["loc"] == ["path", "case_id"]

    @pytest.mark.parametrize(
        "path",
        ["/cases/{big}", "/cases/{big}/audit", "/cases/{big}/diagram", "/cases/{big}/tasks/x/form"],
    )
    def test_huge_id_is_404_or_422_not_500(
        self, client: TestClient, headers: Headers, path: str
    ) -> None:
        r = client.get(API + path.format(big=2**63), headers=headers("officer"))
        assert r.status_code in (404, 422), r.text


class TestTasks:
    def test_only_my_lanes_oldest_first(
        self, client: TestClient, headers: Headers, drive: Driver, clock: FixedClock
    ) -> None:
        from datetime import timedelta

        first = drive.open()
        clock.advance(timedelta(minutes=5))
        second = drive.open()
        clock.advance(timedelta(minutes=5))
        third = drive.investigate(drive.open())  # now waits on the head
        assert third["tasks"][0]["lane"] == "head"

        def tasks(role: str) -> list[dict[str, Any]]:
            r = client.get(f"{API}/tasks", headers=headers(role))
            assert r.status_code == 200, r.text
            body: list[dict[str, Any]] = r.json()
            for t in body:
                assert_task(t)
            return body

        officer = tasks("officer")
        assert [t["id"] for t in officer] == [first["tasks"][0]["id"], second["tasks"][0]["id"]]
        assert all(t["lane"] == "officer" for t in officer)
        assert [when(t["created_at"]) for t in officer] == sorted(
            when(t["created_at"]) for t in officer
        )
        head = tasks("head")
        assert [t["id"] for t in head] == [third["tasks"][0]["id"]]
        assert head[0]["element_id"] == "decide"
        for role in ("legal_review", "government", "utility", "auditor", "admin"):
            assert tasks(role) == [], role


class TestForm:
    def test_form(self, client: TestClient, headers: Headers, drive: Driver) -> None:
        c = drive.open()
        r = client.get(
            f"{API}/cases/{c['id']}/tasks/{c['tasks'][0]['id']}/form", headers=headers("officer")
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"schema", "ui_schema", "data"}
        expected = json.loads((FIXTURES / "forms" / "mini_investigate.json").read_text("utf-8"))
        assert body["schema"] == expected
        assert body["schema"]["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert isinstance(body["ui_schema"], dict)
        assert body["data"] == {"area_m2": 12.5}  # prefilled from the intake data

    def test_unknown_task_is_409_and_unknown_case_404(
        self, client: TestClient, headers: Headers, drive: Driver
    ) -> None:
        c = drive.open()
        other = drive.open()
        h = headers("officer")
        assert_problem(client.get(f"{API}/cases/{c['id']}/tasks/nope/form", headers=h), 409)
        # a task of another case is not a task of this one
        r = client.get(f"{API}/cases/{c['id']}/tasks/{other['tasks'][0]['id']}/form", headers=h)
        assert_problem(r, 409)
        r = client.get(f"{API}/cases/999/tasks/{c['tasks'][0]['id']}/form", headers=h)
        assert_problem(r, 404)


class TestComplete:
    def url(self, case: dict[str, Any], task_id: str | None = None) -> str:
        return f"{API}/cases/{case['id']}/tasks/{task_id or case['tasks'][0]['id']}/complete"

    def test_complete_advances_the_case(
        self, client: TestClient, headers: Headers, drive: Driver
    ) -> None:
        c = drive.open()
        data = {"classification": "not_correctable", "area_m2": 20.0, "notes": "现场"}
        r = client.post(
            self.url(c),
            json={"data": data, "case_version": c["case_version"]},
            headers=headers("officer"),
        )
        assert r.status_code == 200, r.text
        after = r.json()
        assert_case(after)
        assert after["id"] == c["id"]
        assert after["case_version"] == c["case_version"] + 1
        assert after["stage"] == "decision"
        assert after["data"]["classification"] == "not_correctable"
        assert after["data"]["area_m2"] == 20.0
        assert after["data"]["address"] == INTAKE["address"]
        [task] = after["tasks"]
        assert (task["element_id"], task["lane"]) == ("decide", "head")
        assert when(after["updated_at"]) >= when(c["updated_at"])

    def test_stale_version_is_409(
        self, client: TestClient, headers: Headers, drive: Driver
    ) -> None:
        c = drive.open()
        data = {"classification": "not_correctable", "area_m2": 1}
        for stale in (c["case_version"] - 1, c["case_version"] + 1):
            r = client.post(
                self.url(c), json={"data": data, "case_version": stale}, headers=headers("officer")
            )
            body = assert_problem(r, 409)
            assert str(c["case_version"]) in body["detail"]
        # unchanged
        same = client.get(f"{API}/cases/{c['id']}", headers=headers("officer")).json()
        assert same["case_version"] == c["case_version"]
        assert norm(same["tasks"]) == norm(c["tasks"])

    def test_second_completion_with_the_old_version_is_409(
        self, client: TestClient, headers: Headers, drive: Driver
    ) -> None:
        c = drive.open()
        drive.investigate(c)
        r = client.post(
            self.url(c),
            json={
                "data": {"classification": "no_violation", "area_m2": 1},
                "case_version": c["case_version"],
            },
            headers=headers("officer"),
        )
        assert_problem(r, 409)

    def test_wrong_lane_is_403(self, client: TestClient, headers: Headers, drive: Driver) -> None:
        c = drive.open()
        data = {"classification": "not_correctable", "area_m2": 1}
        for role in ("head", "legal_review", "government", "utility"):
            r = client.post(
                self.url(c),
                json={"data": data, "case_version": c["case_version"]},
                headers=headers(role),
            )
            body = assert_problem(r, 403)
            assert "officer" in body["detail"]
        decided = drive.investigate(c)
        r = client.post(
            self.url(decided),
            json={"data": {"compliance_days": 10}, "case_version": decided["case_version"]},
            headers=headers("officer"),
        )
        assert_problem(r, 403)

    @pytest.mark.parametrize(
        ("data", "locs"),
        [
            ({"area_m2": 1}, [["classification"]]),  # required, missing
            ({"classification": "maybe", "area_m2": 1}, [["classification"]]),
            ({"classification": "crime", "area_m2": -1}, [["area_m2"]]),
            ({"classification": "maybe", "area_m2": "big"}, [["classification"], ["area_m2"]]),
            ({"classification": "crime", "area_m2": 1, "extra": 1}, [["extra"]]),
            ({}, [["classification"], ["area_m2"]]),  # every bad field, not just the first
        ],
    )
    def test_invalid_data_is_422_with_paths(
        self,
        client: TestClient,
        headers: Headers,
        drive: Driver,
        data: dict[str, Any],
        locs: list[list[str]],
    ) -> None:
        c = drive.open()
        r = client.post(
            self.url(c),
            json={"data": data, "case_version": c["case_version"]},
            headers=headers("officer"),
        )
        errors = assert_problem(r, 422)["errors"]
        got = [e["loc"] for e in errors]
        for loc in locs:
            assert loc in got, got
        after = client.get(f"{API}/cases/{c['id']}", headers=headers("officer")).json()
        assert after["case_version"] == c["case_version"]

    def test_body_without_case_version_is_422(
        self, client: TestClient, headers: Headers, drive: Driver
    ) -> None:
        c = drive.open()
        r = client.post(self.url(c), json={"data": {}}, headers=headers("officer"))
        errors = assert_problem(r, 422)["errors"]
        assert ["body", "case_version"] in [e["loc"] for e in errors]

    def test_task_not_ready_is_409(
        self, client: TestClient, headers: Headers, drive: Driver
    ) -> None:
        c = drive.open()
        after = drive.investigate(c)
        old_task = c["tasks"][0]["id"]
        r = client.post(
            self.url(after, old_task),
            json={
                "data": {"classification": "crime", "area_m2": 1},
                "case_version": after["case_version"],
            },
            headers=headers("officer"),
        )
        assert_problem(r, 409)
        r = client.post(
            self.url(after, "no-such-task"),
            json={"data": {}, "case_version": after["case_version"]},
            headers=headers("officer"),
        )
        assert_problem(r, 409)

    def test_unknown_case_is_404(self, client: TestClient, headers: Headers) -> None:
        r = client.post(
            f"{API}/cases/4242/tasks/x/complete",
            json={"data": {}, "case_version": 1},
            headers=headers("officer"),
        )
        assert_problem(r, 404)

    def test_no_violation_closes(self, client: TestClient, headers: Headers, drive: Driver) -> None:
        closed = drive.complete(drive.open(), {"classification": "no_violation", "area_m2": 0})
        assert (closed["status"], closed["stage"]) == ("closed", "closed")
        assert closed["tasks"] == [] and closed["timers"] == []


class TestMessages:
    def test_message_closes_the_case(
        self, client: TestClient, headers: Headers, drive: Driver
    ) -> None:
        c = drive.to_service()
        assert c["timers"] and c["timers"][0]["period"] == "60 CD"
        assert c["timers"][0]["basis"] == "ARL Art. 20"
        assert c["timers"][0]["element_id"] == "compliance_timer"
        r = client.post(
            f"{API}/cases/{c['id']}/messages",
            json={"name": "party_demolished", "data": {"note": "自拆"}},
            headers=headers("officer"),
        )
        assert r.status_code == 200, r.text
        after = r.json()
        assert_case(after)
        assert (after["status"], after["stage"]) == ("closed", "closed")
        assert after["data"]["outcome"] == "self_demolished"
        assert after["timers"] == []
        # once more: no longer waiting
        r = client.post(
            f"{API}/cases/{c['id']}/messages",
            json={"name": "party_demolished", "data": {}},
            headers=headers("head"),
        )
        assert_problem(r, 409)

    def test_head_may_record_a_message(
        self, client: TestClient, headers: Headers, drive: Driver
    ) -> None:
        c = drive.to_service()
        r = client.post(
            f"{API}/cases/{c['id']}/messages",
            json={"name": "party_demolished", "data": {}},
            headers=headers("head"),
        )
        assert r.status_code == 200, r.text

    def test_stale_version_is_409(
        self, client: TestClient, headers: Headers, drive: Driver
    ) -> None:
        c = drive.to_service()
        r = client.post(
            f"{API}/cases/{c['id']}/messages",
            json={"name": "party_demolished", "data": {}, "case_version": c["case_version"] - 1},
            headers=headers("officer"),
        )
        assert_problem(r, 409)
        r = client.post(
            f"{API}/cases/{c['id']}/messages",
            json={"name": "party_demolished", "data": {}, "case_version": c["case_version"]},
            headers=headers("officer"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["case_version"] == c["case_version"] + 1

    @pytest.mark.parametrize("name", ["party_demolished", "lawsuit_filed", "nonsense"])
    def test_not_awaited_is_409(
        self, client: TestClient, headers: Headers, drive: Driver, name: str
    ) -> None:
        c = drive.open()
        r = client.post(
            f"{API}/cases/{c['id']}/messages",
            json={"name": name, "data": {}},
            headers=headers("officer"),
        )
        body = assert_problem(r, 409)
        assert name in body["detail"]

    def test_unknown_case_is_404_and_bad_body_422(
        self, client: TestClient, headers: Headers
    ) -> None:
        r = client.post(
            f"{API}/cases/999/messages",
            json={"name": "party_demolished", "data": {}},
            headers=headers("officer"),
        )
        assert_problem(r, 404)
        r = client.post(f"{API}/cases/999/messages", json={"data": {}}, headers=headers("officer"))
        assert ["body", "name"] in [e["loc"] for e in assert_problem(r, 422)["errors"]]


class TestAuditAndDiagram:
    def test_audit_trail_is_a_chain(
        self, client: TestClient, headers: Headers, drive: Driver
    ) -> None:
        c = drive.to_service()
        r = client.get(f"{API}/cases/{c['id']}/audit", headers=headers("auditor"))
        assert r.status_code == 200, r.text
        events = r.json()
        assert len(events) == 4
        for e in events:
            assert set(e) >= AUDIT_FIELDS, e
            when(e["at"])
            assert isinstance(e["roles"], list) and isinstance(e["data"], dict)
            assert re.fullmatch(r"[0-9a-f]{64}", e["hash"])
        assert [e["seq"] for e in events] == [1, 2, 3, 4]
        assert events[0]["prev_hash"] == "0" * 64
        for prev, nxt in itertools.pairwise(events):
            assert nxt["prev_hash"] == prev["hash"]
        assert [e["action"] for e in events] == ["case_opened"] + ["task_completed"] * 3
        assert [e["actor"] for e in events] == ["officer1", "officer1", "head1", "officer1"]
        assert events[2]["roles"] == ["head"] and events[2]["element_id"] == "decide"

        r = client.get(f"{API}/cases/{c['id']}/audit/verify", headers=headers("auditor"))
        assert r.status_code == 200, r.text
        v = r.json()
        assert v["valid"] is True and v["events"] == 4 and v["first_bad_seq"] is None

    def test_verify_names_the_first_tampered_event(
        self, client: TestClient, headers: Headers, drive: Driver, db_url: str
    ) -> None:
        c = drive.to_service()
        engine = create_engine(db_url)
        try:
            with engine.begin() as conn:
                if db_url.startswith("postgresql"):  # get past the append-only trigger
                    conn.execute(text("SET LOCAL session_replication_role = replica"))
                conn.execute(
                    text("UPDATE audit_events SET data = :d WHERE case_id = :c AND seq = 3"),
                    {"d": json.dumps({"after": {"compliance_days": 365}}), "c": c["id"]},
                )
        finally:
            engine.dispose()
        r = client.get(f"{API}/cases/{c['id']}/audit/verify", headers=headers("auditor"))
        assert r.status_code == 200, r.text
        v = r.json()
        assert (v["valid"], v["events"], v["first_bad_seq"]) == (False, 4, 3)
        trail = client.get(f"{API}/cases/{c['id']}/audit", headers=headers("auditor"))
        assert trail.status_code == 200 and len(trail.json()) == 4

    def test_timer_event_carries_the_basis(
        self, client: TestClient, headers: Headers, drive: Driver
    ) -> None:
        c = drive.to_service()
        drive.set_clock("2026-04-14T00:00:00+08:00")
        client.post(f"{API}/admin/timers/run", headers=headers("admin"))
        events = client.get(f"{API}/cases/{c['id']}/audit", headers=headers("auditor")).json()
        fired = [e for e in events if e["action"] == "timer_fired"]
        assert len(fired) == 1
        assert fired[0]["basis"] == "ARL Art. 20"
        assert fired[0]["actor"] == "system"
        assert fired[0]["element_id"] == "compliance_timer"
        v = client.get(f"{API}/cases/{c['id']}/audit/verify", headers=headers("auditor")).json()
        assert v == {**v, "valid": True, "events": len(events), "first_bad_seq": None}

    @pytest.mark.parametrize("path", ["audit", "audit/verify", "diagram"])
    def test_unknown_case_is_404(self, client: TestClient, headers: Headers, path: str) -> None:
        assert_problem(client.get(f"{API}/cases/777/{path}", headers=headers("auditor")), 404)

    def test_diagram(self, client: TestClient, headers: Headers, drive: Driver) -> None:
        c = drive.investigate(drive.open())
        r = client.get(f"{API}/cases/{c['id']}/diagram", headers=headers("officer"))
        assert r.status_code == 200, r.text
        d = r.json()
        assert set(d) >= {"bpmn_xml", "completed", "active"}
        assert 'id="mini_case"' in d["bpmn_xml"]
        assert {"start", "investigate", "gw_class"} <= set(d["completed"])
        assert "decide" in d["active"]
        assert "decide" not in d["completed"]
        assert "serve" not in d["completed"] + d["active"]


# ------------------------------------------------------------------------------------- ledger


class TestLedger:
    def test_stats(self, client: TestClient, headers: Headers, drive: Driver) -> None:
        empty = client.get(f"{API}/ledger/stats", headers=headers("auditor"))
        assert empty.status_code == 200
        assert empty.json()["total"] == 0
        assert empty.json()["area_found_m2"] == 0
        served = drive.to_service()  # 12.5 m²
        drive.open({**INTAKE, "area_m2": 30})
        demolished = drive.to_service()
        r = client.post(
            f"{API}/cases/{demolished['id']}/messages",
            json={"name": "party_demolished", "data": {}},
            headers=headers("officer"),
        )
        assert r.status_code == 200
        s = client.get(f"{API}/ledger/stats", headers=headers("auditor")).json()
        assert s["total"] == 3
        assert s["by_status"] == {"open": 2, "closed": 1}
        assert s["by_stage"] == {"compliance_period": 1, "investigation": 1, "closed": 1}
        assert s["overdue"] == 0
        assert s["area_found_m2"] == pytest.approx(12.5 + 30 + 12.5)
        assert s["area_demolished_m2"] == pytest.approx(12.5)
        drive.set_clock("2026-04-14T00:00:00+08:00")
        s = client.get(f"{API}/ledger/stats", headers=headers("auditor")).json()
        assert s["overdue"] == 1
        assert served["id"] != demolished["id"]

    def test_csv(self, client: TestClient, headers: Headers, drive: Driver) -> None:
        r = client.get(f"{API}/ledger.csv", headers=headers("auditor"))
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert len(rows) == 1 and "案件编号" in rows[0]  # Chinese headers (issue 13)
        a = drive.open()
        b = drive.to_service()
        r = client.get(f"{API}/ledger.csv", headers=headers("auditor"))
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert len(rows) == 2
        assert {row["案件编号"] for row in rows} == {a["case_no"], b["case_no"]}
        by_no = {row["案件编号"]: row for row in rows}
        assert by_no[a["case_no"]]["地址"] == INTAKE["address"]
        assert by_no[b["case_no"]]["阶段"] == "履行期限"
        assert by_no[b["case_no"]]["状态"] == "办理中"


# ------------------------------------------------------------------------------ clock, timers


class TestClock:
    def test_set_clock(self, client: TestClient, headers: Headers, clock: FixedClock) -> None:
        r = client.post(
            f"{API}/admin/clock",
            json={"now": "2026-03-01T08:30:00+08:00"},
            headers=headers("admin"),
        )
        assert r.status_code == 200, r.text
        assert when(r.json()["now"]) == datetime.fromisoformat("2026-03-01T08:30:00+08:00")
        assert clock.now() == datetime.fromisoformat("2026-03-01T08:30:00+08:00")

    def test_others_are_403(self, client: TestClient, headers: Headers) -> None:
        for role in ("officer", "auditor", "designer", "head"):
            r = client.post(
                f"{API}/admin/clock",
                json={"now": "2026-03-01T08:30:00+08:00"},
                headers=headers(role),
            )
            assert_problem(r, 403)

    @pytest.mark.parametrize("body", [{}, {"now": 5}, {"now": None}, "x"])
    def test_bad_body_is_422(self, client: TestClient, headers: Headers, body: Any) -> None:
        r = client.post(f"{API}/admin/clock", json=body, headers=headers("admin"))
        assert_problem(r, 422)

    @pytest.mark.parametrize("now", ["yesterday", "2026-03-01T08:30:00", "2026-13-01T00:00+08:00"])
    def test_bad_value_is_422_with_errors(
        self, client: TestClient, headers: Headers, now: str
    ) -> None:
        r = client.post(f"{API}/admin/clock", json={"now": now}, headers=headers("admin"))
        body = assert_problem(r, 422)
        assert body["errors"][0]["loc"] == ["body", "now"]

    def test_bad_value_is_refused(
        self, client: TestClient, headers: Headers, clock: FixedClock
    ) -> None:
        before = clock.now()
        for now in ("yesterday", "2026-03-01T08:30:00", "2026-13-01T00:00+08:00"):
            r = client.post(f"{API}/admin/clock", json={"now": now}, headers=headers("admin"))
            assert r.status_code == 422
        assert clock.now() == before

    def test_extreme_clock_is_refused_or_harmless(
        self, client: TestClient, headers: Headers
    ) -> None:
        r = client.post(
            f"{API}/admin/clock",
            json={"now": "9999-12-31T20:00:00+08:00"},
            headers=headers("admin"),
        )
        if r.status_code == 200:
            r = client.post(f"{API}/auth/token", data={"username": "admin", "password": "demo"})
            assert r.status_code == 200, r.text
        else:
            assert_problem(r, 422)

    def test_without_fake_clock_it_does_not_exist(self, db_url: str, clock: FixedClock) -> None:
        settings = Settings(
            database_url=db_url, forms_dir=FIXTURES / "forms", secret_key="test-secret-key"
        )
        assert settings.clock.fake is False
        app: App = build(settings, clock)
        try:
            from engine.demo_seed import seed_users

            seed_users(app.ctx)
            with TestClient(create_app(app), raise_server_exceptions=False) as c:
                r = c.post(
                    f"{API}/admin/clock",
                    json={"now": "2027-01-01T00:00:00+08:00"},
                    headers=login(c, "admin"),
                )
                assert r.status_code in (404, 405)
                assert clock.now().year == 2026
        finally:
            app.close()


class TestTimers:
    def test_run_fires_the_due_timer_and_closes(
        self, client: TestClient, headers: Headers, drive: Driver
    ) -> None:
        c = drive.to_service()
        run = f"{API}/admin/timers/run"
        r = client.post(run, headers=headers("admin"))
        assert r.status_code == 200, r.text
        assert r.json()["fired"] == 0
        drive.set_clock("2026-04-13T23:59:59+08:00")  # the last second of the period
        assert client.post(run, headers=headers("admin")).json()["fired"] == 0
        assert (
            client.get(f"{API}/cases/{c['id']}", headers=headers("officer")).json()["status"]
            == "open"
        )
        drive.set_clock("2026-04-14T00:00:00+08:00")
        r = client.post(run, headers=headers("admin"))
        assert r.status_code == 200
        assert r.json()["fired"] == 1
        after = client.get(f"{API}/cases/{c['id']}", headers=headers("officer")).json()
        assert (after["status"], after["stage"]) == ("closed", "closed")
        assert after["timers"] == []
        assert after["case_version"] == c["case_version"] + 1
        # idempotent
        assert client.post(run, headers=headers("admin")).json()["fired"] == 0

    def test_others_are_403(self, client: TestClient, headers: Headers) -> None:
        for role in ("officer", "auditor", "head"):
            assert_problem(client.post(f"{API}/admin/timers/run", headers=headers(role)), 403)


# ---------------------------------------------------------------------------- generic errors


class TestGenericErrors:
    def test_unknown_route_is_a_problem(self, client: TestClient, headers: Headers) -> None:
        assert_problem(client.get(f"{API}/nothing-here", headers=headers("officer")), 404)

    def test_wrong_method_is_a_problem(self, client: TestClient, headers: Headers) -> None:
        # 405 is right (see test_problem_details.py::test_405_keeps_the_allow_header); whatever
        # the status, it is a problem.
        r = client.delete(f"{API}/cases", headers=headers("officer"))
        assert r.status_code in (404, 405)
        assert_problem(r, r.status_code)

    def test_openapi_is_served(self, client: TestClient) -> None:
        r = client.get("/openapi.json")
        assert r.status_code == 200
        paths = r.json()["paths"]
        for p in (
            "/api/v1/auth/token",
            "/api/v1/processes",
            "/api/v1/processes/validate",
            "/api/v1/processes/{key}/versions/{version}/bpmn",
            "/api/v1/cases",
            "/api/v1/cases/{case_id}",
            "/api/v1/tasks",
            "/api/v1/cases/{case_id}/tasks/{task_id}/form",
            "/api/v1/cases/{case_id}/tasks/{task_id}/complete",
            "/api/v1/cases/{case_id}/messages",
            "/api/v1/cases/{case_id}/audit",
            "/api/v1/cases/{case_id}/audit/verify",
            "/api/v1/cases/{case_id}/diagram",
            "/api/v1/ledger/stats",
            "/api/v1/ledger.csv",
            "/api/v1/admin/clock",
            "/api/v1/admin/timers/run",
        ):
            assert p in paths, p


# --------------------------------------------------------------- robustness on both databases


class TestHostileInput:
    """Inputs a client can send that a database may choke on: the answer must be 4xx, not 500."""

    @pytest.mark.parametrize(
        "path",
        [
            "/cases?q=a%00b",
            "/cases?status=open%00",
            "/cases?stage=x%00",
            "/processes/mini%00/versions/1/bpmn",
        ],
    )
    def test_nul_in_query_or_path(
        self, client: TestClient, headers: Headers, path: str, request: Any
    ) -> None:
        r = client.get(API + path, headers=headers("admin"))
        assert r.status_code < 500, r.text

    def test_nul_in_username(self, client: TestClient, request: Any) -> None:
        r = client.post(f"{API}/auth/token", data={"username": "a\x00", "password": "x"})
        assert_problem(r, 401)

    def test_nul_in_process_key(self, client: TestClient, headers: Headers, request: Any) -> None:
        r = client.post(
            f"{API}/cases", json={"process_key": "mini\x00", "data": {}}, headers=headers("officer")
        )
        assert r.status_code in (404, 422), r.text

    def test_huge_version_is_422(self, client: TestClient, headers: Headers) -> None:
        # Versions are 32-bit; a larger number is invalid input, not a server error.
        for big in (2**31, 2**63):
            r = client.get(
                f"{API}/processes/{MINI}/versions/{big}/bpmn", headers=headers("officer")
            )
            assert_problem(r, 422)

    def test_huge_parent_case_id(self, client: TestClient, headers: Headers) -> None:
        r = client.post(
            f"{API}/cases",
            json={"process_key": MINI, "data": INTAKE, "parent_case_id": 2**63},
            headers=headers("officer"),
        )
        assert r.status_code in (404, 422), r.text

    @pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
    def test_non_finite_numbers_are_422(
        self, client: TestClient, headers: Headers, literal: str
    ) -> None:
        r = client.post(
            f"{API}/cases",
            content=f'{{"process_key": "mini_case", "data": {{"area_m2": {literal}}}}}'.encode(),
            headers={**headers("officer"), "Content-Type": "application/json"},
        )
        assert_problem(r, 422)
