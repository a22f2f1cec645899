"""75 BPMN files from other tools (tests/fixtures/corpus/SOURCES.md): validation never crashes
and every message it prints teaches (element, rule, fix, Chinese and English, no Python repr)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from engine import services
from engine.bootstrap import App
from tests.conftest import FIXTURES, ROOT
from tests.validation.common import message_problems

CORPUS = FIXTURES / "corpus"
FILES = sorted(CORPUS.glob("*/*.bpmn"))


def test_the_corpus_has_at_least_50_files_from_four_sources() -> None:
    assert len(FILES) >= 50
    assert {p.parent.name for p in FILES} >= {"miwg", "bpmn-js", "camunda-examples"}
    listed = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for path in FILES:
        assert f"| {path.parent.name}/{path.name} |" in listed, f"{path} is not in SOURCES.md"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_message_teaches(app: App, path: Path) -> None:
    key = str(path)
    report = services.validate_bpmn(
        None, ctx=app.ctx, files={key: path.read_bytes()}, origins={key: path.parent}
    )
    for line in [*report.errors, *report.warnings]:
        assert line.startswith(key), line
        assert message_problems(line) == [], line


def test_the_corpus_is_mostly_refused_for_reasons_named(app: App) -> None:
    """A control on the test above: most of these files cannot run here, so most messages must
    exist, and the reasons the issue listed are among them."""
    seen: list[str] = []
    for path in FILES:
        report = services.validate_bpmn(None, ctx=app.ctx, files={path.name: path.read_bytes()})
        seen.extend(report.errors)
    text = "\n".join(seen)
    assert len(seen) > 100
    for rule in ("unsupported-element", "executable-process", "bpmn-xsd", "gateway-conditions"):
        assert f"rule {rule} " in text, rule
    assert 'isExecutable="false"' in text
    assert "服务任务（bpmn:serviceTask）不能运行" in text
    assert "数据存储" in text


def test_the_command_line_prints_the_same_messages(tmp_path: Path) -> None:
    picked = [p for p in FILES if p.parent.name == "camunda-examples"][:4]
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGWEI_")}
    env.update(
        QINGWEI_DATABASE_URL=f"sqlite:///{tmp_path / 'unused.db'}",
        QINGWEI_FORMS_DIR=str(ROOT / "forms"),
    )
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "qingwei"), "validate", *map(str, picked)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    warnings = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines and all("警告 warning" not in line for line in lines)
    assert all("警告 warning:" in line for line in warnings), done.stderr
    for line in lines + warnings:
        assert message_problems(line) == [], line
    for path in picked:
        assert any(line.startswith(str(path)) for line in lines), path
