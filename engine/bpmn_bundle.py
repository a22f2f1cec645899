"""One BPMN document for a case's diagram: the main process and every process it calls.

A case runs across several files (the main process calls one process per phase). The diagram a
user drills into must hold all of them, and the public contract gives one `bpmn_xml`: so the
files are merged into one `definitions` with one BPMNDiagram per process, the main one first
(bpmn-js opens the first diagram; the others are opened by drilling into a call activity).

Message, signal and error definitions that several files repeat with the same id are kept once.
Any other id used by two files would make the merged document ambiguous: then only the main
file is returned, as before, and the drill-down is not offered.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SHARED_ROOT_ELEMENTS = {"message", "signal", "error", "escalation", "itemDefinition"}


def _parse(xml: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    return etree.fromstring(xml, parser)


def merge(main: bytes, called: Sequence[bytes]) -> bytes:
    """`main` with the root elements and diagrams of `called` appended (see the module doc)."""
    root = _parse(main)
    seen_ids = {el.get("id") for el in root.iter() if el.get("id")}
    shared = {
        el.get("id")
        for el in root
        if isinstance(el.tag, str) and etree.QName(el).localname in SHARED_ROOT_ELEMENTS
    }
    additions: list[etree._Element] = []
    for xml in called:
        other = _parse(xml)
        for child in other:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            if name in SHARED_ROOT_ELEMENTS:
                if child.get("id") in shared:
                    continue
                shared.add(child.get("id"))
            ids = {el.get("id") for el in child.iter() if el.get("id")}
            if ids & seen_ids:
                return main
            seen_ids |= ids
            additions.append(child)
    # BPMN orders the root elements before the diagrams: insert before the first diagram
    first_diagram = next(
        (
            i
            for i, el in enumerate(root)
            if isinstance(el.tag, str) and etree.QName(el).localname == "BPMNDiagram"
        ),
        len(root),
    )
    roots = [a for a in additions if etree.QName(a).localname != "BPMNDiagram"]
    diagrams = [a for a in additions if etree.QName(a).localname == "BPMNDiagram"]
    for offset, el in enumerate(roots):
        root.insert(first_diagram + offset, el)
    for el in diagrams:
        root.append(el)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out
