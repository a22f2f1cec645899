"""Least privilege (issue 14, item 5), driven through HTTP the way the attack did.

The attack: the utility role read every case, party ID numbers included, and the whole ledger.
Now the utility sees only the cases whose cutoff is addressed to it (a task waiting in, or done
in, its lane), never an ID number or phone; the ledger is refused to it; roles that do not
need personal data (utility, admin) see it masked in cases, lists, trails and exports.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine import services
from engine.bootstrap import App
from tests.api.conftest import API, INTAKE, Driver, assert_problem
from tests.conftest import fixture_bpmn
from tests.integration.conftest import DESIGNER

Headers = Callable[[str], dict[str, str]]
ID_NO = "110101199001011234"
PHONE = "13812345678"
PARTY = {**INTAKE, "party_known": True, "party_name": "张三", "party_id_no": ID_NO,
         "party_phone": PHONE}  # fmt: skip


@pytest.fixture
def cutoff_case(engine_app: App, drive: Driver) -> dict[str, Any]:
    """A case whose second task (the decision, here) waits in the utility lane: a cutoff
    addressed to the utility. The process is mini_case with its head lane renamed."""
    xml = (
        fixture_bpmn("mini_case.bpmn")
        .decode("utf-8")
        .replace('id="mini_case"', 'id="utility_case"')
        .replace('processRef="mini_case"', 'processRef="utility_case"')
        .replace('name="head"', 'name="utility"')
    )
    services.deploy_process(
        engine_app.ctx.uow(),
        ctx=engine_app.ctx,
        files={"utility_case.bpmn": xml.encode("utf-8")},
        actor=DESIGNER,
    )
    case = drive.open(PARTY, key="utility_case")
    case = drive.investigate(case)
    assert case["tasks"][0]["lane"] == "utility"
    return case


def case_ids(client: TestClient, h: dict[str, str]) -> set[int]:
    r = client.get(f"{API}/cases", params={"page_size": 200}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return {c["id"] for c in body["items"]}


def test_utility_sees_only_the_cases_addressed_to_it(
    client: TestClient, headers: Headers, drive: Driver, cutoff_case: dict[str, Any]
) -> None:
    other = drive.investigate(drive.open(PARTY))
    utility = headers("utility")
    assert case_ids(client, utility) == {cutoff_case["id"]}
    assert case_ids(client, headers("officer")) >= {cutoff_case["id"], other["id"]}
    for path in ("", "/audit", "/audit/verify", "/diagram", "/audit/export"):
        assert_problem(client.get(f"{API}/cases/{other['id']}{path}", headers=utility), 404)
        r = client.get(f"{API}/cases/{cutoff_case['id']}{path}", headers=utility)
        assert r.status_code == 200, (path, r.text)
    task = other["tasks"][0]["id"]
    form = client.get(f"{API}/cases/{other['id']}/tasks/{task}/form", headers=utility)
    assert_problem(form, 404)
    # A search cannot reach around it either.
    r = client.get(f"{API}/cases", params={"q": "张三"}, headers=utility)
    assert [c["id"] for c in r.json()["items"]] == [cutoff_case["id"]]
    # Having acted on the cutoff, the utility still reads the case (the task is done there).
    done = drive.complete(cutoff_case, {"compliance_days": 10}, role="utility")
    assert done["tasks"][0]["lane"] != "utility"
    assert case_ids(client, utility) == {cutoff_case["id"]}


def test_personal_data_is_masked_for_roles_that_do_not_need_it(
    client: TestClient, headers: Headers, cutoff_case: dict[str, Any]
) -> None:
    cid = cutoff_case["id"]
    for role in ("utility", "admin"):
        h = headers(role)
        body = client.get(f"{API}/cases/{cid}", headers=h).json()
        assert body["data"]["party_id_no"] == "*" * 14 + "1234"
        assert body["data"]["party_phone"] == "*******5678"
        assert body["data"]["address"] == INTAKE["address"]  # the site stays visible
        listed = client.get(f"{API}/cases", headers=h).json()["items"]
        trail = client.get(f"{API}/cases/{cid}/audit", headers=h).text
        export = client.get(f"{API}/cases/{cid}/audit/export", headers=h).text
        for text in (json.dumps(listed, ensure_ascii=False), trail, export):
            assert ID_NO not in text and PHONE not in text, role
            assert "*" * 14 + "1234" in text, role
    for role in ("officer", "legal_review", "head", "auditor"):
        body = client.get(f"{API}/cases/{cid}", headers=headers(role)).json()
        assert (body["data"]["party_id_no"], body["data"]["party_phone"]) == (ID_NO, PHONE)
        assert ID_NO in client.get(f"{API}/cases/{cid}/audit", headers=headers(role)).text


def test_the_utility_gets_no_ledger_and_the_ledger_has_no_identity_numbers(
    client: TestClient, headers: Headers, cutoff_case: dict[str, Any]
) -> None:
    for path in ("/ledger/stats", "/ledger.csv"):
        assert_problem(client.get(f"{API}{path}", headers=headers("utility")), 403)
    r = client.get(f"{API}/ledger.csv", headers=headers("officer"))
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.text)))
    assert any(cutoff_case["case_no"] in row for row in rows)
    assert ID_NO not in r.text and PHONE not in r.text
