"""Every list is paged (issue 14), on both databases: arrays stay arrays (API.md), with optional
`page` / `page_size`, `X-Total-Count` and an RFC 8288 `Link` header; out-of-range is 422."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from engine.bootstrap import App
from engine.clock import FixedClock
from engine.services.casework import get_case_row, record_case_event
from engine.services.context import Actor
from tests.api.conftest import API, Driver, assert_problem

Headers = Callable[[str], dict[str, str]]
N_EVENTS = 300


def links(header: str) -> dict[str, str]:
    """RFC 8288 `Link` → {rel: URL}."""
    return {rel: url for url, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', header)}


def add_events(app: App, clock: FixedClock, case_id: int, n: int) -> None:
    """`n` more events on the case's chain (notes by its officer), each in its own step."""
    officer = Actor("officer1", ("officer",))
    for i in range(n):
        clock.advance(timedelta(seconds=1))
        with app.ctx.uow() as uow:
            case = get_case_row(uow, case_id, lock=True)
            record_case_event(
                uow,
                case,
                at=clock.now(),
                actor=officer,
                action="note_recorded",
                element_id=None,
                data={"n": i},
            )
            app.ctx.commit(uow)


def test_a_300_event_trail_comes_whole_by_default_and_page_by_page_through_the_links(
    client: TestClient, headers: Headers, drive: Driver, engine_app: App, clock: FixedClock
) -> None:
    case = drive.open()
    before = len(client.get(f"{API}/cases/{case['id']}/audit", headers=headers("officer")).json())
    add_events(engine_app, clock, case["id"], N_EVENTS - before)
    url = f"{API}/cases/{case['id']}/audit"

    whole = client.get(url, headers=headers("officer"))
    assert whole.status_code == 200
    assert isinstance(whole.json(), list) and len(whole.json()) == N_EVENTS  # as before
    assert whole.headers["X-Total-Count"] == str(N_EVENTS)
    assert "next" not in links(whole.headers["Link"])
    seqs = [e["seq"] for e in whole.json()]

    first = client.get(url, params={"page_size": 120}, headers=headers("officer"))
    assert first.headers["X-Total-Count"] == str(N_EVENTS)
    got = [e["seq"] for e in first.json()]
    rels = links(first.headers["Link"])
    assert set(rels) == {"first", "next", "last"}
    assert "page=3" in rels["last"]
    pages = 1
    while "next" in rels:
        r = client.get(rels["next"], headers=headers("officer"))  # the link as given
        assert r.status_code == 200 and r.headers["X-Total-Count"] == str(N_EVENTS)
        got += [e["seq"] for e in r.json()]
        rels = links(r.headers["Link"])
        assert "prev" in rels
        pages += 1
    assert pages == 3
    assert got == seqs  # every event once, in chain order

    past = client.get(url, params={"page": 9, "page_size": 120}, headers=headers("officer"))
    assert past.status_code == 200 and past.json() == []


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/processes", {"page_size": 1001}),
        ("/processes", {"page": 0}),
        ("/tasks", {"page_size": 501}),
        ("/tasks", {"page": -1}),
        ("/cases/{id}/audit", {"page_size": 5001}),
        ("/cases/{id}/audit", {"page": 1_000_001}),
        ("/cases/{id}/documents", {"page_size": 0}),
        ("/cases/{id}/attachments", {"page_size": 1001}),
        ("/audit/system", {"page_size": 5001}),
        ("/campaigns", {"page": "x"}),
        ("/calendar", {"page_size": 301}),
        ("/admin/incidents", {"page_size": 201}),
    ],
)
def test_out_of_range_paging_is_422_naming_the_parameter(
    client: TestClient, headers: Headers, drive: Driver, path: str, params: dict[str, object]
) -> None:
    case = drive.open()
    role = {"/audit/system": "auditor", "/campaigns": "head", "/admin/incidents": "admin"}
    r = client.get(
        API + path.format(id=case["id"]), params=params, headers=headers(role.get(path, "officer"))
    )
    body = assert_problem(r, 422)
    assert [e["loc"][-1] for e in body["errors"]] == list(params)


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/processes", "officer"),
        ("/tasks", "officer"),
        ("/cases/{id}/audit", "officer"),
        ("/cases/{id}/documents", "officer"),
        ("/cases/{id}/attachments", "officer"),
        ("/audit/system", "auditor"),
        ("/campaigns", "head"),
        ("/calendar", "officer"),
        ("/admin/incidents", "admin"),
    ],
)
def test_every_list_is_an_array_with_its_total_and_links(
    client: TestClient, headers: Headers, drive: Driver, path: str, role: str
) -> None:
    case = drive.open()
    url = API + path.format(id=case["id"])
    whole = client.get(url, headers=headers(role))
    assert whole.status_code == 200, whole.text
    assert isinstance(whole.json(), list)
    total = int(whole.headers["X-Total-Count"])
    assert total == len(whole.json())
    one = client.get(url, params={"page_size": 1}, headers=headers(role))
    assert one.json() == whole.json()[:1]
    rels = links(one.headers["Link"])
    assert ("next" in rels) == (total > 1)
    if total > 1:
        second = client.get(rels["next"], headers=headers(role))
        assert second.json() == whole.json()[1:2]


def test_tasks_are_cut_in_the_query_in_their_order(
    client: TestClient, headers: Headers, drive: Driver, clock: FixedClock
) -> None:
    for _ in range(7):
        drive.open()
        clock.advance(timedelta(minutes=1))
    whole = client.get(f"{API}/tasks", headers=headers("officer")).json()
    assert len(whole) == 7
    got: list[str] = []
    url: str | None = f"{API}/tasks?page_size=3"
    while url is not None:
        r = client.get(url, headers=headers("officer"))
        assert r.headers["X-Total-Count"] == "7"
        got += [t["id"] for t in r.json()]
        url = links(r.headers["Link"]).get("next")
    assert got == [t["id"] for t in whole]
