"""`qingwei convert --from camunda`: Camunda Modeler samples (Camunda 8 web modeler, Camunda 7
modeler) → converted files → the listed decisions applied → the files validate clean."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import etree

from engine.convert.camunda import convert, foreign_to_python, iso_period
from tests.conftest import FIXTURES
from tests.validation.helpers import qingwei

CORPUS = FIXTURES / "corpus"
C8 = CORPUS / "miwg" / "Reference__C.9.1.bpmn"  # Camunda Web Modeler, Camunda 8 (zeebe)
JOB = "testing__assert__job-announcement-publication-process__camunda-testing-job-announcement"
C7_MAIN = CORPUS / "camunda-examples" / f"{JOB}.bpmn"  # Camunda Modeler 4.11, Camunda 7
C7_CALLED = CORPUS / "camunda-examples" / f"{JOB}-publication.bpmn"
B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
FORM = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}
LINE = re.compile(r"^  \[ \] \[(?P<kind>[a-z-]+)\] (?P<element>\S+?)(「|: )")


def decisions(stdout: str) -> list[tuple[str, str]]:
    """(kind, element id) of every "[ ]" line of the printed checklist."""
    found = [LINE.match(line) for line in stdout.splitlines() if line.startswith("  [ ] ")]
    assert all(found), stdout
    return [(m.group("kind"), m.group("element")) for m in found if m]


def set_property(el: etree._Element, name: str, value: str) -> None:
    props = el.find(f"{B}extensionElements/{SPIFF}properties")
    if props is None:
        ext = el.find(f"{B}extensionElements")
        if ext is None:
            ext = etree.Element(f"{B}extensionElements")
            el.insert(0, ext)
        props = etree.SubElement(ext, f"{SPIFF}properties")
    etree.SubElement(props, f"{SPIFF}property", name=name, value=value)


def apply(path: Path, todo: list[tuple[str, str]], forms: Path) -> None:
    """What a designer does with the checklist, one kind of decision at a time."""
    tree = etree.parse(str(path))
    by_id = {el.get("id"): el for el in tree.iter() if isinstance(el.tag, str) and el.get("id")}
    for kind, element in todo:
        el = by_id[element]
        if kind == "replace":  # a person records what the service did
            el.tag = f"{B}scriptTask"
            for attr in ("implementation", "messageRef", "operationRef"):
                el.attrib.pop(attr, None)
            script = etree.SubElement(el, f"{B}script")
            script.text = f"{element}_done = True"
        elif kind == "form":
            key = el.find(f"{B}extensionElements/{SPIFF}properties/{SPIFF}property").get("value")
            (forms / key).write_text(json.dumps(FORM), encoding="utf-8")
        elif kind == "stage":
            set_property(el, "stage", "investigation")
        elif kind == "lane":
            if el.tag == f"{B}lane":
                el.set("name", "officer")
        elif kind == "basis":
            set_property(el, "basis", "policy: follow-up of a converted sample")
        elif kind == "holder":
            set_property(el, "holder", "agency")
        elif kind == "start-variable":
            date = el.find(f".//{B}timeDate")
            date.text = date.text.replace(f"{element}_start", "served_at")
        else:
            assert kind in ("timer", "call"), kind  # acknowledged: nothing to edit
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


def run_convert(source: Path, out: Path, tmp_path: Path) -> list[tuple[str, str]]:
    done = qingwei(
        "convert",
        "--from",
        "camunda",
        str(source),
        "-o",
        str(out),
        cwd=tmp_path,
        db=tmp_path / "u.db",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"written: {out}" in done.stdout
    assert (
        "已自动转换 Converted mechanically" in done.stdout and "待定事项 To decide" in done.stdout
    )
    return decisions(done.stdout)


def test_camunda_8_sample_validates_after_the_listed_decisions(tmp_path: Path) -> None:
    out = tmp_path / "request.bpmn"
    todo = run_convert(C8, out, tmp_path)
    kinds = {k for k, _ in todo}
    assert {"basis", "holder", "start-variable", "stage", "form", "replace"} <= kinds
    xml = out.read_text(encoding="utf-8")
    assert 'deadline(BoundaryEvent_2_start, "7 CD")' in xml  # P7D
    assert 'deadline(BoundaryEvent_1_start, "1 CD")' in xml  # R6/P1D, listed as a cycle
    assert "zeebe" not in xml and "camunda:" not in xml
    forms = tmp_path / "forms"
    forms.mkdir()
    before = qingwei("validate", str(out), cwd=tmp_path, db=tmp_path / "u.db", forms=forms)
    assert before.returncode == 1  # the decisions are really needed
    apply(out, todo, forms)
    after = qingwei("validate", str(out), cwd=tmp_path, db=tmp_path / "u.db", forms=forms)
    assert after.returncode == 0, after.stdout
    assert "1 file(s) valid" in after.stdout


def test_camunda_7_sample_with_its_called_process_validates_after_the_decisions(
    tmp_path: Path,
) -> None:
    main, called = tmp_path / "job.bpmn", tmp_path / "publication.bpmn"
    todo_main = run_convert(C7_MAIN, main, tmp_path)
    todo_called = run_convert(C7_CALLED, called, tmp_path)
    assert ("call", "publication") in todo_main
    assert ("replace", "mail") in todo_main
    assert sum(1 for k, _ in todo_main if k == "lane") == 2  # lanes Management and HR
    xml = main.read_text(encoding="utf-8")
    assert ">approved<" in xml and ">not approved<" in xml  # #{approved}, #{!approved}
    assert 'name="formJsonSchemaFilename" value="edit.json"' in xml
    forms = tmp_path / "forms"
    forms.mkdir()
    apply(main, todo_main, forms)
    apply(called, todo_called, forms)
    done = qingwei(
        "validate", str(main), str(called), cwd=tmp_path, db=tmp_path / "u.db", forms=forms
    )
    assert done.returncode == 0, done.stdout
    assert "2 file(s) valid" in done.stdout


def test_convert_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bpmn"
    bad.write_text("<not-bpmn/>", encoding="utf-8")
    done = qingwei("convert", "--from", "camunda", str(bad), cwd=tmp_path, db=tmp_path / "u.db")
    assert done.returncode == 1 and "not a BPMN document" in done.stderr
    done = qingwei("convert", "--from", "activiti", str(C8), cwd=tmp_path, db=tmp_path / "u.db")
    assert done.returncode == 2 and "camunda" in done.stderr


@pytest.mark.parametrize(
    ("iso", "period"),
    [
        ("P7D", "7 CD"),
        ("P2W", "14 CD"),
        ("P6M", "6 M"),
        ("P1Y", "1 Y"),
        ("PT24H", "24 H"),
        ("P1DT12H", "36 H"),
        ("PT90M", None),
        ("P1Y6M", None),
        ("PT30S", None),
        ("${duration}", None),
        ("P0D", None),
    ],
)
def test_iso_durations_in_the_engines_units(iso: str, period: str | None) -> None:
    assert iso_period(iso) == period


@pytest.mark.parametrize(
    ("condition", "python"),
    [
        ("${approved}", "approved"),
        ("#{!approved}", "not approved"),
        ("${score > 5 && !blocked}", "score > 5 and not blocked"),
        ("${a eq 'x' || b ne null}", "a == 'x' or b != None"),
        ("${empty name}", "not name"),
        ('= status = "open" and count >= 2', 'status == "open" and count >= 2'),
        ("= approved", "approved"),
        ('${customer.prop("age").numberValue() >= 21}', None),
        ("${dateTime().plusWeeks(1)}", None),
        ("plain_python == 1", None),
    ],
)
def test_juel_and_feel_conditions_to_python(condition: str, python: str | None) -> None:
    assert foreign_to_python(condition) == python


def test_the_input_is_never_changed_and_output_has_no_foreign_namespace() -> None:
    before = C7_MAIN.read_bytes()
    result = convert(before)
    assert C7_MAIN.read_bytes() == before
    assert b"camunda.org/schema/1.0/bpmn" not in result.xml
    assert result.checklist().count("[ ]") == len(result.decide)
