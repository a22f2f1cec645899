"""The command line on evidence, run as an operator runs it: `qingwei audit verify` names an
attachment whose stored bytes were altered; `qingwei import leads` dry-runs, imports with a
progress bar and a result table, and a second import creates nothing (SQLite)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

from engine import services
from engine.bootstrap import build
from engine.config import Settings
from engine.files import LocalFileStore
from engine.services.evidence import add_attachment
from tests.conftest import FIXTURES, fixture_bpmn
from tests.integration.conftest import DESIGNER, OFFICER
from tests.integration.evidence_files import PDF
from tests.integration.test_cli import output, qingwei


def _db(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "cli.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def test_audit_verify_names_an_altered_attachment(tmp_path: Path, sqlite_template: Path) -> None:
    url = _db(tmp_path, sqlite_template)
    app = build(Settings(database_url=url, forms_dir=FIXTURES / "forms"))
    ctx = app.ctx
    services.deploy_process(
        ctx.uow(), ctx=ctx, files={"m.bpmn": fixture_bpmn("mini_case.bpmn")}, actor=DESIGNER
    )
    case = services.open_case(
        ctx.uow(), ctx=ctx, actor=OFFICER, process_key="mini_case", data={"address": "x"}
    )
    att = add_attachment(
        ctx.uow(),
        ctx=ctx,
        actor=OFFICER,
        case_id=case.id,
        stream=io.BytesIO(PDF),
        filename="笔录.pdf",
    )
    store = ctx.documents.files
    assert isinstance(store, LocalFileStore)
    app.close()
    ok = qingwei(url, "audit", "verify")
    assert ok.returncode == 0, output(ok)
    (store.root / att.sha256[:2] / att.sha256[2:4] / att.sha256).write_bytes(PDF + b"%")
    bad = qingwei(url, "audit", "verify")
    assert bad.returncode == 1, output(bad)
    assert f"#{att.id}" in bad.stdout and "笔录.pdf" in bad.stdout and case.case_no in bad.stdout
    one = qingwei(url, "audit", "verify", "--case", case.case_no)
    assert one.returncode == 1 and "altered" in one.stdout, output(one)


def test_import_leads_command(tmp_path: Path, sqlite_template: Path) -> None:
    url = _db(tmp_path, sqlite_template)
    app = build(Settings(database_url=url, forms_dir=FIXTURES / "forms"))
    services.deploy_process(
        app.ctx.uow(), ctx=app.ctx, files={"m.bpmn": fixture_bpmn("mini_case.bpmn")}, actor=DESIGNER
    )
    app.close()
    sheet = tmp_path / "线索.csv"
    sheet.write_text(
        "编号,地址,区县,线索来源\nB1,朝阳区某路1号,朝阳,巡查\nB2,海淀区某路2号,海淀,热线\nB3,,朝阳,巡查\n",
        encoding="utf-8",
    )
    dry = qingwei(url, "import", "leads", str(sheet), "--dry-run", "--process", "mini_case")
    assert dry.returncode == 1, output(dry)  # a refused row
    assert "将立案 would create 2" in dry.stdout and "缺少地址" in dry.stdout, output(dry)
    assert "3/3" in dry.stderr, output(dry)  # the progress bar ran to the end
    done = qingwei(url, "import", "leads", str(sheet), "--process", "mini_case")
    assert "已立案 created 2" in done.stdout, output(done)
    assert re.search(r"QW-\d{4}-000001", done.stdout), output(done)
    again = qingwei(url, "import", "leads", str(sheet), "--process", "mini_case")
    assert "已立案 created 0" in again.stdout and "跳过 skipped 2" in again.stdout, output(again)
    missing = qingwei(url, "import", "leads", str(tmp_path / "none.csv"))
    assert missing.returncode == 2
