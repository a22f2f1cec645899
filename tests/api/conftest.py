"""API fixtures: a TestClient over the FastAPI app, on SQLite and on PostgreSQL.

The integration fixtures (`db_url` parametrized over both databases, `sqlite_template`,
`pg_database`, `clock`) are re-exported so that every API test runs on both databases, like the
integration suite. The engine is built with the fake clock enabled (`POST /admin/clock` exists)
and the demo users seeded (password "demo").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from engine.bootstrap import App
from engine.clock import FixedClock
from engine.config import Settings
from engine.demo_seed import DEMO_PASSWORD, seed_users
from tests.conftest import FIXTURES
from tests.integration.conftest import *  # noqa: F403 - pytest fixtures (db_url, pg_database, …)

API = "/api/v1"
MINI = "mini_case"
INTAKE: dict[str, Any] = {"address": "朝阳区某路1号", "district": "朝阳", "area_m2": 12.5}

# role → the demo user holding it (engine.demo_seed, password "demo")
USERS = {
    "officer": "officer1",
    "legal_review": "reviewer1",
    "head": "head1",
    "government": "gov1",
    "utility": "utility1",
    "auditor": "auditor1",
    "designer": "designer1",
    "admin": "admin",
}


@pytest.fixture(scope="module", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """Seeding nine users with production-strength argon2 costs ~2 s per test; the API tests
    check authorisation, not hashing strength, so they hash (and verify) with minimal costs.
    Module-scoped: undone after each module, so no other test directory sees it."""
    from argon2 import PasswordHasher

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            "engine.services.users._hasher",
            PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
        )
        yield


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """The integration settings plus the fake clock (POST /admin/clock exists only with it)."""
    s = Settings(
        database_url=db_url,
        forms_dir=FIXTURES / "forms",
        secret_key="test-secret-key",
        fake_clock=True,
    )
    s.files.root = tmp_path / "files"  # issued documents: never in the working directory
    return s


@pytest.fixture
def engine_app(mini: App) -> App:
    """The integration `mini` app (mini_case deployed, FixedClock) with the demo users."""
    seed_users(mini.ctx)
    return mini


@pytest.fixture
def client(engine_app: App) -> Iterator[TestClient]:
    with TestClient(create_app(engine_app), raise_server_exceptions=False) as c:
        yield c


def login(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """Sign in through POST /auth/token; the Authorization header for later requests."""
    r = client.post(f"{API}/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture
def headers(client: TestClient, clock: FixedClock) -> Callable[[str], dict[str, str]]:
    """`headers("officer")` → the Authorization header of that role's demo user.

    Tokens are cached, and renewed when the fake clock has moved far enough (or backwards) for
    them to have expired: tokens age on the engine's clock.
    """
    cache: dict[str, tuple[dict[str, str], datetime]] = {}
    minutes = client.app.state.qingwei.settings.security.token_minutes  # type: ignore[attr-defined]

    def get(role: str) -> dict[str, str]:
        now = clock.now()
        hit = cache.get(role)
        if hit is None or not (hit[1] <= now < hit[1] + timedelta(minutes=minutes - 1)):
            hit = (login(client, USERS.get(role, role)), now)
            cache[role] = hit
        return hit[0]

    return get


def assert_problem(r: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with `status`; 422 also lists errors[{loc,msg}]."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body: dict[str, Any] = r.json()
    for key in ("type", "title", "status", "detail"):
        assert key in body, f"problem without {key!r}: {body}"
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["type"], str) and body["type"]
    if status == 422:
        assert isinstance(body.get("errors"), list) and body["errors"], body
        for e in body["errors"]:
            assert isinstance(e["loc"], list), e
            assert isinstance(e["msg"], str) and e["msg"], e
    if status == 401:
        assert r.headers.get("www-authenticate", "").lower().startswith("bearer")
    return body


class Driver:
    """Drives mini_case through the HTTP API (investigate → decide → serve)."""

    def __init__(self, client: TestClient, headers: Callable[[str], dict[str, str]]) -> None:
        self.c = client
        self.h = headers

    def open(self, data: dict[str, Any] | None = None, key: str = MINI) -> dict[str, Any]:
        r = self.c.post(
            f"{API}/cases",
            json={"process_key": key, "data": dict(INTAKE if data is None else data)},
            headers=self.h("officer"),
        )
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    def complete(
        self, case: dict[str, Any], data: dict[str, Any], role: str = "officer"
    ) -> dict[str, Any]:
        task = case["tasks"][0]
        r = self.c.post(
            f"{API}/cases/{case['id']}/tasks/{task['id']}/complete",
            json={"data": data, "case_version": case["case_version"]},
            headers=self.h(role),
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def investigate(self, case: dict[str, Any]) -> dict[str, Any]:
        return self.complete(case, {"classification": "not_correctable", "area_m2": 12.5})

    def decide(self, case: dict[str, Any]) -> dict[str, Any]:
        return self.complete(case, {"compliance_days": 10}, role="head")

    def serve(self, case: dict[str, Any]) -> dict[str, Any]:
        return self.complete(case, {"service_method": "direct", "served_at": "2026-02-10"})

    def to_service(self) -> dict[str, Any]:
        """A case waiting on the 60 CD timer and the party_demolished message."""
        return self.serve(self.decide(self.investigate(self.open())))

    def set_clock(self, now: str) -> None:
        r = self.c.post(f"{API}/admin/clock", json={"now": now}, headers=self.h("admin"))
        assert r.status_code == 200, r.text


@pytest.fixture
def drive(client: TestClient, headers: Callable[[str], dict[str, str]]) -> Driver:
    return Driver(client, headers)
