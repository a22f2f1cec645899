"""Parse BPMN safely and lint it against Qingwei's rules before anything is deployed.

The XML comes from a designer's upload, so it is parsed with entity resolution, DTD loading and
network access off (no XXE, no billion laughs), checked against the BPMN 2.0 XSD with lxml's
XMLSchema and for elements the engine cannot run (bpmn_checks.py), then parsed by SpiffWorkflow,
whose errors are translated (validation_messages.py). Every problem of every file is collected,
not only the first, and each message names the file, line, element, rule and fix.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity as CallActivityMixin
from SpiffWorkflow.specs.MultiChoice import MultiChoice
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition

from engine.calendar import Period, PeriodError
from engine.runtime.bpmn_checks import (
    camunda_hint,
    neutralize,
    runnable_copy,
    structure_issues,
    xsd_issues,
)
from engine.runtime.events import event_pairs, timer_elements
from engine.runtime.model import ElementInfo, LintIssue
from engine.runtime.scripting import check_source
from engine.runtime.validation_messages import clean, issue, local, translate_spiff
from engine.statutes import check_basis

MAX_BPMN_BYTES = 5 * 1024 * 1024
# Elements with an id (tasks, events, gateways, flows, ...) inside the processes of one file:
# enforcement.bpmn, the largest shipped, has about 600; a 10,000-task upload is refused.
MAX_ELEMENTS = 3000
BPMN_NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_SAFE_XML = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,  # SpiffWorkflow 3.2 fails on a comment inside a task (tag.endswith)
)
MANUAL_KINDS = {"UserTask", "ManualTask"}
# How often a bundle is parsed again after SpiffWorkflow's first error in a process (each round
# replaces the element it named), so that one upload reports up to this many such errors.
MAX_PARSE_ROUNDS = 20
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
    lines: dict[str, int] = field(default_factory=dict)  # element id → line in the file


def _load_xml(name: str, content: bytes) -> Any:
    def refuse(rule: str, zh: str, en: str, line: int | None = None) -> BpmnRejected:
        return BpmnRejected([issue(rule, zh, en, file=name, element="definitions", line=line)])

    if len(content) > MAX_BPMN_BYTES:
        raise refuse("file-size", "文件大于 5 MiB", "the file is larger than 5 MiB")
    unsafe = ("文件含 DTD 或实体声明", "DTDs and entity declarations are not allowed")
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise refuse("xml-safety", *unsafe)
    try:
        root = etree.fromstring(content, parser=_SAFE_XML)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        detail = clean(exc.msg or str(exc))
        raise refuse(
            "xml-syntax",
            f"XML 格式不正确（第 {line} 行）：{detail}",
            f"not well-formed XML (line {line}): {detail}",
            line,
        ) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        # The byte check above misses other encodings (UTF-16); the parsed tree does not.
        raise refuse("xml-safety", *unsafe)
    if etree.QName(root).localname != "definitions" or etree.QName(root).namespace != BPMN_NS[1:-1]:
        raise refuse(
            "bpmn-root",
            f"不是 BPMN 文档：根元素是 {local(root.tag)}，应为 bpmn:definitions",
            f"not a BPMN document: the root element is {local(root.tag)}, not bpmn:definitions",
        )
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
    so call activities resolve; return the executable processes defined in `files`, or raise
    BpmnRejected with every problem found."""
    definitions, issues = check_bundle(files, library, max_elements=max_elements)
    if issues:
        raise BpmnRejected(issues)
    return definitions


