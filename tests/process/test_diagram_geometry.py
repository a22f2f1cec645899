"""The diagrams a designer opens must be readable: the DI geometry of every shipped BPMN file.

Checked on the files alone (the .bpmn files are the only source): every flow node and flow is
drawn; no two shapes overlap (a boundary event sits on its own host only); no label overlaps
another label or a shape other than its own; every flow starts on its source, ends on its
target and crosses no other shape; the main diagram fits one screen.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
FLOW_NODES = {
    "startEvent",
    "endEvent",
    "userTask",
    "scriptTask",
    "manualTask",
    "task",
    "callActivity",
    "subProcess",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
}
EXTERNAL_LABEL = {
    "startEvent",
    "endEvent",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
}
TOL = 1.0  # pixels: touching is not overlapping


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x + TOL < other.x + other.w
            and other.x + TOL < self.x + self.w
            and self.y + TOL < other.y + other.h
            and other.y + TOL < self.y + self.h
        )

    def hit_by(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """Does the axis-parallel (or any) segment a-b pass through the inside of the box?"""
        x0, y0, x1, y1 = self.x + TOL, self.y + TOL, self.x + self.w - TOL, self.y + self.h - TOL
        # Liang-Barsky clipping of the segment against the shrunken box
        dx, dy = b[0] - a[0], b[1] - a[1]
        t0, t1 = 0.0, 1.0
        for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
        return t1 - t0 > 1e-6

    def near(self, point: tuple[float, float], slack: float = 3.0) -> bool:
        x, y = point
        return (
            self.x - slack <= x <= self.x + self.w + slack
            and self.y - slack <= y <= self.y + self.h + slack
        )


@dataclass
class Diagram:
    name: str
    kinds: dict[str, str]
    names: dict[str, str]
    hosts: dict[str, str]
    flows: dict[str, tuple[str, str]]
    shapes: dict[str, Box]
    labels: dict[str, Box]
    edges: dict[str, list[tuple[float, float]]]


def _box(el: ET.Element) -> Box:
    b = el.find("dc:Bounds", NS)
    assert b is not None
    return Box(*(float(b.get(k, "0")) for k in ("x", "y", "width", "height")))


def load(path: Path) -> Diagram:
    root = ET.parse(path).getroot()
    kinds: dict[str, str] = {}
    names: dict[str, str] = {}
    hosts: dict[str, str] = {}
    flows: dict[str, tuple[str, str]] = {}
    for process in root.findall("bpmn:process", NS):
        for el in process.iter():
            tag = el.tag.split("}")[1]
            if tag in FLOW_NODES:
                kinds[el.get("id", "")] = tag
                names[el.get("id", "")] = el.get("name", "")
                if tag == "boundaryEvent":
                    hosts[el.get("id", "")] = el.get("attachedToRef", "")
            elif tag == "sequenceFlow":
                flows[el.get("id", "")] = (el.get("sourceRef", ""), el.get("targetRef", ""))
    shapes: dict[str, Box] = {}
    labels: dict[str, Box] = {}
    edges: dict[str, list[tuple[float, float]]] = {}
    for shape in root.iter(f"{{{NS['bpmndi']}}}BPMNShape"):
        ref = shape.get("bpmnElement", "")
        if ref in kinds:
            shapes[ref] = _box(shape)
            label = shape.find("bpmndi:BPMNLabel", NS)
            if label is not None:
                labels[ref] = _box(label)
    for edge in root.iter(f"{{{NS['bpmndi']}}}BPMNEdge"):
        points = [
            (float(p.get("x", "0")), float(p.get("y", "0")))
            for p in edge.findall("di:waypoint", NS)
        ]
        edges[edge.get("bpmnElement", "")] = points
    return Diagram(path.name, kinds, names, hosts, flows, shapes, labels, edges)


FILES = sorted(PROCESSES.glob("*.bpmn"))


@pytest.fixture(params=FILES, ids=[f.stem for f in FILES])
def diagram(request: pytest.FixtureRequest) -> Diagram:
    return load(request.param)


def test_every_element_is_drawn(diagram: Diagram) -> None:
    assert set(diagram.kinds) - set(diagram.shapes) == set()
    assert set(diagram.flows) - set(diagram.edges) == set()
    missing = [
        n for n, k in diagram.kinds.items() if k in EXTERNAL_LABEL and n not in diagram.labels
    ]
    assert missing == [], "external labels need explicit bounds"
    assert all(len(points) >= 2 for points in diagram.edges.values())


def test_no_shape_overlaps_another(diagram: Diagram) -> None:
    ids = sorted(diagram.shapes)
    clashes = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if diagram.hosts.get(a) == b or diagram.hosts.get(b) == a:
                continue
            if diagram.shapes[a].overlaps(diagram.shapes[b]):
                clashes.append((a, b))
    assert clashes == []


def test_no_label_overlaps_a_label_or_a_foreign_shape(diagram: Diagram) -> None:
    clashes = []
    labels = sorted(diagram.labels)
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if diagram.labels[a].overlaps(diagram.labels[b]):
                clashes.append(("label", a, "label", b))
        for shape_id, box in diagram.shapes.items():
            if shape_id == a:
                continue
            if diagram.labels[a].overlaps(box):
                clashes.append(("label", a, "shape", shape_id))
    assert clashes == []


def test_flows_run_from_source_to_target_across_no_other_shape(diagram: Diagram) -> None:
    problems = []
    for fid, (src, tgt) in diagram.flows.items():
        points = diagram.edges[fid]
        if not diagram.shapes[src].near(points[0]):
            problems.append((fid, "does not start on", src))
        if not diagram.shapes[tgt].near(points[-1]):
            problems.append((fid, "does not end on", tgt))
        for a, b in itertools.pairwise(points):
            for shape_id, box in diagram.shapes.items():
                if shape_id in (src, tgt):
                    continue
                if box.hit_by(a, b):
                    problems.append((fid, "crosses", shape_id))
    assert problems == []


def test_every_diagram_is_small_enough_to_read() -> None:
    """About 30 flow nodes a diagram; the main one fits a 1920 x 1080 screen at 50 % zoom."""
    sizes = {f.stem: len(load(f).kinds) for f in FILES}
    assert {k: v for k, v in sizes.items() if v > 36} == {}
    main = load(PROCESSES / "enforcement.bpmn")
    right = max(b.x + b.w for b in main.shapes.values())
    bottom = max(b.y + b.h for b in main.shapes.values())
    assert right * 0.5 <= 1920 and bottom * 0.5 <= 1080, (right, bottom)


def test_the_main_happy_path_is_one_horizontal_line() -> None:
    main = load(PROCESSES / "enforcement.bpmn")
    path = [
        "intake",
        "gw_to_lead_check",
        "intake_filing",
        "handling",
        "decision_service_stage",
        "execution_stage",
        "closing",
        "end_case",
    ]
    centres = {round(main.shapes[n].y + main.shapes[n].h / 2) for n in path}
    assert len(centres) == 1, centres
    assert [main.shapes[n].x for n in path] == sorted(main.shapes[n].x for n in path)
    assert all(main.names[n] and ord(main.names[n][0]) >= 0x2E80 for n in path)
