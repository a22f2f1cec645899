"""Layout (columns by longest path, one band per lane) and XML writing of a Process, with
BPMN DI so that bpmn-js renders the diagram. Mixed into `bpmn_builder.Process`."""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:
    from tests.process.bpmn_builder import Flow, Node

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
SIZES = {
    "task": (120, 80),
    "event": (36, 36),
    "gateway": (50, 50),
}
LANE_HEADER = 30
POOL_HEADER = 30
LEFT = POOL_HEADER + LANE_HEADER + 20  # x of the first column
PAD = 35  # free margin on each side of a column's widest shape: the vertical flow channel
TOP = 34  # free band above a row's shapes: the horizontal flow channel
LABEL_W = 90  # bpmn-js wraps external labels at 90 px
BOUNDARY_GAP = 80  # distance between boundary events on one host
BOUNDARY_LABEL_W = 68
LINE_H = 14


def text_width(text: str) -> float:
    """Rough width at bpmn-js's 11-12 px Arial: CJK characters are square, Latin ones narrow."""
    return sum(12.0 if ord(ch) >= 0x2E80 else 6.3 for ch in text)


def text_lines(text: str, width: float) -> int:
    """Lines the text wraps to in `width` px: words wrap whole, CJK characters one by one."""
    lines, used = 1, 0.0
    for word in text.replace("，", "， ").split(" "):
        w = text_width(word)
        if ord(word[:1] or "a") >= 0x2E80 and used + w > width:
            # CJK runs break anywhere
            while used + w > width:
                w -= width - used
                lines += 1
                used = 0.0
            used = w + 6.3
            continue
        if used and used + w > width:
            lines += 1
            used = 0.0
        used += w + 6.3
    return lines


TAGS = {
    "start": ("startEvent", "event"),
    "end": ("endEvent", "event"),
    "user": ("userTask", "task"),
    "script": ("scriptTask", "task"),
    "call": ("callActivity", "task"),
    "xor": ("exclusiveGateway", "gateway"),
    "and": ("parallelGateway", "gateway"),
    "evgw": ("eventBasedGateway", "gateway"),
    "catch": ("intermediateCatchEvent", "event"),
    "throw": ("intermediateThrowEvent", "event"),
    "boundary": ("boundaryEvent", "event"),
}


def _attr(value: str) -> str:
    return quoteattr(value)


