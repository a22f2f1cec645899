"""The Documents (文书) routes of API.md on both databases: list, read, PDF bytes, and the
public verification that answers 404 for anything not genuine."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from engine.bootstrap import App
from engine.files import LocalFileStore
from engine.services import Actor
from engine.services.documents import issue
from engine.store.models import Case
from tests.api.conftest import API, Driver, assert_problem


def _issue_demand(app: App, case_id: int) -> None:
    """Issue a 催告书 on a mini_case case the way a step does (mini_case issues none itself)."""
    ctx = app.ctx
    with ctx.uow() as uow:
        assert uow.session is not None
        case = uow.session.get(Case, case_id)
        assert case is not None
        issue(
            uow,
            ctx=ctx,
            case=case,
            kind=ctx.documents.catalog.kinds["催告书"],
            data={
                **case.data,
                "party_name": "张某",
                "demand_issued_on": "2026-03-02",
                "performance_deadline_text": "十个工作日内",
                "performance_method": "自行拆除",
                "statement_rights_stated": True,
            },
            element_id="demand",
            task_id=None,
            actor=Actor("officer1", ("officer",)),
            now=ctx.clock.now(),
        )
        ctx.commit(uow)


def test_documents_routes(
    client: TestClient,
    engine_app: App,
    drive: Driver,
    headers: Callable[[str], dict[str, str]],
    tmp_path: Path,
) -> None:
    engine_app.ctx.documents.files = LocalFileStore(tmp_path / "files")
    case = drive.open()
    _issue_demand(engine_app, case["id"])

    r = client.get(f"{API}/cases/{case['id']}/documents", headers=headers("officer"))
    assert r.status_code == 200, r.text
    docs: list[dict[str, Any]] = r.json()
    assert [d["kind"] for d in docs] == ["催告书"]
    doc = docs[0]
    assert set(doc) >= {
        "id",
        "case_id",
        "kind",
        "title",
        "number",
        "issued_at",
        "element_id",
        "sha256",
        "served_at",
        "service_method",
    }
    assert doc["number"] == "某城管催字〔2026〕第0001号"

    one = client.get(f"{API}/documents/{doc['id']}", headers=headers("auditor"))
    assert one.status_code == 200 and one.json()["sha256"] == doc["sha256"]

    pdf = client.get(f"{API}/documents/{doc['id']}/pdf", headers=headers("officer"))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == doc["sha256"]
    assert client.get(f"{API}/documents/{doc['id']}/pdf").status_code == 401

    # The utility sees no case that is not addressed to it, nor its documents.
    assert_problem(client.get(f"{API}/documents/{doc['id']}", headers=headers("utility")), 404)

    # Verification needs no sign-in: by hash or by the printed code; 404 for anything else.
    v = client.get(f"{API}/verify/documents/{doc['sha256']}")
    assert v.status_code == 200
    assert v.json() | {"issued_at": None} == {
        "valid": True,
        "number": doc["number"],
        "kind": "催告书",
        "case_no": case["case_no"],
        "issued_at": None,
        "withdrawn": None,
    }
    assert client.get(f"{API}/verify/documents/{doc['verify_code']}").status_code == 200
    for bad in ("f" * 64, "ABCDEFABCD", "x" * 20):
        assert_problem(client.get(f"{API}/verify/documents/{bad}"), 404)
    assert_problem(client.get(f"{API}/documents/999999", headers=headers("officer")), 404)


def test_withdrawal_marks_audits_and_answers_verification(
    client: TestClient,
    engine_app: App,
    drive: Driver,
    headers: Callable[[str], dict[str, str]],
    tmp_path: Path,
) -> None:
    engine_app.ctx.documents.files = LocalFileStore(tmp_path / "files")
    case = drive.open()
    _issue_demand(engine_app, case["id"])
    (doc,) = client.get(f"{API}/cases/{case['id']}/documents", headers=headers("officer")).json()
    assert doc["withdrawn"] is False and doc["withdrawn_reason"] is None
    url = f"{API}/documents/{doc['id']}/withdraw"

    # Only the head withdraws; a reason is required; nothing changes when refused.
    assert_problem(client.post(url, json={"reason": "错"}, headers=headers("officer")), 403)
    assert_problem(client.post(url, json={"reason": ""}, headers=headers("head")), 422)
    assert_problem(client.post(url, json={}, headers=headers("head")), 422)
    assert client.get(f"{API}/verify/documents/{doc['sha256']}").json()["valid"] is True

    r = client.post(url, json={"reason": "当事人姓名有误 wrong party"}, headers=headers("head"))
    assert r.status_code == 200, r.text
    gone = r.json()
    assert gone["withdrawn"] is True and gone["withdrawn_by"] == "head1"
    assert gone["withdrawn_reason"] == "当事人姓名有误 wrong party"
    assert (gone["number"], gone["sha256"]) == (doc["number"], doc["sha256"])
    # Once only.
    assert_problem(client.post(url, json={"reason": "again"}, headers=headers("head")), 409)

    # Never deleted: listed (marked) and the stored PDF is still the record.
    (listed,) = client.get(f"{API}/cases/{case['id']}/documents", headers=headers("officer")).json()
    assert listed["withdrawn"] is True and listed["withdrawn_at"] is not None
    pdf = client.get(f"{API}/documents/{doc['id']}/pdf", headers=headers("officer"))
    assert hashlib.sha256(pdf.content).hexdigest() == doc["sha256"]

    # Verification (no sign-in) says it was withdrawn, by hash and by code.
    for key in (doc["sha256"], doc["verify_code"]):
        v = client.get(f"{API}/verify/documents/{key}")
        assert v.status_code == 200
        body = v.json()
        assert body["valid"] is False and body["number"] == doc["number"]
        assert body["withdrawn"]["reason"] == "当事人姓名有误 wrong party"
        assert body["withdrawn"]["at"] == listed["withdrawn_at"]

    # Audited in the case's chain, and the chain still verifies.
    events = client.get(f"{API}/cases/{case['id']}/audit", headers=headers("auditor")).json()
    (event,) = [e for e in events if e["action"] == "document_withdrawn"]
    assert event["actor"] == "head1"
    assert event["data"]["sha256"] == doc["sha256"]
    assert event["data"]["reason"] == "当事人姓名有误 wrong party"
