"""Shared helpers: the mini case fixture, its one-replacement variants, and the CLI."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from engine import services
from engine.bootstrap import App
from tests.conftest import FIXTURES, ROOT, fixture_bpmn

MINI = fixture_bpmn("mini_case.bpmn").decode("utf-8")
SCRIPT_TASK = MINI[MINI.index('<bpmn:scriptTask id="mark_demolished"') :]
SCRIPT_TASK = SCRIPT_TASK[: SCRIPT_TASK.index("</bpmn:scriptTask>") + len("</bpmn:scriptTask>")]
FORMS = FIXTURES / "forms"


def variant(*pairs: tuple[str, str], xml: str = MINI) -> str:
    for old, new in pairs:
        assert xml.count(old) == 1, f"{old!r} must occur exactly once"
        xml = xml.replace(old, new)
    return xml


def errors_of(app: App, xml: str, name: str = "variant.bpmn") -> list[str]:
    report = services.validate_bpmn(None, ctx=app.ctx, files={name: xml.encode("utf-8")})
    assert report.valid == (not report.errors)
    return report.errors


def qingwei(
    *args: str, cwd: Path, db: Path, forms: Path | None = FORMS
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGWEI_")}
    env["QINGWEI_DATABASE_URL"] = f"sqlite:///{db}"
    env["QINGWEI_SECRET_KEY"] = "test-secret-key"
    if forms is not None:
        env["QINGWEI_FORMS_DIR"] = str(forms)
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "qingwei"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