class Renderer:
    """The drawing half of a Process (needs its nodes, flows, lanes, messages, signals, io).

    A grid: columns by longest path from the start, one band of rows per lane, the designated
    happy path alone on row 0 of its lane. Shapes sit centred in their cell below a free band
    (TOP) and between free margins (PAD); every flow that is not a straight line between
    neighbours runs through those free bands, so that no flow crosses a shape. External labels
    get explicit bounds below their shape (boundary events: to the right of their flow)."""

    # ---- layout -----------------------------------------------------------------------------
    def _layout(self) -> None:
        # a lane nobody works in is only noise
        self.lanes = [ln for ln in self.lanes if any(n.lane == ln for n in self.nodes.values())]
        happy: list[str] = list(self.happy_path) or self.default_happy_path()
        succ: dict[str, list[str]] = {n: [] for n in self.nodes}
        preds: dict[str, list[str]] = {n: [] for n in self.nodes}
        for f in self.flows:
            src = self.nodes[f.src]
            s = src.host if src.kind == "boundary" and src.host else f.src
            succ[s].append(f.tgt)
            preds[f.tgt].append(s)
        on_path = {n: i for i, n in enumerate(happy)}
        for n in succ:
            # the happy path first, so that its flows are never taken for back edges
            succ[n].sort(key=lambda t: 0 if t in on_path else 1)
        starts = [n.id for n in self.nodes.values() if n.kind == "start"]
        back: set[tuple[str, str]] = set()
        state: dict[str, int] = {}
        order: list[str] = []

        def dfs(root: str) -> None:
            stack: list[tuple[str, int]] = [(root, 0)]
            state[root] = 1
            while stack:
                node, i = stack[-1]
                if i < len(succ[node]):
                    stack[-1] = (node, i + 1)
                    nxt = succ[node][i]
                    if state.get(nxt) == 1:
                        back.add((node, nxt))
                    elif nxt not in state:
                        state[nxt] = 1
                        stack.append((nxt, 0))
                else:
                    state[node] = 2
                    order.append(node)
                    stack.pop()

        for s in starts:
            if s not in state:
                dfs(s)
        for n in self.nodes:
            if n not in state and self.nodes[n].kind != "boundary":
                dfs(n)
        topo = list(reversed(order))
        col: dict[str, int] = dict.fromkeys(self.nodes, 0)
        for n in topo:
            for m in succ[n]:
                if (n, m) in back:
                    continue
                col[m] = max(col[m], col[n] + 1)
        # rows: the happy path alone on row 0 of its lanes; a branch keeps its predecessor's row
        happy_lanes = {self.nodes[n].lane for n in happy}
        taken: set[tuple[str, int, int]] = set()
        row: dict[str, int] = {}
        for n in happy:
            row[n] = 0
            taken.add((self.nodes[n].lane, 0, col[n]))
        for n in topo:
            node = self.nodes[n]
            if node.kind == "boundary" or n in row:
                continue
            floor = 1 if node.lane in happy_lanes else 0
            same_lane = [row[p] for p in preds[n] if p in row and self.nodes[p].lane == node.lane]
            r = max(floor, min(same_lane) if same_lane else floor)
            while (node.lane, r, col[n]) in taken:
                r += 1
            row[n] = r
            taken.add((node.lane, r, col[n]))
        # fewer crossings: within a column and lane, order the rows of the branches by where
        # their neighbours are (a barycentre sweep right to left, then left to right)
        cells: dict[tuple[str, int], list[str]] = {}
        for n in topo:
            node = self.nodes[n]
            if node.kind != "boundary" and n not in on_path:
                cells.setdefault((node.lane, col[n]), []).append(n)
        succ_direct: dict[str, list[str]] = {n: [] for n in self.nodes}
        for f in self.flows:
            succ_direct[f.src].append(f.tgt)
        host_of = {n.id: n.host for n in self.nodes.values() if n.kind == "boundary"}

        def mean_row(ns: list[str], fallback: float) -> float:
            rs = [row[m] for m in ns if m in row and self.nodes[m].lane == self.nodes[ns[0]].lane]
            return sum(rs) / len(rs) if rs else fallback

        for neighbours in (succ_direct, preds):
            for (_, _c), members in sorted(cells.items(), key=lambda kv: -kv[0][1]):
                if len(members) < 2:
                    continue
                rows_used = sorted(row[m] for m in members)
                keyed = sorted(
                    members,
                    key=lambda m: (
                        mean_row([host_of.get(x) or x for x in neighbours[m]], float(row[m]))
                        if neighbours[m]
                        else float(row[m])
                    ),
                )
                for m, r in zip(keyed, rows_used, strict=True):
                    row[m] = r
        for n, node in self.nodes.items():
            if node.kind != "boundary":
                node.col, node.row = col[n], row[n]
        # sizes
        bounds_on: dict[str, list[Node]] = {}
        for node in self.nodes.values():
            if node.kind == "boundary" and node.host:
                bounds_on.setdefault(node.host, []).append(node)
        self._label: dict[str, tuple[float, float, float, float]] = {}
        label_h: dict[str, float] = {}
        for node in self.nodes.values():
            kind = TAGS[node.kind][1]
            w, h = SIZES[kind]
            if kind == "task":
                w = max(w, BOUNDARY_GAP * len(bounds_on.get(node.id, [])) + 10)
                h = max(h, text_lines(node.name, w - 12) * LINE_H + 16)
                label_h[node.id] = 0
            elif node.kind == "boundary":
                label_h[node.id] = text_lines(node.name, BOUNDARY_LABEL_W) * LINE_H
            else:
                label_h[node.id] = text_lines(node.name, LABEL_W) * LINE_H
            node.w, node.h = w, h
        max_col = max((n.col for n in self.nodes.values() if n.kind != "boundary"), default=0)
        col_w = [0.0] * (max_col + 1)
        for node in self.nodes.values():
            if node.kind == "boundary":
                continue
            content = node.w if TAGS[node.kind][1] == "task" else max(node.w, LABEL_W)
            col_w[node.col] = max(col_w[node.col], content)
        self._col_x: list[float] = []
        x = float(LEFT)
        for w in col_w:
            self._col_x.append(x)
            x += w + 2 * PAD
        self._col_x.append(x)
        # rows of each lane, top to bottom; a row is as tall as its tallest shape and label
        lane_rows: dict[str, int] = dict.fromkeys(self.lanes, 1)
        for node in self.nodes.values():
            if node.kind != "boundary":
                lane_rows[node.lane] = max(lane_rows[node.lane], node.row + 1)
        self._row_top: dict[tuple[str, int], float] = {}
        self._row_mid: dict[tuple[str, int], float] = {}
        self.lane_y: dict[str, tuple[float, float]] = {}
        self._row_order: list[tuple[str, int]] = []
        y = 0.0
        for lane in self.lanes:
            lane_top = y
            for r in range(lane_rows[lane]):
                members = [
                    n
                    for n in self.nodes.values()
                    if n.kind != "boundary" and n.lane == lane and n.row == r
                ]
                tallest = max((n.h for n in members), default=80.0)
                below = 0.0
                for n in members:
                    kind = TAGS[n.kind][1]
                    if kind == "task":
                        extra = max(
                            (18 + 4 + label_h[b.id] for b in bounds_on.get(n.id, [])),
                            default=0.0,
                        )
                        below = max(below, extra - (tallest - n.h) / 2)
                    else:
                        below = max(below, 6 + label_h[n.id] - (tallest - n.h) / 2)
                self._row_top[(lane, r)] = y
                self._row_mid[(lane, r)] = y + TOP + tallest / 2
                self._row_order.append((lane, r))
                y += TOP + tallest + max(below, 0.0) + 16
            self.lane_y[lane] = (lane_top, y - lane_top)
        self._bottom = y
        self.height = y + TOP  # a last free band for flows that leave the lowest row
        self.width = self._col_x[-1] + 10
        for node in self.nodes.values():
            if node.kind == "boundary":
                continue
            cx = self._col_x[node.col] + PAD + col_w[node.col] / 2
            cy = self._row_mid[(node.lane, node.row)]
            node.x, node.y = cx - node.w / 2, cy - node.h / 2
            if TAGS[node.kind][1] != "task":
                lh = label_h[node.id]
                self._label[node.id] = (cx - LABEL_W / 2, node.y + node.h + 6, LABEL_W, lh)
        for host_id, bnodes in bounds_on.items():
            host = self.nodes[host_id]
            for i, b in enumerate(bnodes):
                cx = host.x + 30 + BOUNDARY_GAP * i
                b.w = b.h = 36
                b.x, b.y = cx - 18, host.y + host.h - 18
                self._label[b.id] = (cx + 6, b.y + 36 + 4, BOUNDARY_LABEL_W, label_h[b.id])
        self._back = back
        self._vcount: dict[int, int] = {}
        self._hcount: dict[tuple[str, int] | None, int] = {}

    # ---- XML --------------------------------------------------------------------------------
    def _ext(self, props: dict[str, str], indent: str) -> list[str]:
        if not props:
            return []
        out = [f"{indent}<bpmn:extensionElements>", f"{indent}  <spiffworkflow:properties>"]
        for k, v in props.items():
            out.append(f"{indent}    <spiffworkflow:property name={_attr(k)} value={_attr(v)} />")
        out += [f"{indent}  </spiffworkflow:properties>", f"{indent}</bpmn:extensionElements>"]
        return out

    def _event_xml(self, node: Node, indent: str) -> list[str]:
        ev = node.event
        if ev is None:
            return []
        if ev[0] == "timer":
            return [
                f'{indent}<bpmn:timerEventDefinition id="{node.id}_def">',
                f'{indent}  <bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
                f"{escape(ev[1])}</bpmn:timeDate>",
                f"{indent}</bpmn:timerEventDefinition>",
            ]
        if ev[0] == "message":
            return [
                f'{indent}<bpmn:messageEventDefinition id="{node.id}_def" messageRef="{ev[1]}">',
                f"{indent}  <bpmn:extensionElements>",
                f"{indent}    <spiffworkflow:messageVariable>{escape(ev[2])}"
                "</spiffworkflow:messageVariable>",
                f"{indent}  </bpmn:extensionElements>",
                f"{indent}</bpmn:messageEventDefinition>",
            ]
        if ev[0] == "signal":
            return [
                f'{indent}<bpmn:signalEventDefinition id="{node.id}_def" signalRef="{ev[1]}" />'
            ]
        if ev[0] == "terminate":
            return [f'{indent}<bpmn:terminateEventDefinition id="{node.id}_def" />']
        raise ValueError(ev)

    def _node_xml(self, node: Node, ins: list[Flow], outs: list[Flow]) -> list[str]:
        tag = TAGS[node.kind][0]
        i = "    "
        attrs = f'id="{node.id}" name={_attr(node.name)}'
        if node.kind == "call":
            attrs += f' calledElement="{node.called}"'
        if node.default:
            attrs += f' default="{node.default}"'
        if node.kind == "boundary":
            attrs += f' attachedToRef="{node.host}"'
            if not node.interrupting:
                attrs += ' cancelActivity="false"'
        out = [f"{i}<bpmn:{tag} {attrs}>"]
        out += self._ext(node.props, i + "  ")
        out += [f"{i}  <bpmn:incoming>{f.id}</bpmn:incoming>" for f in ins]
        out += [f"{i}  <bpmn:outgoing>{f.id}</bpmn:outgoing>" for f in outs]
        out += self._event_xml(node, i + "  ")
        if node.kind == "script":
            out.append(f"{i}  <bpmn:script>{escape(node.script or '')}</bpmn:script>")
        out.append(f"{i}</bpmn:{tag}>")
        return out

    def _flow_xml(self, f: Flow) -> list[str]:
        attrs = f'id="{f.id}" sourceRef="{f.src}" targetRef="{f.tgt}"'
        if f.name:
            attrs += f" name={_attr(f.name)}"
        if not f.cond:
            return [f"    <bpmn:sequenceFlow {attrs} />"]
        return [
            f"    <bpmn:sequenceFlow {attrs}>",
            f'      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
            f"{escape(f.cond)}</bpmn:conditionExpression>",
            "    </bpmn:sequenceFlow>",
        ]

    # ---- routing ----------------------------------------------------------------------------
    def _vchannel(self, boundary: int) -> float:
        """x of a flow in the free margin at the left edge of column `boundary`."""
        k = self._vcount.get(boundary, 0)
        self._vcount[boundary] = k + 1
        return self._col_x[boundary] + ((k % 7) - 3) * 6

    def _hchannel(self, row: tuple[str, int] | None) -> float:
        """y of a flow in the free band above `row` (None: below the lowest row)."""
        k = self._hcount.get(row, 0)
        self._hcount[row] = k + 1
        top = self._bottom if row is None else self._row_top[row]
        return top + 6 + (k % 6) * 4

    def _next_row(self, node: Node) -> tuple[str, int] | None:
        i = self._row_order.index((node.lane, node.row))
        return self._row_order[i + 1] if i + 1 < len(self._row_order) else None

    def _straight_is_clear(self, a: Node, b: Node) -> bool:
        y = a.y + a.h / 2
        x0, x1 = a.x + a.w, b.x
        for n in self.nodes.values():
            if n is a or n is b:
                continue
            if n.x < x1 and n.x + n.w > x0 and n.y < y < n.y + n.h:
                return False
        for nid, (lx, ly, lw, lh) in self._label.items():
            if nid in (a.id, b.id):
                continue
            if lx < x1 and lx + lw > x0 and ly < y < ly + lh:
                return False
        return True

    def _waypoints(self, f: Flow, k: int) -> list[tuple[float, float]]:
        a, b = self.nodes[f.src], self.nodes[f.tgt]
        tx, ty = b.x, b.y + b.h / 2
        enter = self._vchannel(b.col)
        if a.kind == "boundary":
            host = self.nodes[a.host or ""]
            sx, sy = a.x + a.w / 2, a.y + a.h
            gap = self._hchannel(self._next_row(host))
            return [(sx, sy), (sx, gap), (enter, gap), (enter, ty), (tx, ty)]
        sx, sy = a.x + a.w, a.y + a.h / 2
        if abs(sy - ty) < 0.5 and b.col > a.col and self._straight_is_clear(a, b):
            return [(sx, sy), (tx, ty)]
        leave = self._vchannel(a.col + 1)
        if b.col == a.col + 1:
            return [(sx, sy), (leave, sy), (leave, ty), (tx, ty)]
        gap = self._hchannel((b.lane, b.row))
        return [(sx, sy), (leave, sy), (leave, gap), (enter, gap), (enter, ty), (tx, ty)]

    def to_xml(self) -> str:
        self.check()
        self._layout()
        ins: dict[str, list[Flow]] = {n: [] for n in self.nodes}
        outs: dict[str, list[Flow]] = {n: [] for n in self.nodes}
        for f in self.flows:
            outs[f.src].append(f)
            ins[f.tgt].append(f)
        pid = self.id
        lines = ['<?xml version="1.0" encoding="UTF-8"?>']
        nsdecl = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
        lines.append(
            f'<bpmn:definitions {nsdecl} id="Definitions_{pid}" '
            'targetNamespace="https://qingwei.example/bpmn" exporter="qingwei process builder" '
            'exporterVersion="1">'
        )
        for mid, name in sorted(self.messages.items()):
            lines.append(f'  <bpmn:message id="{mid}" name="{name}" />')
        for sid, name in sorted(self.signals.items()):
            lines.append(f'  <bpmn:signal id="{sid}" name="{name}" />')
        lines.append(f'  <bpmn:collaboration id="Collaboration_{pid}">')
        lines.append(
            f'    <bpmn:participant id="Participant_{pid}" name={_attr(self.name)} '
            f'processRef="{pid}" />'
        )
        lines.append("  </bpmn:collaboration>")
        lines.append(f'  <bpmn:process id="{pid}" name={_attr(self.name)} isExecutable="true">')
        if self.inputs or self.outputs:
            lines.append(f'    <bpmn:ioSpecification id="IoSpec_{pid}">')
            lines += [f'      <bpmn:dataInput id="{v}" name="{v}" />' for v in self.inputs]
            lines += [f'      <bpmn:dataOutput id="{v}" name="{v}" />' for v in self.outputs]
            lines.append(f'      <bpmn:inputSet id="InputSet_{pid}">')
            lines += [f"        <bpmn:dataInputRefs>{v}</bpmn:dataInputRefs>" for v in self.inputs]
            lines.append("      </bpmn:inputSet>")
            lines.append(f'      <bpmn:outputSet id="OutputSet_{pid}">')
            lines += [
                f"        <bpmn:dataOutputRefs>{v}</bpmn:dataOutputRefs>" for v in self.outputs
            ]
            lines.append("      </bpmn:outputSet>")
            lines.append("    </bpmn:ioSpecification>")
        lines.append(f'    <bpmn:laneSet id="LaneSet_{pid}">')
        for lane in self.lanes:
            lines.append(f'      <bpmn:lane id="Lane_{pid}_{lane}" name="{lane}">')
            for n in self.nodes.values():
                if n.lane == lane:
                    lines.append(f"        <bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>")
            lines.append("      </bpmn:lane>")
        lines.append("    </bpmn:laneSet>")
        for n in self.nodes.values():
            lines += self._node_xml(n, ins[n.id], outs[n.id])
        for f in self.flows:
            lines += self._flow_xml(f)
        lines.append("  </bpmn:process>")
        lines += self._di()
        lines.append("</bpmn:definitions>")
        return "\n".join(lines) + "\n"

    def _di(self) -> list[str]:
        pid = self.id
        px, py = 0.0, 0.0
        out = [
            f'  <bpmndi:BPMNDiagram id="BPMNDiagram_{pid}">',
            f'    <bpmndi:BPMNPlane id="BPMNPlane_{pid}" bpmnElement="Collaboration_{pid}">',
        ]

        def bounds(x: float, y: float, w: float, h: float) -> str:
            return f'<dc:Bounds x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" />'

        out.append(
            f'      <bpmndi:BPMNShape id="Participant_{pid}_di" bpmnElement="Participant_{pid}" '
            f'isHorizontal="true">{bounds(px, py, self.width - px, self.height)}'
            "</bpmndi:BPMNShape>"
        )
        for lane in self.lanes:
            ly, lh = self.lane_y[lane]
            box = bounds(px + POOL_HEADER, ly, self.width - px - POOL_HEADER, lh)
            out.append(
                f'      <bpmndi:BPMNShape id="Lane_{pid}_{lane}_di" '
                f'bpmnElement="Lane_{pid}_{lane}" isHorizontal="true">{box}</bpmndi:BPMNShape>'
            )
        for n in self.nodes.values():
            extra = ' isMarkerVisible="true"' if n.kind == "xor" else ""
            label = ""
            if n.id in self._label:
                label = f"<bpmndi:BPMNLabel>{bounds(*self._label[n.id])}</bpmndi:BPMNLabel>"
            out.append(
                f'      <bpmndi:BPMNShape id="{n.id}_di" bpmnElement="{n.id}"{extra}>'
                f"{bounds(n.x, n.y, n.w, n.h)}{label}</bpmndi:BPMNShape>"
            )
        for k, f in enumerate(self.flows):
            pts = "".join(
                f'<di:waypoint x="{x:.0f}" y="{y:.0f}" />' for x, y in self._waypoints(f, k)
            )
            out.append(
                f'      <bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">'
                f"{pts}</bpmndi:BPMNEdge>"
            )
        out += ["    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>"]
        return out
