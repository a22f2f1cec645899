"""Parse BPMN safely and lint it against Qingwei's rules before anything is deployed.

The XML comes from a designer's upload, so it is parsed with entity resolution, DTD loading and
network access off (no XXE, no billion laughs), then validated against the BPMN schema by
SpiffWorkflow's own parser.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity as CallActivityMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.specs.MultiChoice import MultiChoice
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition

from engine.calendar import Period, PeriodError
from engine.runtime.events import event_pairs, timer_elements
from engine.runtime.model import ElementInfo, LintIssue
from engine.runtime.scripting import check_source

MAX_BPMN_BYTES = 5 * 1024 * 1024
# Elements with an id (tasks, events, gateways, flows, ...) inside the processes of one file:
# enforcement.bpmn, the largest shipped, has about 600; a 10,000-task upload is refused.
MAX_ELEMENTS = 3000
BPMN_NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_SAFE_XML = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)
MANUAL_KINDS = {"UserTask", "ManualTask"}
# Whose deadline a timer is (its `holder` property): a period that belongs to the party, a duty
# or limit of the agency itself, or a court's. Optional, so third-party files still deploy.
TIMER_HOLDERS = ("party", "agency", "court")


class BpmnRejected(ValueError):
    """The upload is not a well-formed, schema-valid, safe BPMN document."""

    def __init__(self, issues: list[LintIssue]) -> None:
        super().__init__("; ".join(str(i) for i in issues))
        self.issues = issues


@dataclass
class ProcessDefinition:
    """One executable process, parsed: its spec, the specs it calls, and its element metadata."""

    key: str
    name: str
    file: str
    xml: bytes
    spec: Any
    subprocess_specs: dict[str, Any]
    elements: dict[str, ElementInfo] = field(default_factory=dict)


def _load_xml(name: str, content: bytes) -> Any:
    if len(content) > MAX_BPMN_BYTES:
        raise BpmnRejected([LintIssue("-", None, "file is larger than 5 MiB", name)])
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise BpmnRejected(
            [LintIssue("-", None, "DTDs and entity declarations are not allowed", name)]
        )
    try:
        root = etree.fromstring(content, parser=_SAFE_XML)
    except etree.XMLSyntaxError as exc:
        raise BpmnRejected([LintIssue("-", None, f"not well-formed XML: {exc}", name)]) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        # The byte check above misses other encodings (UTF-16); the parsed tree does not.
        raise BpmnRejected(
            [LintIssue("-", None, "DTDs and entity declarations are not allowed", name)]
        )
    if etree.QName(root).localname != "definitions":
        raise BpmnRejected([LintIssue("-", None, "not a BPMN document (no definitions)", name)])
    return root


def count_elements(root: Any) -> int:
    """The BPMN elements with an id inside the processes of one parsed file."""
    return sum(
        1
        for proc in root.iter(f"{BPMN_NS}process")
        for element in proc.iter()
        if isinstance(element.tag, str) and element.get("id") is not None
    )


def parse_bundle(
    files: Mapping[str, bytes],
    library: Mapping[str, bytes] | None = None,
    *,
    max_elements: int = MAX_ELEMENTS,
) -> dict[str, ProcessDefinition]:
    """Parse `files` (the upload) together with `library` (already deployed XML, by file name)
    so call activities resolve; return the executable processes defined in `files`."""
    parser = SpiffBpmnParser()
    issues: list[LintIssue] = []
    owners: dict[str, str] = {}
    for name, content in files.items():
        root = _load_xml(name, content)
        count = count_elements(root)
        if count > max_elements:
            message = (
                f"BPMN 元素过多：{count} 个，上限 {max_elements} 个"
                f" (too many BPMN elements: {count}, the limit is {max_elements})"
            )
            issues.append(LintIssue("-", None, message, name))
            continue
        try:
            parser.add_bpmn_xml(root, filename=name)
        except ValidationException as exc:
            issues.append(LintIssue("-", getattr(exc, "id", None), _msg(exc), name))
            continue
        for proc in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}process"):
            if proc.get("isExecutable", "true") == "true":
                owners[proc.get("id")] = name
    if issues:
        raise BpmnRejected(issues)
    for lib_name, content in (library or {}).items():
        root = _load_xml(lib_name, content)
        ids = [
            p.get("id") for p in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")
        ]
        if any(i in owners for i in ids):
            continue  # the upload replaces this process
        try:
            parser.add_bpmn_xml(root, filename=lib_name)
        except ValidationException:
            continue  # a deployed file that clashes is simply not used to resolve calls
    if not owners:
        raise BpmnRejected([LintIssue("-", None, "no executable process", ",".join(files))])
    result: dict[str, ProcessDefinition] = {}
    for key, file in owners.items():
        try:
            spec = parser.get_spec(key)
            subs = parser.get_subprocess_specs(key)
        except (ValidationException, SpiffWorkflowException) as exc:
            issues.append(LintIssue(key, getattr(exc, "id", None), _msg(exc), file))
            continue
        proc_parser = parser.get_process_parser(key)
        definition = ProcessDefinition(
            key=key,
            name=proc_parser.get_name() or key,
            file=file,
            xml=files[file],
            spec=spec,
            subprocess_specs=subs,
        )
        definition.elements = collect_elements([spec, *subs.values()])
        result[key] = definition
    if issues:
        raise BpmnRejected(issues)
    return result


def _msg(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


def timer_definitions(specs: Iterable[Any]) -> dict[str, Any]:
    """The timer event definition of every timer element, by element id (see events.py)."""
    found: dict[str, Any] = {}
    for spec in specs:
        for ts in spec.task_specs.values():
            if isinstance(ts, CatchingEvent):
                for element, definition in timer_elements(ts):
                    found[element.bpmn_id] = definition
    return found


def collect_elements(specs: Iterable[Any]) -> dict[str, ElementInfo]:
    """Element metadata by BPMN id, from the `spiffworkflow:properties` of each element."""
    specs = list(specs)
    timers = timer_definitions(specs)
    out: dict[str, ElementInfo] = {}
    for spec in specs:
        for ts in spec.task_specs.values():
            bpmn_id = getattr(ts, "bpmn_id", None)
            if not bpmn_id:
                continue
            props: dict[str, str] = dict(
                (getattr(ts, "extensions", None) or {}).get("properties", {})
            )
            docs = tuple(d.strip() for d in props.get("documents", "").split(",") if d.strip())
            out[bpmn_id] = ElementInfo(
                element_id=bpmn_id,
                name=getattr(ts, "bpmn_name", None) or bpmn_id,
                kind="timer" if bpmn_id in timers else str(ts.__class__.__name__),
                lane=getattr(ts, "lane", None),
                form_key=props.get("formJsonSchemaFilename"),
                stage=props.get("stage"),
                period=props.get("period"),
                basis=props.get("basis"),
                documents=docs,
                properties=props,
            )
    return out


def lint(
    definition: ProcessDefinition,
    *,
    form_exists: Callable[[str], bool],
    known_lanes: Iterable[str] | None = None,
    local_parameters: Iterable[str] = (),
) -> list[LintIssue]:
    """Every rule a deployable process must meet; each issue names its element."""
    issues: list[LintIssue] = []
    lanes = set(known_lanes) if known_lanes is not None else None

    def add(element: str | None, message: str) -> None:
        issues.append(LintIssue(definition.key, element, message, definition.file))

    specs = [definition.spec, *definition.subprocess_specs.values()]
    timers = timer_definitions(specs)
    for spec in specs:
        for ts in spec.task_specs.values():
            bpmn_id = getattr(ts, "bpmn_id", None)
            if not bpmn_id:
                continue
            info = definition.elements[bpmn_id]
            if info.kind in MANUAL_KINDS:
                if not info.lane:
                    add(bpmn_id, "user task has no lane (the lane names the role that acts)")
                elif lanes is not None and info.lane not in lanes:
                    add(bpmn_id, f"lane '{info.lane}' is not a known role")
                if not info.form_key:
                    add(bpmn_id, "user task has no formJsonSchemaFilename property")
                elif not form_exists(info.form_key):
                    add(bpmn_id, f"form '{info.form_key}' does not exist")
            for element_id, label, source, mode in _expressions(ts):
                for problem in check_source(source, mode=mode):
                    add(element_id, f"{label}: {problem}")
            if info.kind == "timer":
                _lint_timer(info, timers[bpmn_id], add, set(local_parameters))
            if len(timer_elements(ts)) > 1:
                add(bpmn_id, "an event-based gateway may wait on at most one timer")
    for element_id, cycle in call_cycles(definition):
        add(
            element_id,
            "调用活动形成递归调用："
            + " → ".join(cycle)
            + " (a call activity calls its own process, directly or through another)",
        )
    return issues


def call_cycles(definition: ProcessDefinition) -> list[tuple[str, list[str]]]:
    """Call activities from which the process can call itself again: (element id, the chain)."""
    specs = {definition.key: definition.spec, **definition.subprocess_specs}
    calls: dict[str, list[tuple[str, str]]] = {}
    for name, spec in specs.items():
        calls[name] = [
            (getattr(ts, "bpmn_id", None) or ts.name, ts.spec)
            for ts in spec.task_specs.values()
            if isinstance(ts, CallActivityMixin) and isinstance(getattr(ts, "spec", None), str)
        ]
    found: list[tuple[str, list[str]]] = []
    reported: set[str] = set()

    def walk(process: str, path: list[str]) -> None:
        for element_id, target in calls.get(process, []):
            if target in path:
                key = f"{process}:{element_id}"
                if key not in reported:
                    reported.add(key)
                    found.append((element_id, [*path[path.index(target) :], target]))
                continue
            walk(target, [*path, target])

    walk(definition.key, [definition.key])
    return found


def _lint_timer(
    info: ElementInfo, event: Any, add: Callable[[str | None, str], None], params: set[str]
) -> None:
    if not info.period:
        add(info.element_id, "timer has no 'period' property (e.g. '60 CD')")
    if not info.basis:
        add(info.element_id, "timer has no 'basis' property (the article of law)")
    holder = info.properties.get("holder")
    if holder is not None and holder not in TIMER_HOLDERS:
        add(
            info.element_id,
            f"期限归属 holder '{holder}' 无效，应为 party（当事人）、agency（行政机关）或 court"
            f"（法院） / invalid timer holder '{holder}': must be party, agency or court",
        )
    declared: Period | None = None
    if info.period:
        try:
            declared = Period.parse(info.period)
        except PeriodError as exc:
            add(info.element_id, f"period '{info.period}': {exc}")
    if not isinstance(event, TimeDateEventDefinition):
        add(info.element_id, "timer must be a timeDate computed with deadline(start, period)")
        return
    call_periods = _deadline_periods(event.expression)
    if call_periods is None:
        add(info.element_id, "timer date must be computed with deadline(start, period)")
        return
    local_name = info.properties.get("local")
    for text in call_periods:
        if text.startswith("local:"):
            name = text.removeprefix("local:")
            if name not in params:
                add(info.element_id, f"local parameter '{name}' does not exist")
            elif local_name != name:
                add(info.element_id, f"timer reads local('{name}'): set property local={name}")
            continue
        try:
            used = Period.parse(text)
        except PeriodError as exc:
            add(info.element_id, f"deadline period '{text}': {exc}")
            continue
        if declared is not None and used != declared:
            add(info.element_id, f"deadline period '{text}' differs from property '{declared}'")


def _deadline_periods(expression: str) -> list[str] | None:
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return []
    periods: list[str] = []
    found = False
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "deadline"
        ):
            found = True
            if len(node.args) == 2 and isinstance(node.args[1], ast.Constant):
                periods.append(str(node.args[1].value))
            elif (
                len(node.args) == 2
                and isinstance(node.args[1], ast.Call)
                and isinstance(node.args[1].func, ast.Name)
                and node.args[1].func.id == "local"
                and node.args[1].args
                and isinstance(node.args[1].args[0], ast.Constant)
            ):
                periods.append("local:" + str(node.args[1].args[0].value))
    return periods if found else None


def _expressions(ts: Any) -> list[tuple[str, str, str, str]]:
    """(element id, label, source, mode) of every piece of code an element carries; an
    event-based gateway's timer expressions belong to the catch events drawn after it."""
    own: str = ts.bpmn_id
    found: list[tuple[str, str, str, str]] = []
    script = getattr(ts, "script", None)
    if isinstance(script, str) and script.strip():
        found.append((own, "script", script, "exec"))
    for attr in ("prescript", "postscript"):
        code = getattr(ts, attr, None)
        if isinstance(code, str) and code.strip():
            found.append((own, attr, code, "exec"))
    if isinstance(ts, MultiChoice):
        for condition, target in ts.cond_task_specs:
            if isinstance(condition, str):
                found.append((own, f"condition to {target}", condition, "eval"))
            elif condition is not None and getattr(condition, "args", None):
                found.append((own, f"condition to {target}", str(condition.args[0]), "eval"))
    for attr in ("condition", "cardinality", "completion_condition"):
        value = getattr(ts, attr, None)
        if isinstance(value, str) and value.strip():
            found.append((own, attr, value, "eval"))
    for element, event in event_pairs(ts):
        where = getattr(element, "bpmn_id", None) or own
        if (
            isinstance(event, TimerEventDefinition | ConditionalEventDefinition)
            and event.expression
        ):
            found.append((where, "event expression", event.expression, "eval"))
        if isinstance(event, MessageEventDefinition) and event.expression:
            found.append((where, "message payload", event.expression, "eval"))
    return found