def check_bundle(
    files: Mapping[str, bytes],
    library: Mapping[str, bytes] | None = None,
    *,
    max_elements: int = MAX_ELEMENTS,
) -> tuple[dict[str, ProcessDefinition], list[LintIssue]]:
    """Every problem of every file, and the processes that parsed despite them.

    The processes returned when there are issues were parsed from a copy without the refused
    elements (see bpmn_checks.runnable_copy): good enough to lint the rest of the file, never to
    deploy; a caller deploys only when the issues are empty."""
    issues: list[LintIssue] = []
    owners: dict[str, str] = {}
    roots: dict[str, Any] = {}
    copies: dict[str, Any] = {}
    lines: dict[str, dict[str, int]] = {}
    for name, content in files.items():
        try:
            roots[name] = _load_xml(name, content)
        except BpmnRejected as exc:
            issues.extend(exc.issues)
    library_roots: dict[str, Any] = {}
    for lib_name, content in (library or {}).items():
        try:
            library_roots[lib_name] = _load_xml(lib_name, content)
        except BpmnRejected:
            continue  # a deployed file that no longer loads is simply not used
    uploaded = {p.get("id") for r in roots.values() for p in r.iter(f"{BPMN_NS}process")}
    known = uploaded | {
        p.get("id") for r in library_roots.values() for p in r.iter(f"{BPMN_NS}process")
    }
    for name, root in roots.items():
        count = count_elements(root)
        if count > max_elements:
            issues.append(
                issue(
                    "element-count",
                    f"BPMN 元素过多：{count} 个，上限 {max_elements} 个",
                    f"too many BPMN elements: {count}, the limit is {max_elements}",
                    file=name,
                    element="definitions",
                )
            )
            continue
        own = xsd_issues(root, name) + structure_issues(root, name, known)
        issues.extend(own + camunda_hint(root, name))
        lines[name] = {
            str(el.get("id")): el.sourceline
            for el in root.iter()
            if isinstance(el.tag, str) and el.get("id") and el.sourceline
        }
        copies[name] = runnable_copy(root, known)
        for proc in root.iter(f"{BPMN_NS}process"):
            if proc.get("isExecutable") == "true":
                owners[proc.get("id")] = name
    result: dict[str, ProcessDefinition] = {}
    failed: set[str] = set()
    neutralized: set[str] = set()
    # SpiffWorkflow stops at the first error of a process. To report the rest of the file too,
    # the element it named is replaced in the copy by a plain one and everything is parsed
    # again, a bounded number of times.
    for _ in range(MAX_PARSE_ROUNDS):
        parser = SpiffBpmnParser()
        for name, doc in copies.items():
            if name in failed:
                continue
            try:
                parser.add_bpmn_xml(doc, filename=name)
            except Exception as exc:
                issues.extend(_new(translate_spiff(exc, file=name), issues))
                failed.add(name)
        for lib_name, root in library_roots.items():
            ids = [p.get("id") for p in root.iter(f"{BPMN_NS}process")]
            if any(i in uploaded for i in ids):
                continue  # the upload replaces this process
            try:
                parser.add_bpmn_xml(root, filename=lib_name)
            except Exception:  # noqa: S112 - a clashing deployed file is not used
                continue
        again = False
        for key, file in owners.items():
            if key in result or key in failed or file in failed:
                continue
            try:
                spec = parser.get_spec(key)
                subs = parser.get_subprocess_specs(key)
            except Exception as exc:
                where = getattr(exc, "file_name", "") or file
                found = translate_spiff(exc, file=where if where in copies else file, process=key)
                if found.line is None and found.file in lines:
                    found = replace(found, line=lines[found.file].get(found.element_id or ""))
                issues.extend(_new(found, issues))
                bad = getattr(exc, "id", "") or ""
                if bad and bad not in neutralized:
                    neutralized.add(bad)
                    if any(neutralize(doc, bad) for doc in copies.values()):
                        again = True
                        break
                failed.add(key)
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
            definition.lines = lines.get(file, {})
            result[key] = definition
        if not again:
            break
    return result, issues


def _new(found: LintIssue, already: list[LintIssue]) -> list[LintIssue]:
    """A SpiffWorkflow error unless the checks over the whole file already said it: about the
    same element (or naming it), or (when Spiff named no element) by the same rule in the same
    process."""
    unplaced = found.element_id in (found.process_id, "definitions", None)
    for old in already:
        if old.file != found.file:
            continue
        same_rule = (old.rule or "").split(" ")[0] == (found.rule or "").split(" ")[0]
        if old.element_id == found.element_id:
            return []
        if same_rule and found.element_id and f" {found.element_id} " in old.message:
            return []  # e.g. the flow Spiff names is in the gateway's message
        if same_rule and unplaced and found.process_id in (old.process_id, "-"):
            return []
    return [found]


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


