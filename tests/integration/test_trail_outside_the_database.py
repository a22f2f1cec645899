"""The trail cannot be rewritten by the application (issue 14, item 6).

The attack on SQLite: re-hash a case's chain after an edit, move the head on the case row to
the new last hash and delete the signed checkpoints: every chain is consistent again and
`audit verify` passed. Now checkpoints are signed with a key the database does not hold
(QINGWEI_AUDIT_KEY) and appended to a file outside it (QINGWEI_CHECKPOINT_FILE); verify takes
the exported checkpoints as authoritative and reports a missing or mismatching one.

On PostgreSQL the application connects as a role that does not own the tables (migrations run
as the owner): it cannot disable the append-only triggers nor update audit rows, while the
engine works through it.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from engine import audit, services
from engine.bootstrap import App, build
from engine.clock import FixedClock
from engine.config import Settings
from engine.store.models import AuditEvent, Case
from tests.conftest import FIXTURES, ROOT, fixture_bpmn
from tests.integration.conftest import DESIGNER, is_postgres
from tests.integration.test_audit_tamper import drive_case

AUDIT_KEY = "audit-key-held-outside-the-database"


@pytest.fixture
def exported(db_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[App]:
    """An app whose checkpoints are signed with the audit key and exported to a file."""
    settings = Settings(
        database_url=db_url,
        forms_dir=FIXTURES / "forms",
        secret_key="test-secret-key",
        audit_key=AUDIT_KEY,
        checkpoint_file=tmp_path / "export" / "checkpoints.jsonl",
    )
    app = build(settings, clock)
    services.deploy_process(
        app.ctx.uow(),
        ctx=app.ctx,
        files={"mini_case.bpmn": fixture_bpmn("mini_case.bpmn")},
        actor=DESIGNER,
    )
    yield app
    app.close()


def cli_verify(app: App) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGWEI_")}
    sec = app.settings.security
    assert sec.checkpoint_file is not None and sec.audit_key is not None
    env.update(
        QINGWEI_DATABASE_URL=app.settings.database.url,
        QINGWEI_SECRET_KEY="test-secret-key",
        QINGWEI_AUDIT_KEY=sec.audit_key,
        QINGWEI_CHECKPOINT_FILE=str(sec.checkpoint_file),
        QINGWEI_FORMS_DIR=str(FIXTURES / "forms"),
    )
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "qingwei"), "audit", "verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def rehash_and_drop_checkpoints(url: str, case_id: int) -> None:
    """The attack: change what the head decided, re-hash the chain from there, move the head
    on the case row, delete every checkpoint. Each chain is self-consistent afterwards."""
    engine = create_engine(url)
    with Session(engine) as s, s.begin():
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
        ).all()
        prev = audit.GENESIS
        for e in events:
            if e.seq == 3:
                e.data = {**e.data, "after": {"compliance_days": 365}}
            e.prev_hash = prev
            e.hash = audit.compute_hash(prev, audit.event_body(e))
            prev = e.hash
        case = s.get(Case, case_id)
        assert case is not None
        case.audit_head = prev
        s.execute(text("DELETE FROM audit_checkpoints"))
    engine.dispose()


def test_checkpoints_are_exported_and_verify_against_them(exported: App) -> None:
    app = exported
    case = drive_case(app)
    first = services.sign_checkpoint(app.ctx.uow(), ctx=app.ctx)
    second = services.sign_checkpoint(app.ctx.uow(), ctx=app.ctx)
    path = app.settings.security.checkpoint_file
    assert path is not None
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == [first, second]
    assert lines[0]["heads"][str(case.id)] == [6, lines[0]["heads"][str(case.id)][1]]
    # Signed with the audit key, not the secret key.
    at = audit.read_exported(path)[0][0].at
    assert lines[0]["signature"] == audit.sign_heads(AUDIT_KEY, at, lines[0]["heads"])
    assert audit.sign_heads("test-secret-key", at, lines[0]["heads"]) != lines[0]["signature"]
    assert services.verify_case(app.ctx.uow(read_only=True), ctx=app.ctx, case_id=case.id).valid
    assert services.verify_all(app.ctx.uow(read_only=True), ctx=app.ctx) == []
    done = cli_verify(app)
    assert done.returncode == 0, done.stdout + done.stderr


def test_rehashed_chain_with_checkpoints_deleted_is_caught(exported: App) -> None:
    app = exported
    if is_postgres(app):
        pytest.skip("on PostgreSQL the trigger refuses the rewrite (test below)")
    case = drive_case(app)
    other = drive_case(app, area=3)
    services.sign_checkpoint(app.ctx.uow(), ctx=app.ctx)
    rehash_and_drop_checkpoints(app.settings.database.url, case.id)
    # The chain itself verifies: only the export can tell.
    with app.ctx.uow(read_only=True) as uow:
        events = uow.audit.chain(case.id)
        assert audit.verify_chain(case.id, events, uow.cases.all_heads()[case.id]).valid
    report = services.verify_case(app.ctx.uow(read_only=True), ctx=app.ctx, case_id=case.id)
    assert not report.valid
    assert report.reason is not None and "missing" in report.reason
    failures = services.verify_all(app.ctx.uow(read_only=True), ctx=app.ctx)
    reasons = " | ".join(f.reason or "" for f in failures)
    assert "exported checkpoint 1 is missing" in reasons
    assert any(f.case_id == case.id and f.first_bad_seq == 6 for f in failures), failures
    assert not any(f.case_id == other.id for f in failures)
    done = cli_verify(app)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "exported checkpoint 1 is missing" in done.stdout
    assert f"case {case.case_no}: event 6 is bad" in done.stdout


def test_a_checkpoint_that_was_never_exported_or_an_empty_export_fails(exported: App) -> None:
    app = exported
    path = app.settings.security.checkpoint_file
    assert path is not None
    case = drive_case(app)
    # Events but no checkpoint anywhere: the export is required.
    failures = services.verify_all(app.ctx.uow(read_only=True), ctx=app.ctx)
    assert any("no exported checkpoint" in (f.reason or "") for f in failures), failures
    services.sign_checkpoint(app.ctx.uow(), ctx=app.ctx)
    assert services.verify_all(app.ctx.uow(read_only=True), ctx=app.ctx) == []
    path.unlink()  # the export lost or withheld
    report = services.verify_case(app.ctx.uow(read_only=True), ctx=app.ctx, case_id=case.id)
    assert not report.valid and report.reason is not None
    assert "no exported checkpoint" in report.reason or "never exported" in report.reason
    system = services.verify_system(app.ctx.uow(read_only=True), ctx=app.ctx)
    assert not system.valid
    # A line altered in the export (a signed head changed) is a mismatch.
    services.sign_checkpoint(app.ctx.uow(), ctx=app.ctx)
    line = json.loads(path.read_text(encoding="utf-8"))
    line["heads"][str(case.id)][0] = 5
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    failures = services.verify_all(app.ctx.uow(read_only=True), ctx=app.ctx)
    reasons = " | ".join(f.reason or "" for f in failures)
    assert "differs from its export" in reasons and "signature is invalid" in reasons


def test_without_an_export_the_rewrite_passes_which_is_why_it_is_required(
    exported: App,
) -> None:
    """The limit, shown: with no export file configured the same attack is not caught."""
    app = exported
    if is_postgres(app):
        pytest.skip("SQLite only: the PostgreSQL trigger refuses the rewrite")
    case = drive_case(app)
    services.sign_checkpoint(app.ctx.uow(), ctx=app.ctx)
    rehash_and_drop_checkpoints(app.settings.database.url, case.id)
    app.settings.security.checkpoint_file = None
    report = services.verify_case(app.ctx.uow(read_only=True), ctx=app.ctx, case_id=case.id)
    assert report.valid


def test_app_role_cannot_disable_triggers_or_rewrite_audit_rows(
    db_url: str, clock: FixedClock
) -> None:
    """PostgreSQL: the engine runs as a role granted DML only (README "Security"); through it
    a case is driven to its end, and the same role cannot disable the trigger, update or
    delete audit rows, truncate, or switch triggers off for its session."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    role = f"qw_app_{uuid.uuid4().hex[:8]}"
    owner = create_engine(db_url, isolation_level="AUTOCOMMIT")
    dbname = db_url.rsplit("/", 1)[1]
    with owner.connect() as c:
        c.execute(text(f"CREATE ROLE {role} LOGIN"))
        c.execute(text(f'GRANT CONNECT ON DATABASE "{dbname}" TO {role}'))
        c.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
        c.execute(
            text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        )
        c.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    head, _, rest = db_url.partition("://")
    host = rest.split("@", 1)[1]
    app_url = f"{head}://{role}@{host}"
    app = build(Settings(database_url=app_url, forms_dir=FIXTURES / "forms", secret_key="k"), clock)
    try:
        services.deploy_process(
            app.ctx.uow(),
            ctx=app.ctx,
            files={"mini_case.bpmn": fixture_bpmn("mini_case.bpmn")},
            actor=DESIGNER,
        )
        case = drive_case(app)
        services.sign_checkpoint(app.ctx.uow(), ctx=app.ctx)
        assert services.verify_all(app.ctx.uow(read_only=True), ctx=app.ctx) == []
        attacks = [
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
            "ALTER TABLE audit_events DISABLE TRIGGER ALL",
            "ALTER TABLE system_audit_events DISABLE TRIGGER system_audit_events_append_only",
            "DROP TRIGGER audit_events_append_only ON audit_events",
            f"UPDATE audit_events SET actor = 'nobody' WHERE case_id = {case.id}",
            f"DELETE FROM audit_events WHERE case_id = {case.id}",
            "DELETE FROM audit_checkpoints",
            "UPDATE system_audit_events SET actor = 'nobody'",
            "TRUNCATE audit_events",
            "SET session_replication_role = replica",
        ]
        for sql in attacks:
            with app.engine.connect() as c:
                with pytest.raises(DBAPIError) as err:
                    c.execute(text(sql))
                c.rollback()
            message = str(err.value.orig)
            assert any(word in message for word in ("owner", "permission denied", "append-only")), (
                sql,
                message,
            )
        assert services.verify_all(app.ctx.uow(read_only=True), ctx=app.ctx) == []
    finally:
        app.close()
        with owner.connect() as c:
            c.execute(text(f"DROP OWNED BY {role}"))
            c.execute(text(f"DROP ROLE {role}"))
        owner.dispose()
