"""Checks on the XML itself, over every element at once, before SpiffWorkflow parses it.

SpiffWorkflow stops at the first problem in a process; a designer fixing a file from another tool
wants the whole list. So the rules that can be read off the XML are checked here for every
element: the BPMN 2.0 XSD (lxml's XMLSchema over the XSDs SpiffWorkflow ships), elements the
engine cannot run, executable processes, gateway conditions, single outgoing flows, call activity
targets. `runnable_copy` then gives SpiffWorkflow a copy without the refused elements so that its
own parse can still report the rest of the file.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH, BpmnValidator

from engine.runtime.model import LintIssue
from engine.runtime.validation_messages import BPMN_NS, clean, issue, local

B = "{" + BPMN_NS + "}"
# What the engine refuses, with why, although SpiffWorkflow may parse it: it would fail (or do
# nothing) only when a case reaches it.
REFUSED: dict[str, tuple[str, str]] = {
    "serviceTask": (
        "服务任务（bpmn:serviceTask）不能运行：引擎不调用外部系统，运行到此会出错",
        "service tasks (bpmn:serviceTask) cannot run: the engine calls no external system, a "
        "case reaching it would fail",
    ),
    "businessRuleTask": (
        "业务规则任务（bpmn:businessRuleTask, DMN）不能运行：引擎不加载 DMN 决策表",
        "business rule tasks (bpmn:businessRuleTask, DMN) cannot run: the engine loads no DMN "
        "decision tables",
    ),
    "dataStoreReference": (
        "数据存储引用（bpmn:dataStoreReference）不能运行：引擎只有案件数据，没有外部数据存储",
        "data store references (bpmn:dataStoreReference) cannot run: the engine keeps case data "
        "only, no external data store",
    ),
    "dataStore": (
        "数据存储（bpmn:dataStore）不能运行：引擎只有案件数据，没有外部数据存储",
        "data stores (bpmn:dataStore) cannot run: the engine keeps case data only, no external "
        "data store",
    ),
}
REFUSED_FIX = {
    "serviceTask": (
        "改为用户任务（由人员记录结果）或脚本任务（受限 Python 计算）",
        "replace it with a user task (a person records the outcome) or a script task "
        "(restricted Python)",
    ),
    "businessRuleTask": (
        "把决策写成排他网关的条件或脚本任务",
        "write the decision as exclusive gateway conditions or a script task",
    ),
    "dataStoreReference": (
        "删除数据存储及其关联；需要的数据用表单字段记录",
        "delete the data store and its associations; record the data in form fields",
    ),
    "dataStore": (
        "删除数据存储及其关联；需要的数据用表单字段记录",
        "delete the data store and its associations; record the data in form fields",
    ),
}
# Every BPMN flow node and what SpiffWorkflow has a parser for; the rest cannot run at all.
FLOW_NODES = {
    "task",
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "callActivity",
    "subProcess",
    "transaction",
    "adHocSubProcess",
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "complexGateway",
    "callChoreography",
    "choreographyTask",
    "subChoreography",
}
RUNNABLE = FLOW_NODES - {
    "complexGateway",
    "callChoreography",
    "choreographyTask",
    "subChoreography",
}
MANY_OUTGOING = {
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "startEvent",
    "complexGateway",
}


@cache
def _schema() -> etree.XMLSchema:
    """The BPMN 2.0 XSD (with DI, DC, Semantic) shipped in SpiffWorkflow's parser package."""
    folder = os.path.dirname(XSD_PATH)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    doc = etree.parse(os.path.join(folder, "BPMN20.xsd"), parser)
    return etree.XMLSchema(doc)


def _named(el: Any) -> tuple[str | None, str | None]:
    return el.get("id"), (el.get("name") or "").strip().replace("\n", " ") or None


def _process_of(el: Any) -> str:
    for anc in el.iterancestors(f"{B}process"):
        return str(anc.get("id") or "-")
    return "-"


