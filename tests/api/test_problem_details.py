"""RFC 9457 problem details: how api/errors.py maps each domain error, and how the OpenAPI
document describes error bodies (the contract clients generate code from)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import errors
from api.main import create_app
from engine.errors import (
    Conflict,
    DeploymentRejected,
    FieldError,
    GuardRefused,
    NotFound,
    NotWaitingForMessage,
    PermissionDenied,
    ProcessFault,
    StaleCaseVersion,
    TaskNotReady,
    ValidationFailed,
)
from tests.api.conftest import API, assert_problem

Headers = Callable[[str], dict[str, str]]


def _raiser(exc: BaseException) -> Callable[[], None]:
    def route() -> None:
        raise exc

    return route


DOMAIN_ERRORS: list[tuple[str, BaseException, int]] = [
    ("not_found", NotFound("case 9 does not exist"), 404),
    ("forbidden", PermissionDenied("task 'x' belongs to the 'head' lane"), 403),
    ("conflict", Conflict("busy"), 409),
    ("stale", StaleCaseVersion("case QW-2026-000001 is at version 3, not 2"), 409),
    ("not_ready", TaskNotReady("task t is not ready"), 409),
    ("not_waiting", NotWaitingForMessage("not waiting for 'x'"), 409),
    ("guard", GuardRefused("ACL Art. 43", "no forced demolition at night"), 409),
    ("invalid", ValidationFailed([FieldError(["a", 0], "bad"), FieldError([], "root")]), 422),
    ("rejected", DeploymentRejected(["x.bpmn: not well-formed XML"]), 422),
    ("fault", ProcessFault("a script raised"), 500),
]


@pytest.fixture(scope="module")
def bare() -> TestClient:
    """A FastAPI app with only api.errors installed and routes that raise each error."""
    app = FastAPI()
    errors.install(app)
    for name, exc, _ in DOMAIN_ERRORS:
        app.add_api_route(f"/raise/{name}", _raiser(exc))
    app.add_api_route("/raise/unhandled", _raiser(RuntimeError("database went away")))
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(("name", "status"), [(n, s) for n, _, s in DOMAIN_ERRORS])
def test_domain_errors_map_to_problems(bare: TestClient, name: str, status: int) -> None:
    body = assert_problem(bare.get(f"/raise/{name}"), status)
    assert body["type"] != "about:blank"  # a domain problem has its own type


def test_guard_refusal_names_the_article(bare: TestClient) -> None:
    body = assert_problem(bare.get("/raise/guard"), 409)
    assert "ACL Art. 43" in body["detail"]
    assert body["article"] == "ACL Art. 43"


def test_validation_lists_every_field(bare: TestClient) -> None:
    body = assert_problem(bare.get("/raise/invalid"), 422)
    assert body["errors"] == [{"loc": ["a", 0], "msg": "bad"}, {"loc": [], "msg": "root"}]


def test_duty_conflict_is_403(bare: TestClient) -> None:
    duty = pytest.importorskip("engine.errors").__dict__.get("DutyConflict")
    if duty is None:
        pytest.skip("engine.errors has no DutyConflict yet")
    app = FastAPI()
    errors.install(app)
    app.add_api_route("/d", _raiser(duty("ALP Art. 57", "the investigator may not decide")))
    body = assert_problem(TestClient(app).get("/d"), 403)
    assert "ALP Art. 57" in body["detail"]


def test_unexpected_error_is_a_problem_too(bare: TestClient) -> None:
    body = assert_problem(bare.get("/raise/unhandled"), 500)
    assert "database went away" not in body["detail"]  # no internals leak


def test_405_keeps_the_allow_header(client: TestClient, headers: Headers) -> None:
    r = client.put(f"{API}/ledger/stats", headers=headers("auditor"))
    assert_problem(r, 405)
    assert "GET" in r.headers.get("allow", "")
    r = client.delete(f"{API}/cases", headers=headers("officer"))
    assert_problem(r, 405)
    # Starlette names the methods of the first route of that path (GET and POST are two routes).
    allowed = set(r.headers.get("allow", "").replace(" ", "").split(","))
    assert allowed and allowed <= {"GET", "POST"}


def test_undecodable_body_is_422(client: TestClient, headers: Headers) -> None:
    r = client.post(
        f"{API}/cases",
        content=b"\xff\xfe{",
        headers={**headers("officer"), "Content-Type": "application/json"},
    )
    assert_problem(r, 422)


# ------------------------------------------------------------------------------ the document


def _openapi() -> dict[str, Any]:
    return create_app(SimpleNamespace()).openapi()  # type: ignore[arg-type]


def _error_responses() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for path, ops in _openapi()["paths"].items():
        if not path.startswith(API):
            continue
        for method, op in ops.items():
            for code, response in op["responses"].items():
                if code.startswith(("4", "5")):
                    out.append((f"{method.upper()} {path} {code}", code, response))
    return out


def test_every_operation_documents_401() -> None:
    """Every operation but sign-in and the public document verification needs a token, and
    says so."""
    for path, ops in _openapi()["paths"].items():
        if not path.startswith(API) or path.endswith("/auth/token"):
            continue
        if path.startswith(f"{API}/verify/"):  # API.md: no sign-in
            continue
        for method, op in ops.items():
            assert "401" in op["responses"], f"{method.upper()} {path}"


def test_error_bodies_are_documented_as_problem_json() -> None:
    wrong = []
    for where, _code, response in _error_responses():
        content = response.get("content", {})
        schema = content.get("application/problem+json", {}).get("schema", {})
        if "application/json" in content or "Problem" not in str(schema):
            wrong.append(where)
    assert not wrong, wrong
