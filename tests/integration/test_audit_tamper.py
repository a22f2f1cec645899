"""The audit trail is tamper-evident: whoever edits the database directly is caught.

On SQLite nothing stops a raw UPDATE or DELETE, so the hash chain, the head on the case row and
signed checkpoints must reveal it; `qingwei audit verify` (the real CLI, in a subprocess) must
exit 1 and name the case and the first bad event. On PostgreSQL a trigger refuses the change
outright. Every test here runs on both backends; the backend-specific halves skip on the other.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, insert, text
from sqlalchemy.exc import DBAPIError

from engine import audit, services
from engine.bootstrap import App
from engine.services.views import CaseView
from engine.store.models import AuditEvent
from tests.conftest import FIXTURES, ROOT
from tests.integration.conftest import HEAD, OFFICER, is_postgres

SECRET = "test-secret-key"  # the `settings` fixture's key; the CLI must use the same
EVENTS_PER_CASE = 6  # opened, investigate, decide, serve, message received, closed


def drive_case(app: App, *, area: float = 12) -> CaseView:
    """One mini case from intake to the party's self-demolition: six audit events."""
    ctx = app.ctx
    case = services.open_case(
        ctx.uow(), ctx=ctx, actor=OFFICER, process_key="mini_case", data={"address": "X"}
    )
    steps = [
        (OFFICER, {"classification": "not_correctable", "area_m2": area}),
        (HEAD, {"compliance_days": 10}),
        (OFFICER, {"service_method": "direct", "served_at": "2026-02-10"}),
    ]
    for actor, data in steps:
        case = services.complete_task(
            ctx.uow(),
            ctx=ctx,
            actor=actor,
            case_id=case.id,
            task_id=case.tasks[0].id,
            data=data,
            case_version=case.case_version,
        )
    case = services.send_message(
        ctx.uow(), ctx=ctx, actor=OFFICER, case_id=case.id, name="party_demolished", data={}
    )
    assert case.status == "closed"
    return case


def verify(app: App, case: CaseView) -> Any:
    return services.verify_case(app.ctx.uow(read_only=True), ctx=app.ctx, case_id=case.id)