def xsd_issues(root: Any, file: str) -> list[LintIssue]:
    """Every error of the XML against the BPMN 2.0 XSD, each with its line and element."""
    doc = copy.deepcopy(root)
    BpmnValidator.preprocess(None, doc)  # bpmn-js writes correlation expressions Spiff accepts
    schema = _schema()
    if schema.validate(doc):
        return []
    by_line: dict[int, list[Any]] = {}
    for el in root.iter():
        if isinstance(el.tag, str) and el.sourceline is not None:
            by_line.setdefault(el.sourceline, []).append(el)
    out: list[LintIssue] = []
    for err in schema.error_log:
        candidates = by_line.get(err.line, [])
        el = next((c for c in candidates if c.get("id")), candidates[0] if candidates else None)
        element, name = _named(el) if el is not None else (None, None)
        kind = local(el.tag) if el is not None else "?"
        detail = clean(err.message)
        out.append(
            issue(
                "bpmn-xsd",
                f"第 {err.line} 行的 {kind} 不符合 BPMN 2.0 XSD：{xsd_zh(detail)}",
                f"{kind} on line {err.line} does not follow the BPMN 2.0 XSD: {detail}",
                file=file,
                process=_process_of(el) if el is not None else "-",
                element=element or kind,
                name=name,
                line=err.line,
            )
        )
    return out


_XSD_ZH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"attribute '([^']+)': The attribute '[^']+' is not allowed"), "不允许属性 {0}"),
    (re.compile(r"The attribute '([^']+)' is not allowed"), "不允许属性 {0}"),
    (re.compile(r"The attribute '([^']+)' is required but missing"), "缺少必需的属性 {0}"),
    (
        re.compile(
            r"attribute '([^']+)': '([^']*)' is not a valid value of the atomic type 'xs:ID'"
        ),
        "属性 {0} 的值 {1} 不是合法的 id（重复或格式不对）",
    ),
    (
        re.compile(
            r"attribute '([^']+)': '([^']*)' is not a valid value of the atomic type '([^']+)'"
        ),
        "属性 {0} 的值 {1} 不是合法的 {2}",
    ),
    (re.compile(r"This element is not expected"), "此处不允许该元素（见英文中的可选元素）"),
    (re.compile(r"Missing child element"), "缺少子元素（见英文中应有的元素）"),
]


def xsd_zh(detail: str) -> str:
    """The gist of an lxml schema error in Chinese; the English original follows the slash."""
    for pattern, text in _XSD_ZH:
        m = pattern.search(detail)
        if m:
            return text.format(*m.groups())
    return "结构错误（详见英文）"


def structure_issues(root: Any, file: str, known_processes: Iterable[str]) -> list[LintIssue]:
    """Every element the engine refuses and every flow rule that the XML alone shows."""
    out: list[LintIssue] = []
    processes = list(root.iter(f"{B}process"))
    known = set(known_processes) | {p.get("id") for p in processes}
    for store in root.iter(f"{B}dataStore"):
        out.append(_refused(store, file))
    if not processes:
        out.append(
            issue(
                "executable-process",
                "文件中没有流程（bpmn:process），只有协作图或空定义",
                "the file has no process (bpmn:process), only a collaboration or empty definitions",
                file=file,
                element=root.get("id") or "definitions",
                fix_zh="在建模工具中画出要运行的流程（池中须有流程）",
                fix_en="draw the process to run in the modeller (a pool needs a process)",
            )
        )
    elif not any(p.get("isExecutable") == "true" for p in processes):
        for proc in processes:
            pid, name = _named(proc)
            flag = proc.get("isExecutable")
            said = f'isExecutable="{flag}"' if flag is not None else "没有 isExecutable 属性"
            said_en = f'isExecutable="{flag}"' if flag is not None else "no isExecutable attribute"
            out.append(
                issue(
                    "executable-process",
                    f"文件中没有可执行流程：流程 {pid} {said}（建模工具的默认值）",
                    f"the file has no executable process: process {pid} has {said_en} "
                    "(the modeller's default)",
                    file=file,
                    process=pid or "-",
                    element=pid,
                    name=name,
                    line=proc.sourceline,
                )
            )
    for proc in processes:
        out.extend(_process_issues(proc, file, known))
    return out


