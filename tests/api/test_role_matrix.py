"""Every endpoint × every role → the exact status: 2xx, 401 (anonymous) or 403.

The policy (API.md "Roles", api/deps.py): case reads are open to every role but designer;
only an officer opens a case; lane roles complete tasks, and the service checks the task's lane
(a head completing an officer task is 403); officers and heads record the party's messages;
designers and admins deploy and validate; every signed-in user reads processes; admin endpoints
are for admins; auditors change nothing. Least privilege (issue 14): the utility reads only the
cases whose cutoff is addressed to it (404 for the others) and no ledger; every signed-in user
may sign out; only admins change users.

One engine per database for the whole module (built once, on SQLite and on PostgreSQL); each
test that changes something gets its own fresh case, so the tests stay independent and fast.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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
from engine.services import Actor
from engine.services.views import CaseView
from tests.api.conftest import API, INTAKE, MINI, USERS, assert_problem, login
from tests.conftest import FIXTURES, SHANGHAI, fixture_bpmn
from tests.integration.conftest import DESIGNER, HEAD, OFFICER, _empty_pg

ROLES = [*USERS, "court", "anonymous"]
ALL_SIGNED_IN = frozenset(USERS) | {"court"}
READERS = ALL_SIGNED_IN - {"designer"}
LEDGER_READERS = READERS - {"utility"}  # least privilege: the utility gets no ledger
NOT_ADDRESSED = {"utility": 404}  # the base case has no utility cutoff
CAMPAIGN = {
    "name": "清违行动",
    "starts_on": "2026-01-01",
    "ends_on": "2026-12-31",
    "districts": ["朝阳"],
}
# A made-up but valid 2030 schedule: the fixed-date holidays the 放假办法 requires.
SCHEDULE_2030 = {
    "rest_days": [
        "2030-01-01",
        "2030-05-01",
        "2030-05-02",
        "2030-10-01",
        "2030-10-02",
        "2030-10-03",
    ],
    "work_days": [],
    "source": "测试",
}


@dataclass
class Env:
    app: App
    client: TestClient
    clock: FixedClock
    base: CaseView  # a case waiting on its officer task, for the read endpoints
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    routes: dict[tuple[str, str], re.Pattern[str]] = field(default_factory=dict)

    def open(self) -> CaseView:
        ctx = self.app.ctx
        return services.open_case(ctx.uow(), ctx=ctx, actor=OFFICER, process_key=MINI, data=INTAKE)

    def complete(self, case: CaseView, data: dict[str, Any], actor: Actor = OFFICER) -> CaseView:
        ctx = self.app.ctx
        return services.complete_task(
            ctx.uow(),
            ctx=ctx,
            actor=actor,
            case_id=case.id,
            task_id=case.tasks[0].id,
            data=data,
            case_version=case.case_version,
        )

    def at_head(self) -> CaseView:
        return self.complete(self.open(), {"classification": "not_correctable", "area_m2": 3})

    def waiting_for_party(self) -> CaseView:
        case = self.complete(self.at_head(), {"compliance_days": 10}, actor=HEAD)
        return self.complete(case, {"service_method": "direct", "served_at": "2026-02-10"})

    def case(self, case_id: int) -> CaseView:
        return services.get_case(self.app.ctx.uow(read_only=True), case_id=case_id)

    def case_count(self) -> int:
        return services.list_cases(self.app.ctx.uow(read_only=True), ctx=self.app.ctx).total


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def env(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    cheap_password_hashes: None,
) -> Iterator[Env]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("matrix") / "qingwei.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_database")
        _empty_pg(url)
    settings = Settings(
        database_url=url,
        forms_dir=FIXTURES / "forms",
        secret_key="test-secret-key",
        fake_clock=True,
    )
    clock = FixedClock(datetime(2026, 2, 10, 9, 0, tzinfo=SHANGHAI))
    app = build(settings, clock)
    seed_users(app.ctx)
    services.add_user(
        app.ctx.uow(), ctx=app.ctx, username="court1", password="demo", roles=("court",)
    )
    services.add_user(
        app.ctx.uow(), ctx=app.ctx, username="bystander", password="demo", roles=("officer",)
    )
    services.deploy_process(
        app.ctx.uow(),
        ctx=app.ctx,
        files={"mini_case.bpmn": fixture_bpmn("mini_case.bpmn")},
        actor=DESIGNER,
    )
    base = services.open_case(
        app.ctx.uow(), ctx=app.ctx, actor=OFFICER, process_key=MINI, data=INTAKE
    )
    with TestClient(create_app(app), raise_server_exceptions=False) as client:
        e = Env(app, client, clock, base)
        for role in [*USERS, "court"]:
            e.tokens[role] = login(client, USERS.get(role, f"{role}1"))
        e.tokens["anonymous"] = {}
        yield e
    app.close()


# An endpoint: how to call it on an Env (method, path, keyword args for the client), the roles
# it lets through, the success status, and an optional check that a refused call changed nothing.
Call = tuple[str, str, dict[str, Any]]
Check = Callable[[Env], Callable[[], None]]


@dataclass(frozen=True)
class Endpoint:
    name: str
    call: Callable[[Env], Call]
    allowed: frozenset[str]
    ok: int = 200
    unchanged: Check | None = None
    optional: bool = False  # beyond API.md: skipped while the route does not exist
    # A role let through the role check but answered otherwise (the utility sees only the
    # cases addressed to it: 404 for the others, as if they did not exist).
    special: dict[str, int] = field(default_factory=dict)
    fresh_token: bool = False  # the call ends the session: sign in anew for it


def _bpmn() -> dict[str, Any]:
    return {"files": [("files", ("mini.bpmn", fixture_bpmn("mini_case.bpmn"), "text/xml"))]}


def _complete(case: CaseView, data: dict[str, Any]) -> Call:
    return (
        "POST",
        f"/cases/{case.id}/tasks/{case.tasks[0].id}/complete",
        {"json": {"data": data, "case_version": case.case_version}},
    )


def _officer_task(e: Env) -> Call:
    return _complete(e.open(), {"classification": "not_correctable", "area_m2": 3})


def _head_task(e: Env) -> Call:
    return _complete(e.at_head(), {"compliance_days": 10})


def _message(e: Env) -> Call:
    case = e.waiting_for_party()
    return (
        "POST",
        f"/cases/{case.id}/messages",
        {"json": {"name": "party_demolished", "data": {}}},
    )


def _same_case_count(e: Env) -> Callable[[], None]:
    before = e.case_count()

    def check() -> None:
        assert e.case_count() == before

    return check


def _latest_case_untouched(e: Env) -> Callable[[], None]:
    """The case the call was about (the newest) keeps its version and its tasks."""
    page = services.list_cases(e.app.ctx.uow(read_only=True), ctx=e.app.ctx, page_size=1)
    newest = page.items[0].id  # newest first
    before = e.case(newest)

    def check() -> None:
        after = e.case(newest)
        assert (after.case_version, after.status, after.tasks) == (
            before.case_version,
            before.status,
            before.tasks,
        )

    return check


def _photo() -> dict[str, Any]:
    from tests.integration.evidence_files import jpeg

    return {"files": {"file": ("现场.jpg", jpeg(), "image/jpeg")}}


def _lead_sheet() -> dict[str, Any]:
    sheet = "地址,区县,线索来源\n朝阳区某路1号,朝阳,巡查\n".encode()
    return {
        "files": {"file": ("leads.csv", sheet, "text/csv")},
        "data": {"dry_run": "true", "process_key": MINI},
    }


def _no_new_attachment(e: Env) -> Callable[[], None]:
    """A refused upload stores nothing on the case it was meant for (the newest)."""
    page = services.list_cases(e.app.ctx.uow(read_only=True), ctx=e.app.ctx, page_size=1)
    newest = page.items[0].id

    def check() -> None:
        from engine.services.evidence import list_attachments

        assert list_attachments(e.app.ctx.uow(read_only=True), case_id=newest) == []

    return check


ENDPOINTS = [
    Endpoint("GET /processes", lambda e: ("GET", "/processes", {}), ALL_SIGNED_IN),
    Endpoint(
        "GET /processes/{key}/versions/{v}/bpmn",
        lambda e: ("GET", f"/processes/{MINI}/versions/1/bpmn", {}),
        ALL_SIGNED_IN,
    ),
    # the same content as deployed: 200 with the existing version
    Endpoint(
        "POST /processes",
        lambda e: ("POST", "/processes", _bpmn()),
        frozenset({"designer", "admin"}),
    ),
    Endpoint(
        "POST /processes/validate",
        lambda e: ("POST", "/processes/validate", _bpmn()),
        frozenset({"designer", "admin"}),
    ),
    Endpoint(
        "POST /cases",
        lambda e: ("POST", "/cases", {"json": {"process_key": MINI, "data": INTAKE}}),
        frozenset({"officer"}),
        ok=201,
        unchanged=_same_case_count,
    ),
    Endpoint("GET /cases", lambda e: ("GET", "/cases", {}), READERS),
    Endpoint(
        "GET /cases/{id}",
        lambda e: ("GET", f"/cases/{e.base.id}", {}),
        READERS,
        special=NOT_ADDRESSED,
    ),
    Endpoint(
        "GET form",
        lambda e: ("GET", f"/cases/{e.base.id}/tasks/{e.base.tasks[0].id}/form", {}),
        READERS,
        special=NOT_ADDRESSED,
    ),
    Endpoint(
        "GET audit",
        lambda e: ("GET", f"/cases/{e.base.id}/audit", {}),
        READERS,
        special=NOT_ADDRESSED,
    ),
    Endpoint(
        "GET audit/verify",
        lambda e: ("GET", f"/cases/{e.base.id}/audit/verify", {}),
        READERS,
        special=NOT_ADDRESSED,
    ),
    Endpoint(
        "GET diagram",
        lambda e: ("GET", f"/cases/{e.base.id}/diagram", {}),
        READERS,
        special=NOT_ADDRESSED,
    ),
    Endpoint("GET /tasks", lambda e: ("GET", "/tasks", {}), READERS),
    Endpoint("GET /ledger/stats", lambda e: ("GET", "/ledger/stats", {}), LEDGER_READERS),
    Endpoint("GET /ledger.csv", lambda e: ("GET", "/ledger.csv", {}), LEDGER_READERS),
    # Campaigns and the ledger (issue 13): heads change campaigns, ledger readers read them;
    # a campaign that does not exist answers 404 after the role check.
    Endpoint("GET /ledger", lambda e: ("GET", "/ledger", {}), LEDGER_READERS),
    Endpoint("GET /ledger.xlsx", lambda e: ("GET", "/ledger.xlsx", {}), LEDGER_READERS),
    Endpoint(
        "POST /campaigns",
        lambda e: ("POST", "/campaigns", {"json": CAMPAIGN}),
        frozenset({"head"}),
        ok=201,
    ),
    Endpoint("GET /campaigns", lambda e: ("GET", "/campaigns", {}), LEDGER_READERS),
    Endpoint(
        "GET /campaigns/{id}", lambda e: ("GET", "/campaigns/999999", {}), LEDGER_READERS, ok=404
    ),
    Endpoint(
        "PUT /campaigns/{id}",
        lambda e: ("PUT", "/campaigns/999999", {"json": CAMPAIGN}),
        frozenset({"head"}),
        ok=404,
    ),
    Endpoint(
        "GET report.xlsx",
        lambda e: ("GET", "/campaigns/999999/report.xlsx", {}),
        LEDGER_READERS,
        ok=404,
    ),
    Endpoint(
        "GET reinspection",
        lambda e: ("GET", "/campaigns/999999/reinspection", {}),
        LEDGER_READERS,
        ok=404,
    ),
    Endpoint(
        "complete officer task",
        _officer_task,
        frozenset({"officer"}),
        unchanged=_latest_case_untouched,
    ),
    Endpoint(
        "complete head task", _head_task, frozenset({"head"}), unchanged=_latest_case_untouched
    ),
    Endpoint(
        "POST messages",
        _message,
        frozenset({"officer", "head"}),
        unchanged=_latest_case_untouched,
    ),
    Endpoint(
        "POST /admin/clock",
        lambda e: ("POST", "/admin/clock", {"json": {"now": e.clock.now().isoformat()}}),
        frozenset({"admin"}),
    ),
    Endpoint(
        "POST /admin/timers/run", lambda e: ("POST", "/admin/timers/run", {}), frozenset({"admin"})
    ),
    # Beyond API.md: timer incidents (issue 14). Auditors read them; only admins act, on an
    # incident that does not exist here (404 after the role check; test_incidents_api acts).
    Endpoint(
        "GET /admin/incidents",
        lambda e: ("GET", "/admin/incidents", {}),
        frozenset({"admin", "auditor"}),
    ),
    Endpoint(
        "POST /admin/incidents/{id}/retry",
        lambda e: ("POST", "/admin/incidents/999999/retry", {}),
        frozenset({"admin"}),
        ok=404,
    ),
    Endpoint(
        "POST /admin/incidents/{id}/resolve",
        lambda e: ("POST", "/admin/incidents/999999/resolve", {"json": {"reason": "已处理"}}),
        frozenset({"admin"}),
        ok=404,
    ),
    Endpoint("GET /calendar/{year}", lambda e: ("GET", "/calendar/2027", {}), ALL_SIGNED_IN),
    Endpoint(
        "PUT /calendar/{year}",
        lambda e: ("PUT", "/calendar/2030", {"json": SCHEDULE_2030}),
        frozenset({"admin"}),
    ),
    # Beyond API.md: the year list, and the system trail (auditors and admins).
    Endpoint("GET /calendar", lambda e: ("GET", "/calendar", {}), ALL_SIGNED_IN, optional=True),
    Endpoint(
        "GET /audit/system",
        lambda e: ("GET", "/audit/system", {}),
        frozenset({"auditor", "admin"}),
        optional=True,
    ),
    Endpoint(
        "GET /audit/system/verify",
        lambda e: ("GET", "/audit/system/verify", {}),
        frozenset({"auditor", "admin"}),
        optional=True,
    ),
    # Documents (issue 11). The read routes are called for a document that does not exist: the
    # role check comes first (403 / 401), then 404; tests/api/test_documents_api.py reads real
    # ones. Verification needs no sign-in: anonymous gets the same 404 as everyone.
    Endpoint(
        "GET documents",
        lambda e: ("GET", f"/cases/{e.base.id}/documents", {}),
        READERS,
        special=NOT_ADDRESSED,
    ),
    Endpoint("GET /documents/{id}", lambda e: ("GET", "/documents/999999", {}), READERS, ok=404),
    Endpoint(
        "GET /documents/{id}/pdf", lambda e: ("GET", "/documents/999999/pdf", {}), READERS, ok=404
    ),
    Endpoint(
        "POST /documents/{id}/withdraw",
        lambda e: ("POST", "/documents/999999/withdraw", {"json": {"reason": "文号有误"}}),
        frozenset({"head"}),
        ok=404,
    ),
    Endpoint(
        "GET /verify/documents/{sha256}",
        lambda e: ("GET", "/verify/documents/" + "f" * 64, {}),
        ALL_SIGNED_IN,
        ok=404,
        special={"anonymous": 404},
    ),
    # Evidence (issue 12): officers and heads upload and withdraw, every case reader reads; the
    # read routes for an attachment that does not exist answer 404 after the role check, like
    # the documents (tests/api/test_attachments_api.py reads real ones).
    Endpoint(
        "POST attachments",
        lambda e: ("POST", f"/cases/{e.open().id}/attachments", _photo()),
        frozenset({"officer", "head"}),
        ok=201,
        unchanged=_no_new_attachment,
    ),
    Endpoint(
        "GET attachments",
        lambda e: ("GET", f"/cases/{e.base.id}/attachments", {}),
        READERS,
        special=NOT_ADDRESSED,
    ),
    Endpoint(
        "GET /attachments/{id}", lambda e: ("GET", "/attachments/999999", {}), READERS, ok=404
    ),
    Endpoint(
        "GET /attachments/{id}/content",
        lambda e: ("GET", "/attachments/999999/content", {}),
        READERS,
        ok=404,
    ),
    Endpoint(
        "GET /attachments/{id}/thumbnail",
        lambda e: ("GET", "/attachments/999999/thumbnail", {}),
        READERS,
        ok=404,
    ),
    Endpoint(
        "POST /attachments/{id}/withdraw",
        lambda e: ("POST", "/attachments/999999/withdraw", {"json": {"reason": "拍错"}}),
        frozenset({"officer", "head"}),
        ok=404,
    ),
    Endpoint(
        "POST /imports/leads (dry run)",
        lambda e: ("POST", "/imports/leads", _lead_sheet()),
        frozenset({"officer", "head"}),
        unchanged=_same_case_count,
    ),
    # Beyond API.md: sign-out and user administration (issue 14).
    Endpoint(
        "POST /auth/logout",
        lambda e: ("POST", "/auth/logout", {}),
        ALL_SIGNED_IN,
        ok=204,
        fresh_token=True,
    ),
    Endpoint(
        "PATCH /users/{username}",
        lambda e: ("PATCH", "/users/bystander", {"json": {"active": True}}),
        frozenset({"admin"}),
    ),
    # Beyond API.md: read-only routes the web pages use (api/routes/web.py).
    Endpoint("GET /clock", lambda e: ("GET", "/clock", {}), ALL_SIGNED_IN, optional=True),
    Endpoint(
        "GET /forms/labels", lambda e: ("GET", "/forms/labels", {}), ALL_SIGNED_IN, optional=True
    ),
    Endpoint(
        "GET audit/export",
        lambda e: ("GET", f"/cases/{e.base.id}/audit/export", {}),
        READERS,
        special=NOT_ADDRESSED,
        optional=True,
    ),
]


def expected(endpoint: Endpoint, role: str) -> int:
    if role == "anonymous":
        return endpoint.special.get("anonymous", 401)
    if role not in endpoint.allowed:
        return 403
    return endpoint.special.get(role, endpoint.ok)


MATRIX = [
    pytest.param(ep, role, expected(ep, role), id=f"{ep.name} | {role} -> {expected(ep, role)}")
    for ep in ENDPOINTS
    for role in ROLES
]


@pytest.mark.parametrize(("endpoint", "role", "status"), MATRIX)
def test_role_matrix(env: Env, endpoint: Endpoint, role: str, status: int) -> None:
    method, path, kwargs = endpoint.call(env)
    if endpoint.optional and not _documented(env, method, path):
        pytest.skip(f"{endpoint.name} is not served by this build")
    check = endpoint.unchanged(env) if endpoint.unchanged and status != endpoint.ok else None
    token = env.tokens[role]
    if endpoint.fresh_token and role != "anonymous":
        token = login(env.client, USERS.get(role, f"{role}1"))
    r = env.client.request(method, API + path, headers=token, **kwargs)
    if status >= 400:
        assert_problem(r, status)
    else:
        assert r.status_code == status, r.text
    if check is not None:
        check()
    if endpoint.fresh_token and status == endpoint.ok:
        # The session really ended: the same token is refused now.
        assert_problem(env.client.get(API + "/tasks", headers=token), 401)


def _routes(env: Env) -> dict[tuple[str, str], re.Pattern[str]]:
    """Every /api/v1 operation of the OpenAPI document, with a pattern matching its paths."""
    if not env.routes:
        spec = env.client.get("/openapi.json").json()
        for p, ops in spec["paths"].items():
            if not p.startswith(API):
                continue
            template = p.removeprefix(API)
            rx = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$")
            for m in ops:
                env.routes[(m.upper(), template)] = rx
    return env.routes


def _documented(env: Env, method: str, path: str) -> bool:
    return any(m == method and rx.match(path) for (m, _), rx in _routes(env).items())


def test_the_table_covers_every_route(env: Env) -> None:
    """A new route must be added to the matrix: every /api/v1 operation of the OpenAPI document
    is called by some row (POST /auth/token signs in, anonymous by design)."""
    routes = set(_routes(env))
    routes.discard(("POST", "/auth/token"))
    routes.discard(("POST", "/auth/refresh"))  # anonymous by design: tests/api/test_sign_in.py
    patterns = {r: rx for r, rx in _routes(env).items() if r in routes}
    covered = set()
    for ep in ENDPOINTS:
        method, path, _ = ep.call(env)
        covered |= {r for r, rx in patterns.items() if r[0] == method and rx.match(path)}
    assert covered == routes, routes - covered


def test_tasks_are_filtered_by_lane(env: Env) -> None:
    """GET /tasks is open to every reader, but lists only the tasks of the caller's lanes."""
    env.at_head()
    for role in READERS:
        r = env.client.get(f"{API}/tasks", headers=env.tokens[role])
        assert r.status_code == 200
        lanes = {t["lane"] for t in r.json()}
        assert lanes <= {role}, (role, lanes)
        if role in ("officer", "head"):
            assert lanes == {role}