@dataclass(frozen=True)
class FormLookup:
    """Where a form key was looked for (full paths) and whether it was found, for the message."""

    found: bool
    looked: tuple[str, ...] = ()
    note_zh: str = ""
    note_en: str = ""


def lint(
    definition: ProcessDefinition,
    *,
    form_exists: Callable[[str], bool] | None = None,
    find_form: Callable[[str], FormLookup] | None = None,
    known_lanes: Iterable[str] | None = None,
    local_parameters: Iterable[str] = (),
) -> list[LintIssue]:
    """Every rule a deployable process must meet; each issue names its element and rule.

    `find_form` says where a form was looked for (the message lists the paths); `form_exists`
    is the plain yes/no of callers that have no folders to name."""
    issues: list[LintIssue] = []
    lanes = set(known_lanes) if known_lanes is not None else None

    def lookup(key: str) -> FormLookup:
        if find_form is not None:
            return find_form(key)
        return FormLookup(form_exists(key) if form_exists is not None else True)

    def add(element: str | None, rule: str, zh: str, en: str, **fix: str) -> None:
        info = definition.elements.get(element or "")
        issues.append(
            issue(
                rule,
                zh,
                en,
                file=definition.file,
                process=definition.key,
                element=element,
                name=info.name if info is not None and info.name != element else None,
                line=definition.lines.get(element or ""),
                **fix,
            )
        )

    specs = [definition.spec, *definition.subprocess_specs.values()]
    timers = timer_definitions(specs)
    for spec in specs:
        for ts in spec.task_specs.values():
            bpmn_id = getattr(ts, "bpmn_id", None)
            if not bpmn_id:
                continue
            info = definition.elements[bpmn_id]
            if info.kind in MANUAL_KINDS:
                _lint_manual(info, lanes, lookup, add)
            for element_id, label, source, mode in _expressions(ts):
                if _foreign(source):
                    add(
                        element_id,
                        "expression",
                        f"{label} 是 Camunda 的 JUEL/FEEL 表达式"
                        f"（{source.strip()[:60]}），不是 Python",
                        f"{label} is a Camunda JUEL/FEEL expression ({source.strip()[:60]}), "
                        "not Python",
                        fix_zh="改写为 Python 表达式；"
                        "qingwei convert --from camunda 会改写简单的条件",
                        fix_en="rewrite it in Python; qingwei convert --from camunda rewrites "
                        "simple conditions",
                    )
                    continue
                excerpt = " ".join(source.split())
                excerpt = excerpt if len(excerpt) <= 60 else excerpt[:57] + "..."
                for problem in check_source(source, mode=mode):
                    add(
                        element_id,
                        "expression",
                        f"{label}「{excerpt}」不安全或无效：{problem}",
                        f"{label} '{excerpt}': {problem}",
                    )
            if info.kind == "timer":
                _lint_timer(info, timers[bpmn_id], add, set(local_parameters))
            if info.basis:
                for bad in check_basis(info.basis):
                    add(
                        bpmn_id,
                        "basis",
                        f"依据「{info.basis}」中的「{bad.citation}」无效：{bad.zh}",
                        f"basis '{info.basis}': '{bad.citation}' is not valid: {bad.en}",
                    )
            if len(timer_elements(ts)) > 1:
                add(
                    bpmn_id,
                    "timer",
                    "事件网关最多只能等待一个定时器",
                    "an event-based gateway may wait on at most one timer",
                    fix_zh="只保留一个定时器，其他期限用边界定时器表达",
                    fix_en="keep one timer; express the other periods as boundary timers",
                )
    for element_id, cycle in call_cycles(definition):
        add(
            element_id,
            "call-recursion",
            "调用活动形成递归调用：" + " → ".join(cycle),
            "a call activity calls its own process, directly or through another: "
            + " → ".join(cycle),
        )
    return issues