def run_cli(app: App, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGWEI_")}
    env.update(
        QINGWEI_DATABASE_URL=app.settings.database.url,
        QINGWEI_SECRET_KEY=SECRET,
        QINGWEI_FORMS_DIR=str(FIXTURES / "forms"),
    )
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "qingwei"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def raw(app: App) -> Iterator[Engine]:
    """A second engine on the same database: the tamperer's own connection."""
    engine = create_engine(app.settings.database.url)
    yield engine
    engine.dispose()


def sqlite_only(app: App) -> None:
    if is_postgres(app):
        pytest.skip("raw edits are refused on PostgreSQL; see test_postgres_refuses_*")


def _hash_of(conn: Connection, case_id: int, seq: int) -> str:
    return str(
        conn.execute(
            text("SELECT hash FROM audit_events WHERE case_id = :c AND seq = :s"),
            {"c": case_id, "s": seq},
        ).scalar_one()
    )


# ---- the tampering, each returning the seq that verification must name ---------------------


def edit_data(conn: Connection, case_id: int) -> int:
    row = conn.execute(
        text("SELECT data FROM audit_events WHERE case_id = :c AND seq = 3"), {"c": case_id}
    ).scalar_one()
    data = json.loads(row) if isinstance(row, str) else dict(row)
    assert data["after"] == {"compliance_days": 10}
    data["after"] = {"compliance_days": 365}
    conn.execute(
        text("UPDATE audit_events SET data = :d WHERE case_id = :c AND seq = 3"),
        {"d": json.dumps(data, ensure_ascii=False), "c": case_id},
    )
    return 3


def delete_middle(conn: Connection, case_id: int) -> int:
    n = conn.execute(
        text("DELETE FROM audit_events WHERE case_id = :c AND seq = 3"), {"c": case_id}
    ).rowcount
    assert n == 1
    return 3


def forge_event(conn: Connection, case_id: int) -> int:
    """Append a well-formed event whose own hash is right: only the case head can tell."""
    last = conn.execute(
        text("SELECT seq, hash FROM audit_events WHERE case_id = :c ORDER BY seq DESC"),
        {"c": case_id},
    ).first()
    assert last is not None and last.seq == EVENTS_PER_CASE
    seq = EVENTS_PER_CASE + 1
    forged = AuditEvent(
        case_id=case_id,
        seq=seq,
        at=datetime(2026, 2, 10, 1, 5, tzinfo=UTC),  # minutes after the real events
        actor="head1",
        roles=["head"],
        action="task_completed",
        element_id="decide",
        data={"after": {"fine_amount": 0}, "note": "waived"},
        basis=None,
        prev_hash=str(last.hash),
    )
    forged.hash = audit.compute_hash(forged.prev_hash, audit.event_body(forged))
    conn.execute(
        insert(AuditEvent.__table__).values(
            case_id=forged.case_id,
            seq=forged.seq,
            at=forged.at,
            actor=forged.actor,
            roles=forged.roles,
            action=forged.action,
            element_id=forged.element_id,
            data=forged.data,
            basis=forged.basis,
            prev_hash=forged.prev_hash,
            hash=forged.hash,
        )
    )
    return seq


def swap_events(conn: Connection, case_id: int) -> int:
    for old, new in ((3, -1), (4, 3), (-1, 4)):
        conn.execute(
            text("UPDATE audit_events SET seq = :new WHERE case_id = :c AND seq = :old"),
            {"new": new, "old": old, "c": case_id},
        )
    return 3


def truncate_and_rewind(conn: Connection, case_id: int) -> int:
    """Drop the last two events and rewind the case row so chain and head agree again."""
    keep = EVENTS_PER_CASE - 2
    conn.execute(
        text("DELETE FROM audit_events WHERE case_id = :c AND seq > :k"), {"c": case_id, "k": keep}
    )
    conn.execute(
        text("UPDATE cases SET audit_seq = :k, audit_head = :h WHERE id = :c"),
        {"k": keep, "h": _hash_of(conn, case_id, keep), "c": case_id},
    )
    return EVENTS_PER_CASE  # the head the checkpoint signed


TAMPERS: dict[str, Callable[[Connection, int], int]] = {
    "edit_data": edit_data,
    "delete_middle": delete_middle,
    "forge_event": forge_event,
    "swap_events": swap_events,
    "truncate_and_rewind": truncate_and_rewind,
}


# ---- both backends ----------------------------------------------------------------------------


def test_untampered_trail_verifies(mini: App) -> None:
    cases = [drive_case(mini), drive_case(mini, area=30)]
    services.sign_checkpoint(mini.ctx.uow(), ctx=mini.ctx)
    for case in cases:
        result = verify(mini, case)
        assert result.valid, result
        assert result.events == EVENTS_PER_CASE
        assert result.first_bad_seq is None
    trail = services.case_trail(mini.ctx.uow(read_only=True), case_id=cases[0].id)
    assert [e.seq for e in trail] == list(range(1, EVENTS_PER_CASE + 1))
    assert [e.action for e in trail] == [
        "case_opened",
        "task_completed",
        "task_completed",
        "task_completed",
        "message_received",
        "case_closed",
    ]
    assert trail[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(trail))

    done = run_cli(mini, "audit", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verified" in done.stdout


# ---- SQLite: raw edits go through, verification must catch them -----------------------------


@pytest.mark.parametrize("kind", list(TAMPERS))
def test_verify_case_names_the_first_bad_event(mini: App, raw: Engine, kind: str) -> None:
    sqlite_only(mini)
    case = drive_case(mini)
    other = drive_case(mini, area=50)
    services.sign_checkpoint(mini.ctx.uow(), ctx=mini.ctx)
    assert verify(mini, case).valid

    with raw.begin() as conn:
        expected_seq = TAMPERS[kind](conn, case.id)

    result = verify(mini, case)
    assert not result.valid
    assert result.first_bad_seq == expected_seq, result
    assert result.case_no == case.case_no
    assert result.reason
    # The untouched case still verifies: the damage is pinned to one case.
    assert verify(mini, other).valid


def test_forged_event_is_internally_consistent(mini: App, raw: Engine) -> None:
    """The forgery in forge_event is a plausible one: only the case head gives it away."""
    sqlite_only(mini)
    case = drive_case(mini)
    with raw.begin() as conn:
        seq = forge_event(conn, case.id)
    trail = services.case_trail(mini.ctx.uow(read_only=True), case_id=case.id)
    assert trail[-1].seq == seq
    assert trail[-1].prev_hash == trail[-2].hash
    result = verify(mini, case)
    assert (result.valid, result.first_bad_seq) == (False, seq)
    assert "head" in (result.reason or "")


def test_truncation_is_caught_only_by_the_checkpoint(mini: App, raw: Engine) -> None:
    sqlite_only(mini)
    case = drive_case(mini)
    with raw.begin() as conn:
        truncate_and_rewind(conn, case.id)
    # Chain and case row agree again: without a checkpoint the truncation is invisible...
    assert verify(mini, case).valid
    # ...which is why checkpoints are signed before anyone can truncate (the worker does so
    # hourly). A second case, checkpointed before its truncation, is caught.
    second = drive_case(mini, area=40)
    services.sign_checkpoint(mini.ctx.uow(), ctx=mini.ctx)
    with raw.begin() as conn:
        signed_seq = truncate_and_rewind(conn, second.id)
    result = verify(mini, second)
    assert (result.valid, result.first_bad_seq) == (False, signed_seq)
    assert "checkpoint" in (result.reason or "")


def test_audit_verify_cli_names_every_tampered_case(mini: App, raw: Engine) -> None:
    sqlite_only(mini)
    victims = {kind: drive_case(mini, area=10 + i) for i, kind in enumerate(TAMPERS)}
    clean = drive_case(mini, area=99)
    services.sign_checkpoint(mini.ctx.uow(), ctx=mini.ctx)
    expected: dict[str, int] = {}
    with raw.begin() as conn:
        for kind, case in victims.items():
            expected[case.case_no] = TAMPERS[kind](conn, case.id)

    done = run_cli(mini, "audit", "verify")
    assert done.returncode == 1, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == len(victims), done.stdout
    for case_no, seq in expected.items():
        matching = [line for line in lines if case_no in line]
        assert len(matching) == 1, (case_no, done.stdout)
        assert f"event {seq} " in matching[0], (case_no, seq, matching[0])
    assert clean.case_no not in done.stdout

    # Scoped to one case: the clean one passes, a truncated one fails by its checkpoint.
    ok = run_cli(mini, "audit", "verify", "--case", clean.case_no)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    truncated = victims["truncate_and_rewind"]
    bad = run_cli(mini, "audit", "verify", "--case", truncated.case_no)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert truncated.case_no in bad.stdout
    assert f"event {EVENTS_PER_CASE} " in bad.stdout


def test_deleting_a_whole_checkpointed_case_is_caught(mini: App, raw: Engine) -> None:
    sqlite_only(mini)
    kept = drive_case(mini)
    gone = drive_case(mini, area=77)
    services.sign_checkpoint(mini.ctx.uow(), ctx=mini.ctx)
    with raw.begin() as conn:
        for table in ("audit_events", "ready_tasks", "timers"):
            conn.execute(text(f"DELETE FROM {table} WHERE case_id = :c"), {"c": gone.id})
        conn.execute(text("DELETE FROM cases WHERE id = :c"), {"c": gone.id})
    assert verify(mini, kept).valid
    failures = services.verify_all(mini.ctx.uow(read_only=True), ctx=mini.ctx)
    assert failures, "a case signed by a checkpoint vanished and verify_all saw nothing"


def test_rewritten_checkpoint_does_not_let_a_truncation_pass(mini: App, raw: Engine) -> None:
    sqlite_only(mini)
    case = drive_case(mini)
    services.sign_checkpoint(mini.ctx.uow(), ctx=mini.ctx)
    with raw.begin() as conn:
        truncate_and_rewind(conn, case.id)
        keep = EVENTS_PER_CASE - 2
        heads = json.dumps({str(case.id): [keep, _hash_of(conn, case.id, keep)]})
        conn.execute(text("UPDATE audit_checkpoints SET heads = :h"), {"h": heads})
    # The whole-database check does notice the forged checkpoint...
    failures = services.verify_all(mini.ctx.uow(read_only=True), ctx=mini.ctx)
    assert any("signature" in (f.reason or "") for f in failures)
    # ...but the per-case check (API /cases/{id}/audit/verify, `audit verify --case`) must too.
    assert not verify(mini, case).valid


# ---- PostgreSQL: the trigger refuses ----------------------------------------------------------


def test_postgres_refuses_update_and_delete_of_audit_events(mini: App, raw: Engine) -> None:
    if not is_postgres(mini):
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    case = drive_case(mini)
    statements = [
        "UPDATE audit_events SET data = '{}' WHERE case_id = :c AND seq = 3",
        "UPDATE audit_events SET seq = 99 WHERE case_id = :c AND seq = 6",
        "DELETE FROM audit_events WHERE case_id = :c AND seq = 3",
        "DELETE FROM audit_events WHERE case_id = :c",
        "TRUNCATE audit_events CASCADE",
    ]
    for sql in statements:
        with pytest.raises(DBAPIError, match="append-only"), raw.begin() as conn:
            conn.execute(text(sql), {"c": case.id})

    result = verify(mini, case)
    assert (result.valid, result.events) == (True, EVENTS_PER_CASE)
    trail = services.case_trail(mini.ctx.uow(read_only=True), case_id=case.id)
    assert trail[2].data["after"] == {"compliance_days": 10}