def _refused(el: Any, file: str) -> LintIssue:
    kind = etree.QName(el).localname
    zh, en = REFUSED[kind]
    fix_zh, fix_en = REFUSED_FIX[kind]
    element, name = _named(el)
    return issue(
        "unsupported-element",
        zh,
        en,
        file=file,
        process=_process_of(el),
        element=element or local(el.tag),
        name=name,
        line=el.sourceline,
        fix_zh=fix_zh,
        fix_en=fix_en,
    )


def _process_issues(proc: Any, file: str, known: set[str]) -> list[LintIssue]:
    out: list[LintIssue] = []
    pid = proc.get("id") or "-"
    flows = list(proc.iter(f"{B}sequenceFlow"))
    outgoing: dict[str, list[Any]] = {}
    for flow in flows:
        outgoing.setdefault(flow.get("sourceRef") or "", []).append(flow)
    for el in proc.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith(B):
            continue
        kind = el.tag[len(B) :]
        element = el.get("id")

        def add(rule: str, zh: str, en: str, at: Any = el, kind: str = kind) -> None:
            element, name = _named(at)
            out.append(
                issue(
                    rule,
                    zh,
                    en,
                    file=file,
                    process=pid,
                    element=element or f"bpmn:{kind}",
                    name=name,
                    line=at.sourceline,
                )
            )

        if kind in REFUSED:
            out.append(_refused(el, file))
            continue
        if kind in FLOW_NODES and kind not in RUNNABLE:
            add(
                "unsupported-element",
                f"引擎不能运行 bpmn:{kind}（SpiffWorkflow 不支持）",
                f"the engine cannot run bpmn:{kind} (SpiffWorkflow does not support it)",
            )
            continue
        if kind in FLOW_NODES and kind not in MANY_OUTGOING:
            n = len(outgoing.get(element or "", []))
            if n > 1:
                add(
                    "single-outgoing",
                    f"bpmn:{kind} 有 {n} 条出线，只能有一条",
                    f"bpmn:{kind} has {n} outgoing sequence flows, only one is allowed",
                )
        if kind in ("exclusiveGateway", "inclusiveGateway"):
            flows_out = outgoing.get(element or "", [])
            default = el.get("default")
            if len(flows_out) > 1:
                for flow in flows_out:
                    has = flow.find(f"{B}conditionExpression")
                    if flow.get("id") != default and (has is None or not (has.text or "").strip()):
                        add(
                            "gateway-conditions",
                            f"出线 {flow.get('id')} 既无条件也不是默认流",
                            f"outgoing flow {flow.get('id')} has no condition and is not the "
                            "default flow",
                        )
        if kind == "callActivity":
            target = el.get("calledElement")
            if not target:
                add(
                    "call-activity",
                    "调用活动没有 calledElement（要调用的流程）",
                    "the call activity has no calledElement (the process to call)",
                )
            elif target not in known:
                add(
                    "call-activity",
                    f"调用的流程 {target} 不在本次上传或已部署的流程中",
                    f"the called process {target} is neither uploaded nor deployed",
                )
        if kind == "scriptTask":
            script = el.find(f"{B}script")
            if script is None or not (script.text or "").strip():
                add("script", "脚本任务没有脚本", "the script task has no script")
    return out