def _lint_manual(
    info: ElementInfo,
    lanes: set[str] | None,
    lookup: Callable[[str], FormLookup],
    add: Callable[..., None],
) -> None:
    if not info.lane:
        add(
            info.element_id,
            "lane",
            "用户任务不在泳道中（泳道名是办理的角色）",
            "user task has no lane (the lane names the role that acts)",
        )
    elif lanes is not None and info.lane not in lanes:
        add(
            info.element_id,
            "lane",
            f"泳道「{info.lane}」不是已知角色",
            f"lane '{info.lane}' is not a known role",
        )
    if not info.form_key:
        add(
            info.element_id,
            "form",
            "用户任务没有 formJsonSchemaFilename 属性",
            "user task has no formJsonSchemaFilename property",
        )
        return
    found = lookup(info.form_key)
    if not found.found:
        looked = "; ".join(found.looked) or "（未配置表单目录 no forms folder configured）"
        add(
            info.element_id,
            "form",
            f"找不到表单 '{info.form_key}'，查找了：{looked}{found.note_zh}",
            f"form '{info.form_key}' does not exist; looked at: {looked}{found.note_en}",
        )


def _foreign(source: str) -> bool:
    """A Camunda expression: JUEL `${...}` / `#{...}` or FEEL `= ...`."""
    text = source.strip()
    return text.startswith(("${", "#{")) or (text.startswith("=") and not text.startswith("=="))


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


def _lint_timer(info: ElementInfo, event: Any, add: Callable[..., None], params: set[str]) -> None:
    el = info.element_id
    if not info.period:
        add(
            el,
            "timer",
            "定时器没有 period 属性（如 '60 CD'）",
            "timer has no 'period' property (e.g. '60 CD')",
        )
    if not info.basis:
        add(
            el,
            "basis",
            "定时器没有 basis 属性（法律依据，如 'APL Art. 64'）",
            "timer has no 'basis' property (the article of law, e.g. 'APL Art. 64')",
        )
    holder = info.properties.get("holder")
    if holder is not None and holder not in TIMER_HOLDERS:
        add(
            el,
            "timer",
            f"期限归属 holder '{holder}' 无效，应为 party（当事人）、agency（行政机关）或 court"
            "（法院）",
            f"invalid timer holder '{holder}': must be party, agency or court",
            fix_zh="把 holder 属性设为 party、agency 或 court，或删除它",
            fix_en="set the holder property to party, agency or court, or remove it",
        )
    declared: Period | None = None
    if info.period:
        try:
            declared = Period.parse(info.period)
        except PeriodError as exc:
            add(
                el,
                "timer",
                f"期间 period '{info.period}' 无效：{exc}",
                f"period '{info.period}': {exc}",
            )
    if not isinstance(event, TimeDateEventDefinition):
        add(
            el,
            "timer",
            "定时器须是用 deadline(start, period) 计算的 timeDate（不是 timeDuration/timeCycle）",
            "timer must be a timeDate computed with deadline(start, period)",
        )
        return
    call_periods = _deadline_periods(event.expression)
    if call_periods is None:
        add(
            el,
            "timer",
            "定时器日期须用 deadline(start, period) 计算",
            "timer date must be computed with deadline(start, period)",
        )
        return
    local_name = info.properties.get("local")
    for text in call_periods:
        if text.startswith("local:"):
            name = text.removeprefix("local:")
            if name not in params:
                add(
                    el,
                    "timer",
                    f"地方参数 '{name}' 不存在",
                    f"local parameter '{name}' does not exist",
                )
            elif local_name != name:
                add(
                    el,
                    "timer",
                    f"定时器读取 local('{name}')：须设属性 local={name}",
                    f"timer reads local('{name}'): set property local={name}",
                )
            continue
        try:
            used = Period.parse(text)
        except PeriodError as exc:
            add(
                el,
                "timer",
                f"deadline 期间 '{text}' 无效：{exc}",
                f"deadline period '{text}': {exc}",
            )
            continue
        if declared is not None and used != declared:
            add(
                el,
                "timer",
                f"deadline 期间 '{text}' 与 period 属性 '{declared}' 不一致",
                f"deadline period '{text}' differs from property '{declared}'",
            )


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
        # A timeDuration/timeCycle timer is refused by the timer rule already (and never
        # evaluated): its ISO or cron text is not Python, saying so twice would only confuse.
        if (
            isinstance(event, TimeDateEventDefinition | ConditionalEventDefinition)
            and event.expression
        ):
            found.append((where, "event expression", event.expression, "eval"))
        if isinstance(event, MessageEventDefinition) and event.expression:
            found.append((where, "message payload", event.expression, "eval"))
    return found
