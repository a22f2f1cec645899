"""The case diagram's one document: the main file merged with the files it calls."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from engine.bpmn_bundle import merge

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"


def test_merged_document_holds_every_process_and_diagram_once() -> None:
    main = (PROCESSES / "enforcement.bpmn").read_bytes()
    called = [(PROCESSES / f"{k}.bpmn").read_bytes() for k in ("execution", "coercion")]
    root = etree.fromstring(merge(main, called))
    processes = [p.get("id") for p in root.findall(f"{BPMN}process")]
    assert processes == ["enforcement", "execution", "coercion"]
    assert len(root.findall(f"{DI}BPMNDiagram")) == 3
    ids = [el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")]
    assert len(ids) == len(set(ids))  # shared messages kept once
    # the main diagram stays first: bpmn-js opens it
    assert root.findall(f"{DI}BPMNDiagram")[0].get("id") == "BPMNDiagram_enforcement"


def test_an_id_used_by_two_files_keeps_the_main_file_alone() -> None:
    main = (PROCESSES / "enforcement.bpmn").read_bytes()
    clash = main.replace(b'id="enforcement"', b'id="enforcement_copy"')  # same element ids
    assert merge(main, [clash]) == main