def runnable_copy(root: Any, known_processes: Iterable[str] = ()) -> Any:
    """A copy SpiffWorkflow can parse past the refused elements: service and business rule
    tasks and calls to unknown processes become plain tasks, data stores and their associations
    go. Only used to find the file's other problems; a file that needed it is refused anyway."""
    doc = copy.deepcopy(root)
    known = set(known_processes)
    for call in doc.iter(f"{B}callActivity"):
        if call.get("calledElement") not in known:
            call.tag = f"{B}task"
    dropped: set[str] = set()
    for el in list(doc.iter(f"{B}dataStore", f"{B}dataStoreReference")):
        dropped.add(el.get("id") or "")
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    for assoc in list(doc.iter(f"{B}dataInputAssociation", f"{B}dataOutputAssociation")):
        refs = {(r.text or "").strip() for r in assoc if isinstance(r.tag, str)}
        if refs & dropped:
            parent = assoc.getparent()
            if parent is not None:
                parent.remove(assoc)
    for el in list(doc.iter(f"{B}serviceTask", f"{B}businessRuleTask")):
        el.tag = f"{B}task"
    return doc


CAMUNDA_NAMESPACES = {
    "http://camunda.org/schema/1.0/bpmn": "Camunda 7",
    "http://activiti.org/bpmn": "Camunda 7 (activiti)",
    "http://camunda.org/schema/zeebe/1.0": "Camunda 8 (zeebe)",
}


def camunda_hint(root: Any, file: str) -> list[LintIssue]:
    """One note per file that uses Camunda extensions: the engine ignores them, and `qingwei
    convert --from camunda` does the mechanical part of the conversion."""
    used: dict[str, int] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        names = [el.tag, *el.attrib]
        for n in names:
            ns = n[1:].split("}", 1)[0] if n.startswith("{") else ""
            if ns in CAMUNDA_NAMESPACES:
                used[ns] = used.get(ns, 0) + 1
    if not used:
        return []
    kinds = [CAMUNDA_NAMESPACES[ns] for ns in used]
    count = sum(used.values())
    return [
        issue(
            "camunda",
            f"文件使用 {'、'.join(kinds)} 扩展（{count} 处），引擎不读取这些扩展："
            "表单、办理人、定时器和条件须转换",
            f"the file uses {', '.join(kinds)} extensions ({count} "
            f"{'place' if count == 1 else 'places'}) the engine does not read: forms, "
            "assignees, timers and conditions must be converted",
            file=file,
            element=root.get("id") or "definitions",
            severity="warning",
        )
    ]


ACTIVITIES = {
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
}  # fmt: skip


def neutralize(doc: Any, element_id: str) -> bool:
    """Make the element SpiffWorkflow refused parseable in this copy (an activity becomes a plain
    task with its flows, an event loses its definitions, a boundary event goes, a flow gets a
    condition), so the next parse reaches the rest of the file. False when it is not here or
    nothing can be done."""
    el = next((e for e in doc.iter() if isinstance(e.tag, str) and e.get("id") == element_id), None)
    if el is None or not el.tag.startswith(B):
        return False
    kind = el.tag[len(B) :]
    parent = el.getparent()
    if parent is None:
        return False
    if kind in ACTIVITIES:
        task = etree.Element(f"{B}task", id=element_id)
        if el.get("name"):
            task.set("name", el.get("name"))
        for child in el:
            if isinstance(child.tag, str) and child.tag in (f"{B}incoming", f"{B}outgoing"):
                task.append(copy.deepcopy(child))
        parent.replace(el, task)
        flows = [f for f in parent.iter(f"{B}sequenceFlow") if f.get("sourceRef") == element_id]
        for extra in flows[1:]:
            extra.getparent().remove(extra)
        return True
    if kind == "boundaryEvent":
        for flow in list(parent.iter(f"{B}sequenceFlow")):
            if flow.get("sourceRef") == element_id:
                flow.getparent().remove(flow)
        parent.remove(el)
        return True
    if kind.endswith("Event"):
        defs = [c for c in el if isinstance(c.tag, str) and "EventDefinition" in c.tag]
        for d in defs:
            el.remove(d)
        return bool(defs)
    if kind == "sequenceFlow" and el.find(f"{B}conditionExpression") is None:
        cond = etree.SubElement(el, f"{B}conditionExpression")
        cond.text = "False"
        return True
    return False
