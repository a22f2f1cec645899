"""`qingwei demo` as an operator runs it, and the demo cases of `serve --demo`.

The demo runs on a scratch SQLite database by definition, so its test runs once; the seeding
test runs on SQLite and on PostgreSQL like every integration test.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from engine import demo_seed, services
from engine.bootstrap import App, build
from engine.clock import FixedClock
from engine.config import ClockSettings, Settings
from tests.conftest import ROOT
from tests.integration.conftest import DESIGNER

# The stages of the forced-demolition path (tests/process/test_main_path.py).
FORCED_DEMOLITION_PATH = [
    "intake",
    "investigation",
    "legal_review",
    "notice",
    "service",
    "notice",
    "decision",
    "service",
    "compliance_period",
    "demand",
    "service",
    "demand",
    "enforcement_decision",
    "service",
    "public_notice",
    "remedy_period",
    "forced_demolition",
    "closed",
    "reinspection",
    "closed",
]


def qingwei_demo(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGWEI_")}
    # Whatever database the operator has configured, the demo must not touch it.
    env["QINGWEI_DATABASE_URL"] = "sqlite:////nonexistent/dir/must-not-be-used.db"
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "qingwei"), "demo", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_demo_drives_one_case_through_forced_demolition(tmp_path: Path) -> None:
    kept = tmp_path / "demo.db"
    done = qingwei_demo("--keep", str(kept))
    out = done.stdout
    assert done.returncode == 0, f"exit {done.returncode}\n{out}\n{done.stderr}"

    # One line per step, in clock order, starting on Tue 2026-02-10 09:00.
    steps = re.findall(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2})  ", out, re.MULTILINE)
    assert steps[0] == "2026-02-10 09:00"
    assert steps == sorted(steps)
    # The clock steps across each deadline: the timer fires at 00:00 after its last day.
    for due, timer in [
        ("2026-02-25 00:00", "hearing_request_window"),
        ("2026-03-10 00:00", "compliance_deadline"),
        ("2026-03-25 00:00", "demand_period"),
        ("2026-04-08 00:00", "public_notice_period"),
        ("2026-04-28 00:00", "review_window"),
        ("2026-08-26 00:00", "lawsuit_window_6m"),
        ("2026-09-29 00:00", "reinspection_due"),
    ]:
        assert re.search(rf"^{due} .*⏰.*\[{timer}\].*到期 due {due}", out, re.MULTILINE), timer

    # The stages, in order.
    (path,) = re.findall(r"^阶段路径 stage path: (.*)$", out, re.MULTILINE)
    assert path.split(" → ") == FORCED_DEMOLITION_PATH
    stage_lines = [
        re.sub(r"^\S+ \S+  \S+ (\S+).*$", r"\1", line)
        for line in out.splitlines()
        if re.match(r"^\d{4}-\d{2}-\d{2} ", line)
    ]
    firsts = [s for i, s in enumerate(stage_lines) if s not in stage_lines[:i]]
    assert firsts[:2] == ["intake", "investigation"]
    assert firsts.index("forced_demolition") < firsts.index("closed")

    # The forced demolition, with its legal basis; the night attempt refused first.
    (refused,) = [line for line in out.splitlines() if "✘" in line]
    assert refused.startswith("2026-08-26 05:30") and "ACL Art. 43(1)" in refused
    (demolition,) = [
        line for line in out.splitlines() if "✔" in line and "[forced_demolition]" in line
    ]
    assert demolition.startswith("2026-08-26 09:30")
    assert "强制拆除 Forced demolition" in demolition and "ACL Art. 44" in demolition
    assert "强制拆除现场笔录" in demolition
    assert "结果 outcome: forced_demolished · 状态 status: closed" in out

    # The audit trail with short hashes, then the verification.
    (trail_head,) = re.findall(
        r"^审计链 audit trail — case (QW-2026-\d{6}), (\d+) events$", out, re.MULTILINE
    )
    events = int(trail_head[1])
    rows = re.findall(
        r"^(\d+) +\d{4}-\d{2}-\d{2} \d{2}:\d{2} .* ([0-9a-f]{12})$", out, re.MULTILINE
    )
    assert [int(seq) for seq, _ in rows] == list(range(1, events + 1))
    (refusal_row,) = [row for row in out.splitlines() if re.match(r"^\d+ .*依法拒绝 refused", row)]
    assert "forced_demolition" in refusal_row and "ACL Art. 43(1)" in refusal_row
    last = [line for line in out.splitlines() if line.strip()][-2:]
    assert (
        last[0]
        == f"校验 verify: valid 有效 — {events} events, hash chain intact (head {rows[-1][1]})"
    )
    assert last[1].startswith("演示完成 demo finished")

    # --keep leaves the database behind: the same case, closed, its chain intact.
    app = build(Settings(database_url=f"sqlite:///{kept}", forms_dir=ROOT / "forms"))
    try:
        page = services.list_cases(app.ctx.uow(), ctx=app.ctx)
        assert [(c.case_no, c.status, c.stage) for c in page.items] == [
            (trail_head[0], "closed", "closed")
        ]
        assert services.verify_all(app.ctx.uow(), ctx=app.ctx) == []
    finally:
        app.close()
    # ... and never overwrites a file.
    again = qingwei_demo("--keep", str(kept))
    assert again.returncode == 1
    assert "already exists" in again.stdout


# ---- serve --demo: the demo cases ---------------------------------------------------------------
@pytest.fixture
def demo_app(db_url: str, tmp_path: Path) -> Iterator[App]:
    """An app as `serve --demo` builds it: fake clock at its start, processes/ deployed."""
    settings = Settings(
        database_url=db_url, forms_dir=ROOT / "forms", secret_key="test", fake_clock=True
    )
    settings.files.root = tmp_path / "files"  # the demo cases issue documents
    application = build(settings)
    files = {p.name: p.read_bytes() for p in sorted((ROOT / "processes").glob("*.bpmn"))}
    services.deploy_process(application.ctx.uow(), ctx=application.ctx, files=files, actor=DESIGNER)
    yield application
    application.close()


def test_demo_cases_are_seeded_at_different_stages_once(demo_app: App) -> None:
    start = ClockSettings().start  # Mon 2026-03-02 09:00 Shanghai
    clock = demo_app.ctx.clock
    assert isinstance(clock, FixedClock) and clock.now() == start
    assert demo_seed.seed_cases(demo_app.ctx) == 3
    assert clock.now() == start  # seeding does not move the demo clock

    items = services.list_cases(demo_app.ctx.uow(), ctx=demo_app.ctx).items
    assert len(items) == 3
    by_address = {c.data["address"]: c for c in items}
    rooftop, factory, shopfront = (by_address[str(d["address"])] for d in demo_seed.DEMO_CASES)
    assert len({c.stage for c in items}) == 3

    # Decided and served today, 15 CD to comply: Mon 03-02 -> Tue 03-17 -> due 03-18 00:00.
    assert (rooftop.stage, rooftop.data["decision_served_at"]) == (
        "compliance_period",
        "2026-03-02",
    )
    assert {t.element_id: t.due_at for t in rooftop.timers} == {
        "compliance_deadline": start.replace(hour=0) + timedelta(days=16)
    }
    assert "party_demolished" in rooftop.waiting_messages
    # Stopped and sealed on site, filed, under investigation: sealing at most 30 days -> Wed
    # 04-01 -> due 04-02 00:00, the head may extend or release meanwhile (ACL Art. 25);
    # decision 90 CD from filing -> Sun 05-31 -> Mon 06-01 -> due 06-02 00:00.
    assert factory.stage == "investigation"
    assert sorted(t.element_id for t in factory.tasks) == [
        "investigation",
        "sealing_expiry_decision",
    ]
    assert {t.element_id: t.due_at for t in factory.timers} == {
        "sealing_expiry": start.replace(month=4, day=2, hour=0),
        "decision_deadline": start.replace(month=6, day=2, hour=0),
    }
    # Investigated, waiting for the legal review.
    assert (shopfront.stage, [t.element_id for t in shopfront.tasks]) == (
        "legal_review",
        ["legal_review"],
    )
    for case in items:
        trail = services.case_trail(demo_app.ctx.uow(), case_id=case.id)
        assert all(e.at == start for e in trail)
        assert services.verify_case(demo_app.ctx.uow(), ctx=demo_app.ctx, case_id=case.id).valid

    versions = {c.id: c.case_version for c in items}
    assert demo_seed.seed_cases(demo_app.ctx) == 0
    again = services.list_cases(demo_app.ctx.uow(), ctx=demo_app.ctx).items
    assert {c.id: c.case_version for c in again} == versions


def test_no_demo_cases_without_the_enforcement_process(db_url: str) -> None:
    app = build(Settings(database_url=db_url, forms_dir=ROOT / "forms", fake_clock=True))
    try:
        assert demo_seed.seed_cases(app.ctx) == 0
        assert services.list_cases(app.ctx.uow(), ctx=app.ctx).total == 0
    finally:
        app.close()
