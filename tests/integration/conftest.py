"""Integration fixtures: every test runs once on SQLite and once on PostgreSQL.

SQLite: a migrated template file is copied per test. PostgreSQL: one scratch database per
session, migrated once, emptied between tests (with triggers bypassed for the cleanup only:
the audit table's append-only trigger stays in force during the test itself).
Under CI=true an unreachable PostgreSQL is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine import services
from engine.bootstrap import App, build
from engine.clock import FixedClock
from engine.config import Settings
from engine.services import Actor
from engine.store.migrate import upgrade
from tests.conftest import FIXTURES, fixture_bpmn

PG_ADMIN_URL = os.environ.get(
    "QINGWEI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TABLES = (
    "audit_events, audit_checkpoints, timers, ready_tasks, cases, process_versions, users, "
    "system_audit_events, trail_heads, auth_sessions, login_throttle, documents, document_counters"
    ", ledger_entries, ledger_counts, ledger_week_counts, campaigns"
    ", attachments, lead_imports"
    ", timer_incidents"
)

DESIGNER = Actor("designer1", ("designer",))
OFFICER = Actor("officer1", ("officer",))
HEAD = Actor("head1", ("head",))


def _pg_available() -> bool:
    try:
        eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    if not _pg_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI and is not reachable at {PG_ADMIN_URL}")
        pytest.skip("PostgreSQL not reachable")
    name = f"qw_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_pg(url: str) -> None:
    eng = create_engine(url)
    with eng.begin() as c:
        c.execute(text("SET LOCAL session_replication_role = replica"))
        c.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
        # The packaged schedules seeded by the migration stay; a test's own loads go.
        c.execute(text("DELETE FROM holiday_years WHERE loaded_by <> 'migration'"))
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "qingwei.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_database")
    _empty_pg(url)
    return url


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    s = Settings(
        database_url=db_url,
        forms_dir=FIXTURES / "forms",
        secret_key="test-secret-key",
    )
    s.files.root = tmp_path / "files"  # issued documents: never in the working directory
    return s


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> Iterator[App]:
    application = build(settings, clock)
    yield application
    application.close()


@pytest.fixture
def mini(app: App) -> App:
    """The app with the mini_case test process deployed."""
    services.deploy_process(
        app.ctx.uow(),
        ctx=app.ctx,
        files={"mini_case.bpmn": fixture_bpmn("mini_case.bpmn")},
        actor=DESIGNER,
    )
    return app


def is_postgres(app: App) -> bool:
    return app.settings.database.url.startswith("postgresql")
