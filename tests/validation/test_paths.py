"""Forms are found beside the BPMN file or in the configured folders; a miss names the paths;
two files with one base name are two files."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.validation.common import message_problems
from tests.validation.helpers import FORMS, MINI, qingwei, variant


def project(root: Path, forms_at: str | None = "forms") -> Path:
    """root/processes/case.bpmn with its forms at root/<forms_at> (../forms from the file)."""
    (root / "processes").mkdir(parents=True)
    bpmn = root / "processes" / "case.bpmn"
    bpmn.write_text(MINI, encoding="utf-8")
    if forms_at is not None:
        shutil.copytree(FORMS, root / forms_at)
    return bpmn


def test_forms_beside_the_file_are_found_from_anywhere(tmp_path: Path) -> None:
    bpmn = project(tmp_path / "proj")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = qingwei("validate", str(bpmn), cwd=elsewhere, db=tmp_path / "u.db", forms=elsewhere)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 file(s) valid" in done.stdout


def test_forms_in_a_forms_folder_next_to_the_file_are_found(tmp_path: Path) -> None:
    bpmn = project(tmp_path / "proj", forms_at="processes/forms")
    done = qingwei("validate", str(bpmn), cwd=tmp_path, db=tmp_path / "u.db", forms=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_missing_form_says_where_it_looked(tmp_path: Path) -> None:
    bpmn = project(tmp_path / "proj", forms_at=None)
    configured = tmp_path / "configured"
    configured.mkdir()
    done = qingwei("validate", str(bpmn), cwd=tmp_path, db=tmp_path / "u.db", forms=configured)
    assert done.returncode == 1
    lines = [x for x in done.stdout.splitlines() if "mini_decide.json" in x]
    assert len(lines) == 1, done.stdout
    line = lines[0]
    assert message_problems(line) == [], line
    assert "元素 element decide" in line
    for place in (
        tmp_path / "proj" / "processes" / "forms" / "mini_decide.json",
        tmp_path / "proj" / "forms" / "mini_decide.json",
        configured / "mini_decide.json",
    ):
        assert str(place.resolve()) in line, line


def test_two_files_with_one_name_are_both_validated(tmp_path: Path) -> None:
    bad = variant(('value="ARL Art. 20"', 'value="XYZ Art. 999"'))
    good = variant(
        ('id="mini_case"', 'id="mini_case_b"'),
        ('processRef="mini_case"', 'processRef="mini_case_b"'),
    )
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.bpmn").write_text(bad, encoding="utf-8")
    (tmp_path / "b" / "x.bpmn").write_text(good, encoding="utf-8")
    for order in (["a/x.bpmn", "b/x.bpmn"], ["b/x.bpmn", "a/x.bpmn"]):
        done = qingwei("validate", *order, cwd=tmp_path, db=tmp_path / "u.db")
        assert done.returncode == 1, (order, done.stdout)
        assert "file(s) valid" not in done.stdout
        assert done.stdout.startswith("a/x.bpmn:"), done.stdout
        assert "XYZ Art. 999" in done.stdout
    done = qingwei("validate", "b/x.bpmn", cwd=tmp_path, db=tmp_path / "u.db")
    assert done.returncode == 0, done.stdout


def test_deploying_two_files_with_one_name_is_refused(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.bpmn").write_text(MINI, encoding="utf-8")
    done = qingwei("deploy", "a/x.bpmn", "b/x.bpmn", cwd=tmp_path, db=tmp_path / "u.db")
    assert done.returncode == 2
    assert "b/x.bpmn" in done.stderr and "同名" in done.stderr and "rename" in done.stderr


def test_documents_are_looked_for_beside_the_file(tmp_path: Path) -> None:
    bpmn = project(tmp_path / "proj")
    configured = tmp_path / "configured"
    configured.mkdir()
    run = ("validate", str(bpmn))
    env = {"cwd": configured, "db": tmp_path / "u.db"}
    done = qingwei(*run, **env)  # type: ignore[arg-type]
    assert done.returncode == 0, done.stdout  # no catalog: a warning, names listed only
    assert done.stdout.strip().endswith("1 file(s) valid"), done.stdout
    warning = next(x for x in done.stderr.splitlines() if "catalog.json" in x)
    assert warning.startswith(f"{bpmn}: 警告 warning:")
    assert str(tmp_path / "proj" / "documents" / "catalog.json") in warning
    assert message_problems(warning) == [], warning
    docs = tmp_path / "proj" / "documents"
    docs.mkdir()
    (docs / "catalog.json").write_text(
        '{"现场检查笔录": {"template": "site_record.html"}}', encoding="utf-8"
    )
    done = qingwei(*run, **env)  # type: ignore[arg-type]
    assert done.returncode == 1
    line = next(x for x in done.stdout.splitlines() if "site_record.html" in x)
    assert "元素 element investigate" in line and str(docs / "site_record.html") in line
    assert message_problems(line) == [], line
    (docs / "site_record.html").write_text("<p>{{ case_no }}</p>", encoding="utf-8")
    done = qingwei(*run, **env)  # type: ignore[arg-type]
    assert done.returncode == 0 and "catalog.json" not in done.stdout + done.stderr, done.stdout


def test_deploy_needs_the_forms_where_the_server_reads_them(tmp_path: Path) -> None:
    """validate accepts a form beside the file; a deployment is served from the configured
    folder, so deploy says where it found the form and where to copy it."""
    bpmn = project(tmp_path / "proj")
    configured = tmp_path / "configured"
    configured.mkdir()
    env = {"cwd": tmp_path, "db": tmp_path / "d.db", "forms": configured}
    assert qingwei("db", "upgrade", **env).returncode == 0  # type: ignore[arg-type]
    done = qingwei("deploy", str(bpmn), **env)  # type: ignore[arg-type]
    assert done.returncode == 1, done.stdout + done.stderr
    line = next(x for x in done.stderr.splitlines() if "mini_decide.json" in x)
    assert str(tmp_path / "proj" / "forms" / "mini_decide.json") in line
    assert f"the server reads forms from {configured}" in line
    assert message_problems(line) == [], line
    for form in FORMS.glob("*.json"):
        shutil.copy(form, configured / form.name)
    done = qingwei("deploy", str(bpmn), **env)  # type: ignore[arg-type]
    assert done.returncode == 0 and "mini_case v1 deployed" in done.stdout, done.stderr
