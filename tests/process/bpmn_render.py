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
    "task": (110, 80),
    "event": (36, 36),
    "gateway": (50, 50),
}
COL_W = 170
ROW_H = 120
LANE_HEADER = 30
POOL_HEADER = 30
LEFT = 160

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
    """The drawing half of a Process (needs its nodes, flows, lanes, messages, signals, io)."""

    # ---- layout -----------------------------------------------------------------------------
    def _layout(self) -> None:
        succ: dict[str, list[str]] = {n: [] for n in self.nodes}
        for f in self.flows:
            src = self.nodes[f.src]
            # a boundary event's successors are laid out after its host
            s = src.host if src.kind == "boundary" and src.host else f.src
            succ[s].append(f.tgt)
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
        rows: dict[tuple[str, int], int] = {}
        lane_rows: dict[str, int] = dict.fromkeys(self.lanes, 1)
        for n in topo:
            node = self.nodes[n]
            if node.kind == "boundary":
                continue
            node.col = col[n]
            key = (node.lane, node.col)
            node.row = rows.get(key, 0)
            rows[key] = node.row + 1
            lane_rows[node.lane] = max(lane_rows[node.lane], node.row + 1)
        self.lane_y: dict[str, tuple[float, float]] = {}
        y = 0.0
        for lane in self.lanes:
            h = lane_rows[lane] * ROW_H + 20
            self.lane_y[lane] = (y, h)
            y += h
        self.height = y
        max_col = max((n.col for n in self.nodes.values()), default=0)
        self.width = LEFT + (max_col + 1) * COL_W + 40
        for node in self.nodes.values():
            if node.kind == "boundary":
                continue
            w, h = SIZES[TAGS[node.kind][1]]
            cx = LEFT + node.col * COL_W + COL_W / 2
            ly, _ = self.lane_y[node.lane]
            cy = ly + 20 + node.row * ROW_H + ROW_H / 2
            node.w, node.h = w, h
            node.x, node.y = cx - w / 2, cy - h / 2
        attached: dict[str, int] = {}
        for node in self.nodes.values():
            if node.kind != "boundary" or node.host is None:
                continue
            host = self.nodes[node.host]
            k = attached.get(host.id, 0)
            attached[host.id] = k + 1
            node.w, node.h = 36, 36
            node.x = host.x + host.w - 46 - 40 * k
            node.y = host.y + host.h - 18
        self._back = back

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

    def _waypoints(self, f: Flow, k: int) -> list[tuple[float, float]]:
        a, b = self.nodes[f.src], self.nodes[f.tgt]
        if a.kind == "boundary":
            sx, sy = a.x + a.w / 2, a.y + a.h
            tx, ty = b.x, b.y + b.h / 2
            if b.x > sx:
                return (
                    [(sx, sy), (sx, ty), (tx, ty)]
                    if ty > sy
                    else [
                        (sx, sy),
                        (sx, sy + 20),
                        (b.x - 20, sy + 20),
                        (b.x - 20, ty),
                        (tx, ty),
                    ]
                )
            low = max(sy, b.y + b.h) + 25 + 6 * (k % 5)
            return [(sx, sy), (sx, low), (b.x + b.w / 2, low), (b.x + b.w / 2, b.y + b.h)]
        forward = b.col > a.col
        if forward:
            sx, sy = a.x + a.w, a.y + a.h / 2
            tx, ty = b.x, b.y + b.h / 2
            if abs(sy - ty) < 1:
                return [(sx, sy), (tx, ty)]
            mx = tx - 20
            return [(sx, sy), (mx, sy), (mx, ty), (tx, ty)]
        sx, sy = a.x + a.w / 2, a.y + a.h
        tx, ty = b.x + b.w / 2, b.y + b.h
        low = max(sy, ty) + 22 + 6 * (k % 5)
        return [(sx, sy), (sx, low), (tx, low), (tx, ty)]

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
        px, py = LEFT - POOL_HEADER - LANE_HEADER - 10, 0.0
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
            out.append(
                f'      <bpmndi:BPMNShape id="{n.id}_di" bpmnElement="{n.id}"{extra}>'
                f"{bounds(n.x, n.y, n.w, n.h)}</bpmndi:BPMNShape>"
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
