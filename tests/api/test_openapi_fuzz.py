"""Property-based contract test: schemathesis generates requests from /openapi.json.

Every response must not be a server error and must conform to the schema documented for its
operation and status code. Runs in-process over ASGI (no server), authenticated as an admin and
as an officer, with a bounded, derandomised number of examples per operation.

SQLite only: this is a contract test of the HTTP layer (request parsing, response shapes, error
mapping), not a storage test; the storage-specific failures it can provoke (NUL characters,
out-of-range integers on PostgreSQL) are pinned as explicit tests in test_endpoints.py, which
run on both databases.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from api.main import create_app
from engine import services
from engine.bootstrap import App, build
from engine.clock import FixedClock
from engine.config import Settings
from engine.demo_seed import seed_users
from tests.api.conftest import INTAKE, MINI, login
from tests.conftest import FIXTURES, SHANGHAI, fixture_bpmn
from tests.integration.conftest import DESIGNER, OFFICER

START = datetime(2026, 2, 10, 9, 0, tzinfo=SHANGHAI)
FUZZ = settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@dataclass
class Fuzz:
    app: App
    asgi: FastAPI
    client: TestClient
    clock: FixedClock
    tokens: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def fuzz(
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    cheap_password_hashes: None,
) -> Iterator[Fuzz]:
    path = tmp_path_factory.mktemp("fuzz") / "qingwei.db"
    shutil.copy(sqlite_template, path)
    clock = FixedClock(START)
    app = build(
        Settings(
            database_url=f"sqlite:///{path}",
            forms_dir=FIXTURES / "forms",
            secret_key="test-secret-key",
            fake_clock=True,
        ),
        clock,
    )
    seed_users(app.ctx)
    services.deploy_process(
        app.ctx.uow(),
        ctx=app.ctx,
        files={"mini_case.bpmn": fixture_bpmn("mini_case.bpmn")},
        actor=DESIGNER,
    )
    # a few cases, so that small generated ids (1, 2, ...) hit real rows now and then
    for _ in range(3):
        services.open_case(app.ctx.uow(), ctx=app.ctx, actor=OFFICER, process_key=MINI, data=INTAKE)
    asgi = create_app(app)
    with TestClient(asgi, raise_server_exceptions=False) as client:
        tokens = {
            role: login(client, user)
            for role, user in (("admin", "admin"), ("officer", "officer1"))
        }
        yield Fuzz(app, asgi, client, clock, tokens)
    app.close()


# The OpenAPI document does not depend on the engine, so it is loaded at import time from an
# app without one (schemathesis' lazy `from_fixture` loader relies on a pytest internal that
# pytest 9 removed); every call is sent in-process to the `fuzz` fixture's ASGI app.
schema = schemathesis.openapi.from_dict(create_app(SimpleNamespace()).openapi())  # type: ignore[arg-type]


@schemathesis.check
def problem_details(ctx: Any, response: Any, case: Any) -> bool | None:
    """API.md: every error is an RFC 9457 problem; a 422 also lists errors[{loc, msg}].

    (response_schema_conformance does not cover error bodies: /openapi.json documents them
    under application/json while the API sends application/problem+json — see
    test_problem_details.py::test_error_bodies_are_documented_as_problem_json.)
    """
    status = response.status_code
    if status < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith("application/problem+json"), (status, content_type)
    body = json.loads(response.content)
    for key in ("type", "title", "status", "detail"):
        assert key in body, (status, body)
    assert body["status"] == status, body
    if status == 422:
        assert isinstance(body.get("errors"), list) and body["errors"], body
        for e in body["errors"]:
            assert isinstance(e.get("loc"), list) and isinstance(e.get("msg"), str), e
    return None


CHECKS: list[Any] = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
    problem_details,
]


def _call(case: Any, fuzz: Fuzz, role: str) -> None:
    try:
        case.call_and_validate(app=fuzz.asgi, headers=fuzz.tokens[role], checks=CHECKS)
    finally:
        # POST /admin/clock may have moved the clock: put it back for the next example.
        fuzz.clock.set(START)


@schema.parametrize()
@FUZZ
def test_openapi_as_admin(case: Any, fuzz: Fuzz) -> None:
    _call(case, fuzz, "admin")


@schema.parametrize()
@FUZZ
def test_openapi_as_officer(case: Any, fuzz: Fuzz) -> None:
    _call(case, fuzz, "officer")
