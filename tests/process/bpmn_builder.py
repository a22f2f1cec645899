"""A small builder that writes Qingwei BPMN files (semantics + BPMN DI) from Python.

Only the `.bpmn` files in `processes/` matter to the engine; this builder is how they were first
produced (`python -m tests.process.generate`). A designer may go on editing the XML in bpmn-js.

Layout: one pool per process, one horizontal lane per role, nodes in columns by longest path
from the start (back edges ignored), edges drawn orthogonally; boundary events sit on the lower
edge of their host. Plain, but bpmn-js renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from tests.process.bpmn_render import Renderer

# Whose deadline a timer is (the `holder` property, checked by the engine's lint): a period that
# belongs to the party, a duty or limit of the agency itself, or a court's.
HOLDERS = ("party", "agency", "court")


@dataclass
class Node:
    id: str
    kind: str
    name: str
    lane: str
    props: dict[str, str] = field(default_factory=dict)
    script: str | None = None
    called: str | None = None
    # event definition: ("timer", expr) | ("message", message_id, variable) | ("signal", id)
    # | ("terminate",)
    event: tuple[str, ...] | None = None
    host: str | None = None
    interrupting: bool = True
    default: str | None = None
    # layout
    col: int = 0
    row: int = 0
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0


@dataclass
class Flow:
    id: str
    src: str
    tgt: str
    cond: str | None = None
    name: str | None = None


class Process(Renderer):
    """One executable process (one pool) and its lanes."""

    def __init__(self, pid: str, name: str, lanes: list[str]) -> None:
        self.id = pid
        self.name = name
        self.lanes = lanes
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        self.messages: dict[str, str] = {}  # message id -> name
        self.signals: dict[str, str] = {}
        self.inputs: list[str] = []
        self.outputs: list[str] = []
        self.happy_path: list[str] = []

    def happy(self, *ids: str) -> None:
        """The path drawn on one horizontal line (row 0); the rest is laid out below it."""
        self.happy_path = list(ids)

    def default_happy_path(self) -> list[str]:
        """From the start, the default flow (else the first) at each node, until an end."""
        outs: dict[str, list[Flow]] = {}
        for f in self.flows:
            if self.nodes[f.src].kind != "boundary":
                outs.setdefault(f.src, []).append(f)
        start = next(n.id for n in self.nodes.values() if n.kind == "start")
        path, node = [start], start
        while outs.get(node):
            flows = outs[node]
            default = self.nodes[node].default
            chosen = next((f for f in flows if f.id == default), flows[0])
            if chosen.tgt in path:
                break
            node = chosen.tgt
            path.append(node)
        return path

    def io(self, inputs: list[str], outputs: list[str]) -> None:
        """Data the process takes from and gives back to its caller (nothing else crosses)."""
        self.inputs, self.outputs = list(inputs), list(outputs)

    # ---- nodes ------------------------------------------------------------------------------
    def _add(self, node: Node) -> str:
        if node.id in self.nodes:
            raise ValueError(f"duplicate element id {node.id}")
        if node.lane not in self.lanes:
            raise ValueError(f"{node.id}: unknown lane {node.lane}")
        self.nodes[node.id] = node
        return node.id

    def start(self, nid: str, name: str, lane: str, **props: str) -> str:
        return self._add(Node(nid, "start", name, lane, props=dict(props)))

    def end(self, nid: str, name: str, lane: str, terminate: bool = False) -> str:
        return self._add(Node(nid, "end", name, lane, event=("terminate",) if terminate else None))

    def user(
        self,
        nid: str,
        name: str,
        lane: str,
        *,
        form: str,
        stage: str,
        docs: str,
        basis: str,
        **extra: str,
    ) -> str:
        """A user task; `basis` is its legal basis (short article form, PROCEDURE.md's
        abbreviations), recorded on the task_completed audit event."""
        if not basis.strip():
            raise ValueError(f"{nid}: user task without a legal basis")
        props = {
            "formJsonSchemaFilename": form,
            "stage": stage,
            "documents": docs,
            "basis": basis,
            **extra,
        }
        return self._add(Node(nid, "user", name, lane, props=props))

    def script(self, nid: str, name: str, lane: str, code: str) -> str:
        return self._add(Node(nid, "script", name, lane, script=code.strip("\n")))

    def call(self, nid: str, name: str, lane: str, called: str) -> str:
        return self._add(Node(nid, "call", name, lane, called=called))

    def xor(self, nid: str, name: str, lane: str) -> str:
        return self._add(Node(nid, "xor", name, lane))

    def parallel(self, nid: str, name: str, lane: str) -> str:
        return self._add(Node(nid, "and", name, lane))

    def event_gateway(self, nid: str, name: str, lane: str) -> str:
        return self._add(Node(nid, "evgw", name, lane))

    def _timer_props(
        self, period: str, basis: str, stage: str | None, local: str | None, extra: dict[str, str]
    ) -> dict[str, str]:
        if extra.get("holder") not in HOLDERS:
            raise ValueError(f"timer holder {extra.get('holder')!r} is not one of {HOLDERS}")
        props = {"period": period, "basis": basis}
        if stage:
            props["stage"] = stage
        if local:
            props["local"] = local
        props.update(extra)
        return props

    def timer(
        self,
        nid: str,
        name: str,
        lane: str,
        *,
        start: str,
        period: str,
        basis: str,
        stage: str | None = None,
        local: str | None = None,
        period_expr: str | None = None,
        **extra: str,
    ) -> str:
        expr = self._deadline(start, period, local, period_expr)
        props = self._timer_props(period, basis, stage, local, extra)
        return self._add(Node(nid, "catch", name, lane, props=props, event=("timer", expr)))

    @staticmethod
    def _deadline(start: str, period: str, local: str | None, period_expr: str | None) -> str:
        if period_expr:
            return f"deadline({start}, {period_expr})"
        if local:
            return f'deadline({start}, local("{local}"))'
        return f'deadline({start}, "{period}")'

    def message(self, name: str) -> str:
        mid = f"msg_{name}"
        self.messages[mid] = name
        return mid

    def signal(self, name: str) -> str:
        sid = f"sig_{name}"
        self.signals[sid] = name
        return sid

    def catch_message(self, nid: str, name: str, lane: str, message: str) -> str:
        mid = self.message(message)
        return self._add(Node(nid, "catch", name, lane, event=("message", mid, message)))

    def throw_signal(self, nid: str, name: str, lane: str, signal: str) -> str:
        sid = self.signal(signal)
        return self._add(Node(nid, "throw", name, lane, event=("signal", sid)))

    def boundary_timer(
        self,
        nid: str,
        name: str,
        host: str,
        *,
        start: str,
        period: str,
        basis: str,
        stage: str | None = None,
        local: str | None = None,
        period_expr: str | None = None,
        interrupting: bool = False,
        **extra: str,
    ) -> str:
        expr = self._deadline(start, period, local, period_expr)
        props = self._timer_props(period, basis, stage, local, extra)
        lane = self.nodes[host].lane
        return self._add(
            Node(
                nid,
                "boundary",
                name,
                lane,
                props=props,
                event=("timer", expr),
                host=host,
                interrupting=interrupting,
            )
        )

    def boundary_message(
        self, nid: str, name: str, host: str, message: str, *, interrupting: bool = True
    ) -> str:
        mid = self.message(message)
        lane = self.nodes[host].lane
        return self._add(
            Node(
                nid,
                "boundary",
                name,
                lane,
                event=("message", mid, message),
                host=host,
                interrupting=interrupting,
            )
        )

    def boundary_signal(
        self, nid: str, name: str, host: str, signal: str, *, interrupting: bool = True
    ) -> str:
        sid = self.signal(signal)
        lane = self.nodes[host].lane
        return self._add(
            Node(
                nid,
                "boundary",
                name,
                lane,
                event=("signal", sid),
                host=host,
                interrupting=interrupting,
            )
        )

    # ---- flows ------------------------------------------------------------------------------
    def flow(
        self,
        src: str,
        tgt: str,
        cond: str | None = None,
        *,
        default: bool = False,
        name: str | None = None,
    ) -> str:
        fid = f"f_{src}__{tgt}"
        k = 2
        while any(f.id == fid for f in self.flows):
            fid = f"f_{src}__{tgt}_{k}"
            k += 1
        self.flows.append(Flow(fid, src, tgt, cond, name))
        if default:
            node = self.nodes[src]
            if node.default:
                raise ValueError(f"{src} already has a default flow")
            node.default = fid
        return fid

    def chain(self, *ids: str) -> None:
        for a, b in pairwise(ids):
            self.flow(a, b)

    # ---- checks -----------------------------------------------------------------------------
    def check(self) -> None:
        for f in self.flows:
            for n in (f.src, f.tgt):
                if n not in self.nodes:
                    raise ValueError(f"{self.id}: flow {f.src}->{f.tgt}: unknown node {n}")
        outs: dict[str, list[Flow]] = {n: [] for n in self.nodes}
        ins: dict[str, list[Flow]] = {n: [] for n in self.nodes}
        for f in self.flows:
            outs[f.src].append(f)
            ins[f.tgt].append(f)
        for n in self.nodes.values():
            if n.kind not in ("end",) and not outs[n.id]:
                raise ValueError(f"{self.id}: {n.id} has no outgoing flow")
            if n.kind not in ("start", "boundary") and not ins[n.id]:
                raise ValueError(f"{self.id}: {n.id} has no incoming flow")
            if n.kind == "xor" and len(outs[n.id]) > 1:
                unconditioned = [f for f in outs[n.id] if not f.cond and f.id != n.default]
                if unconditioned:
                    raise ValueError(f"{self.id}: {n.id} has unconditioned non-default flows")
