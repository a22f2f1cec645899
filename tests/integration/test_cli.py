"""The `qingwei` command, run as a real process the way an operator runs it (API.md).

Each run costs about a second, so related steps share one test where they form one story
(upgrade a fresh database, deploy, deploy again).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect

from engine import services
from engine.bootstrap import App, build
from engine.config import Settings
from engine.services.views import CaseView
from tests.conftest import FIXTURES, ROOT, fixture_bpmn
from tests.integration.conftest import HEAD, OFFICER

MINI = FIXTURES / "processes" / "mini_case.bpmn"
BASIS_PROP = '<spiffworkflow:property name="basis" value="ARL Art. 20" />'
GENESIS = "0" * 64


def qingwei(
    db_url: str, *args: str, stdin: str | None = None, secret: str = "test-secret-key"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGWEI_")}
    env.update(
        QINGWEI_DATABASE_URL=db_url,
        QINGWEI_SECRET_KEY=secret,
        QINGWEI_FORMS_DIR=str(FIXTURES / "forms"),
    )
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "qingwei"), *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def output(done: subprocess.CompletedProcess[str]) -> str:
    return f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"


def without_basis(tmp_path: Path) -> Path:
    xml = fixture_bpmn("mini_case.bpmn").decode("utf-8")
    assert xml.count(BASIS_PROP) == 1
    path = tmp_path / "bad_no_basis.bpmn"
    path.write_text(xml.replace(BASIS_PROP, ""), encoding="utf-8")
    return path


@pytest.fixture
def migrated_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "cli.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def open_app(db_url: str) -> App:
    return build(Settings(database_url=db_url, forms_dir=FIXTURES / "forms"))


# ---- validate -------------------------------------------------------------------------------


def test_validate_accepts_the_mini_case(tmp_path: Path) -> None:
    done = qingwei(f"sqlite:///{tmp_path / 'unused.db'}", "validate", str(MINI))
    assert done.returncode == 0, output(done)
    assert "1 file(s) valid" in done.stdout


def test_validate_names_the_timer_without_basis(tmp_path: Path) -> None:
    done = qingwei(f"sqlite:///{tmp_path / 'unused.db'}", "validate", str(without_basis(tmp_path)))
    assert done.returncode == 1, output(done)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, output(done)
    assert "compliance_timer" in lines[0]
    assert "basis" in lines[0]
    assert "bad_no_basis.bpmn" in lines[0]
    assert "file(s) valid" not in done.stdout


# ---- db upgrade, deploy -----------------------------------------------------------------------


def test_upgrade_a_fresh_database_then_deploy_twice(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    url = f"sqlite:///{db}"
    assert not db.exists()

    upgraded = qingwei(url, "db", "upgrade")
    assert upgraded.returncode == 0, output(upgraded)
    assert db.is_file()
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"alembic_version", "process_versions", "cases", "audit_events", "users"} <= tables

    first = qingwei(url, "deploy", str(MINI))
    assert first.returncode == 0, output(first)
    assert "mini_case v1 deployed" in first.stdout

    again = qingwei(url, "deploy", str(MINI))
    assert again.returncode == 0, output(again)
    assert "mini_case v1 unchanged" in again.stdout

    rejected = qingwei(url, "deploy", str(without_basis(tmp_path)))
    assert rejected.returncode == 1, output(rejected)
    assert "compliance_timer" in rejected.stderr

    app = open_app(url)
    try:
        versions = services.list_processes(app.ctx.uow(read_only=True))
    finally:
        app.close()
    assert [(v.key, v.version, v.latest) for v in versions] == [("mini_case", 1, True)]


# ---- users add --------------------------------------------------------------------------------


def test_users_add_reads_the_password_from_stdin(migrated_url: str) -> None:
    created = qingwei(
        migrated_url, "users", "add", "alice", "--role", "officer", "--password-stdin",
        stdin="correct horse 马\n",
    )  # fmt: skip
    assert created.returncode == 0, output(created)
    assert "alice" in created.stdout
    assert "correct horse" not in created.stdout + created.stderr

    duplicate = qingwei(
        migrated_url, "users", "add", "alice", "--role", "head", "--password-stdin",
        stdin="another password\n",
    )  # fmt: skip
    assert duplicate.returncode == 1, output(duplicate)
    assert "alice" in duplicate.stderr

    unknown_role = qingwei(
        migrated_url, "users", "add", "bob", "--role", "janitor", "--password-stdin",
        stdin="bob's password\n",
    )  # fmt: skip
    assert unknown_role.returncode == 1, output(unknown_role)

    app = open_app(migrated_url)
    try:
        uow = app.ctx.uow
        alice = services.authenticate(uow(), username="alice", password="correct horse 马")
        assert alice is not None
        assert alice.roles == ("officer",)  # the duplicate did not add "head"
        assert services.authenticate(uow(), username="alice", password="another password") is None
        assert services.get_actor(uow(), username="bob") is None
    finally:
        app.close()


# ---- audit export -----------------------------------------------------------------------------


def drive_case(app: App) -> CaseView:
    ctx = app.ctx
    case = services.open_case(
        ctx.uow(), ctx=ctx, actor=OFFICER, process_key="mini_case", data={"address": "东路 1 号"}
    )
    steps = [
        (OFFICER, {"classification": "not_correctable", "area_m2": 12}),
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
    return services.send_message(
        ctx.uow(), ctx=ctx, actor=OFFICER, case_id=case.id, name="party_demolished", data={}
    )


def recomputed_hash(case_id: int, event: dict[str, Any]) -> str:
    """DESIGN.md: hash = sha256(prev_hash + canonical JSON of the event), done independently."""
    at = datetime.fromisoformat(event["at"]).astimezone(UTC).isoformat(timespec="microseconds")
    body = {
        "case_id": case_id,
        "seq": event["seq"],
        "at": at,
        "actor": event["actor"],
        "roles": event["roles"],
        "action": event["action"],
        "element_id": event["element_id"],
        "data": event["data"],
        "basis": event["basis"],
        "prev_hash": event["prev_hash"],
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((event["prev_hash"] + canonical).encode("utf-8")).hexdigest()


def test_audit_export_jsonl_and_csv(mini: App) -> None:
    case = drive_case(mini)
    trail = services.case_trail(mini.ctx.uow(read_only=True), case_id=case.id)
    assert len(trail) >= 5
    url = mini.settings.database.url

    jsonl = qingwei(url, "audit", "export", "--case", case.case_no, "--format", "jsonl")
    assert jsonl.returncode == 0, output(jsonl)
    events = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(events) == len(trail)
    assert [e["seq"] for e in events] == list(range(1, len(trail) + 1))
    assert [e["hash"] for e in events] == [t.hash for t in trail]
    assert events[0]["prev_hash"] == GENESIS
    for before, after in itertools.pairwise(events):
        assert after["prev_hash"] == before["hash"]
    for event in events:
        assert recomputed_hash(case.id, event) == event["hash"], event["seq"]
    assert events[0]["action"] == "case_opened"
    assert events[0]["data"]["after"] == {"address": "东路 1 号"}
    assert events[2]["actor"] == "head1" and events[2]["element_id"] == "decide"

    as_csv = qingwei(url, "audit", "export", "--case", case.case_no, "--format", "csv")
    assert as_csv.returncode == 0, output(as_csv)
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    header, body = rows[0], rows[1:]
    assert header == [
        "seq",
        "at",
        "actor",
        "roles",
        "action",
        "element_id",
        "data",
        "basis",
        "prev_hash",
        "hash",
    ]
    assert len(body) == len(trail)
    col = {name: i for i, name in enumerate(header)}
    assert [int(r[col["seq"]]) for r in body] == [e["seq"] for e in events]
    assert [r[col["hash"]] for r in body] == [e["hash"] for e in events]
    assert body[0][col["prev_hash"]] == GENESIS
    for before, after in itertools.pairwise(body):
        assert after[col["prev_hash"]] == before[col["hash"]]
    assert json.loads(body[1][col["data"]])["after"] == {
        "classification": "not_correctable",
        "area_m2": 12,
    }
    assert "东路 1 号" in as_csv.stdout


# ---- calendar -------------------------------------------------------------------------------
def test_calendar_show_and_load(migrated_url: str, tmp_path: Path) -> None:
    shown = qingwei(migrated_url, "calendar", "show", "2027")
    assert shown.returncode == 0, output(shown)
    assert "暂定 provisional" in shown.stdout
    assert "休 2027-02-05 春节" in shown.stdout

    schedule = {
        "year": 2027,
        "rest_days": [
            "2027-01-01",
            *[f"2027-02-{d:02d}" for d in range(5, 14)],
            "2027-05-01",
            "2027-05-02",
            "2027-10-01",
            "2027-10-02",
            "2027-10-03",
        ],
        "work_days": ["2027-02-14"],
        "source": "测试通知",
    }
    good = tmp_path / "2027.json"
    good.write_text(json.dumps(schedule, ensure_ascii=False), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**schedule, "work_days": ["2027-02-10"]}), encoding="utf-8")

    refused = qingwei(migrated_url, "calendar", "load", str(bad))
    assert refused.returncode == 1, output(refused)
    assert "work_days" in refused.stderr and "make-up" in refused.stderr
    loaded = qingwei(migrated_url, "calendar", "load", str(good), "--by", "ops")
    assert loaded.returncode == 0, output(loaded)
    assert "2027 已载入" in loaded.stdout

    shown = qingwei(migrated_url, "calendar", "show", "2027")
    assert "正式 official" in shown.stdout and "测试通知" in shown.stdout
    assert "班 2027-02-14" in shown.stdout
    verified = qingwei(migrated_url, "audit", "verify")
    assert verified.returncode == 0, output(verified)
    assert "system trail" in verified.stdout
    app = open_app(migrated_url)
    try:
        (event,) = services.system_trail(app.ctx.uow())
        assert (event.action, event.actor, event.data["year"]) == ("calendar_loaded", "ops", 2027)
    finally:
        app.close()
