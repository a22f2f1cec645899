"""Bounded input over HTTP on both databases (issue 14, items 3 and 7), driven the way the
attack did: a message 400 levels deep, a 401-digit area, 1e308 and Infinity, a 20 MB message;
each answered problem+json before anything is written. GET /tasks is paginated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import API, Driver, assert_problem

Headers = Callable[[str], dict[str, str]]


def nested(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = {"a": value}
    return value


def trail_length(client: TestClient, headers: Headers, case_id: int) -> int:
    r = client.get(f"{API}/cases/{case_id}/audit", headers=headers("officer"))
    assert r.status_code == 200, r.text
    body = r.json()
    return len(body if isinstance(body, list) else body.get("events", body.get("items", [])))


@pytest.mark.parametrize(
    ("raw", "status", "needle"),
    [
        (
            b'{"name": "party_demolished", "data": ' + b'{"a": ' * 400 + b"1" + b"}" * 401,
            422,
            "嵌套",
        ),
        (b'{"name": "party_demolished", "data": {"area_m2": ' + b"9" * 401 + b"}}", 422, "整数"),
        (b'{"name": "party_demolished", "data": {"area_m2": 1e308}}', 422, "数值超出范围"),
        (b'{"name": "party_demolished", "data": {"area_m2": 1e999}}', 422, "数值超出范围"),
        (b'{"name": "party_demolished", "data": {"area_m2": Infinity}}', 422, "Infinity"),
        (
            b'{"name": "party_demolished", "data": {"note": "' + b"x" * 20_000_000 + b'"}}',
            413,
            "字节",
        ),
    ],
)
def test_hostile_message_payloads_are_refused_before_anything_is_written(
    client: TestClient, headers: Headers, drive: Driver, raw: bytes, status: int, needle: str
) -> None:
    case = drive.to_service()
    before = trail_length(client, headers, case["id"])
    r = client.post(
        f"{API}/cases/{case['id']}/messages",
        content=raw,
        headers={**headers("officer"), "content-type": "application/json"},
    )
    body = assert_problem(r, status)
    assert needle in body["detail"]
    after = client.get(f"{API}/cases/{case['id']}", headers=headers("officer"))
    assert after.status_code == 200
    assert after.json()["case_version"] == case["case_version"]
    assert trail_length(client, headers, case["id"]) == before
    listing = client.get(f"{API}/cases", headers=headers("officer"))
    assert listing.status_code == 200


def test_hostile_intake_is_refused_and_no_case_is_opened(
    client: TestClient, headers: Headers
) -> None:
    for data in (b'{"area_m2": ' + b"9" * 401 + b"}", b'{"area_m2": -1e309}'):
        r = client.post(
            f"{API}/cases",
            content=b'{"process_key": "mini_case", "data": ' + data + b"}",
            headers={**headers("officer"), "content-type": "application/json"},
        )
        assert_problem(r, 422)
    r = client.get(f"{API}/cases", headers=headers("officer"))
    assert r.status_code == 200 and r.json()["total"] == 0, r.text


def test_a_body_without_a_content_type_is_checked_as_json(
    client: TestClient, headers: Headers
) -> None:
    raw = b'{"process_key": "mini_case", "data": ' + b'{"a": ' * 400 + b"1" + b"}" * 401
    r = client.post(f"{API}/cases", content=raw, headers=headers("officer"))
    assert "嵌套" in assert_problem(r, 422)["detail"]


def test_a_deep_but_allowed_payload_still_passes(client: TestClient, headers: Headers) -> None:
    r = client.post(
        f"{API}/cases",
        json={
            "process_key": "mini_case",
            "data": {"address": "x", "area_m2": 12.5, "n": nested(8)},
        },
        headers=headers("officer"),
    )
    assert r.status_code == 201, r.text


def test_tasks_are_paginated_with_the_total_in_a_header(
    client: TestClient, headers: Headers, drive: Driver
) -> None:
    for _ in range(5):
        drive.open()
    r = client.get(f"{API}/tasks", headers=headers("officer"))
    assert r.status_code == 200 and len(r.json()) == 5
    assert r.headers["x-total-count"] == "5"
    pages = [
        client.get(f"{API}/tasks", params={"page": p, "page_size": 2}, headers=headers("officer"))
        for p in (1, 2, 3, 4)
    ]
    assert [len(p.json()) for p in pages] == [2, 2, 1, 0]
    assert {p.headers["x-total-count"] for p in pages} == {"5"}
    ids = [t["id"] for p in pages for t in p.json()]
    assert len(set(ids)) == 5
    assert_problem(
        client.get(f"{API}/tasks", params={"page_size": 10_000}, headers=headers("officer")), 422
    )
