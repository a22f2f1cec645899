"""What a validation message says: the rule, in Chinese with English beside it, and what to do.

A process designer reads these in a terminal or a browser, often on a file another tool wrote.
So every message names the file, the line where known, the element (id and name) and the rule,
and ends with what to change. SpiffWorkflow's own exceptions are translated here, never passed
through: their text can hold Python reprs (`<Element ... at 0x...>`), no location, or a sentence
cut off before its noun ("... for tasks of type").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine.runtime.model import LintIssue

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class Rule:
    """A rule a deployable file must meet: its title and the usual fix, Chinese and English."""

    code: str
    zh: str
    en: str
    fix_zh: str
    fix_en: str


_RULES = [
    Rule(
        "xml-syntax",
        "XML 格式",
        "well-formed XML",
        "用建模工具重新保存文件",
        "save the file again from the modeller",
    ),
    Rule(
        "xml-safety",
        "XML 安全",
        "safe XML",
        "删除 DOCTYPE 与实体声明",
        "remove the DOCTYPE and entity declarations",
    ),
    Rule(
        "file-size",
        "文件大小",
        "file size",
        "拆分为多个文件（调用活动）",
        "split it into several files (call activities)",
    ),
    Rule(
        "bpmn-root",
        "BPMN 文档",
        "a BPMN document",
        "上传 BPMN 2.0 文件（根元素 bpmn:definitions）",
        "upload a BPMN 2.0 file (root element bpmn:definitions)",
    ),
    Rule(
        "element-count",
        "元素数量上限",
        "element limit",
        "拆分为多个流程，用调用活动连接",
        "split it into processes joined by call activities",
    ),
    Rule(
        "bpmn-xsd",
        "BPMN 2.0 XSD 结构",
        "BPMN 2.0 XSD schema",
        "按 BPMN 2.0 标准改正该元素（建模工具通常会自动修正）",
        "correct the element as BPMN 2.0 defines it (a modeller usually does)",
    ),
    Rule(
        "executable-process",
        "可执行流程",
        "an executable process",
        '在要运行的流程上设 isExecutable="true"（Camunda Modeler：属性面板勾选 Executable）',
        'set isExecutable="true" on the process to run (Camunda Modeler: tick Executable in the '
        "properties panel)",
    ),
    Rule(
        "unsupported-element",
        "引擎不支持的元素",
        "element the engine cannot run",
        "改用用户任务、脚本任务、网关或调用活动表达这一步",
        "model the step with a user task, script task, gateway or call activity",
    ),
    Rule(
        "unique-id",
        "唯一标识",
        "unique ids",
        "给重复的流程或元素改一个不同的 id",
        "give the duplicate process or element a different id",
    ),
    Rule(
        "start-event",
        "开始事件",
        "start event",
        "在流程中加一个（且仅一个）空开始事件",
        "add one (and only one) none start event",
    ),
    Rule(
        "end-event",
        "结束事件",
        "end event",
        "在子流程中加一个结束事件",
        "add an end event to the sub-process",
    ),
    Rule(
        "gateway-conditions",
        "网关条件",
        "gateway conditions",
        "给每条非默认出线写条件，或把其中一条设为默认流",
        "give every non-default outgoing flow a condition, or mark one as the default flow",
    ),
    Rule(
        "single-outgoing",
        "单一出线",
        "one outgoing flow",
        "在该元素后加排他网关或并行网关来分支",
        "branch with an exclusive or parallel gateway after the element",
    ),
    Rule(
        "call-activity",
        "调用活动",
        "call activity",
        "在 calledElement 写被调用流程的 id，并一起上传或先部署该流程",
        "put the called process id in calledElement and upload or deploy that process too",
    ),
    Rule(
        "call-recursion",
        "调用递归",
        "call recursion",
        "去掉形成回路的调用",
        "remove the call that closes the loop",
    ),
    Rule(
        "script",
        "脚本",
        "script",
        "在脚本任务中写 Python 脚本（受限子集）",
        "write the task's script (restricted Python)",
    ),
    Rule(
        "data-association",
        "数据关联",
        "data association",
        "让数据对象与任务在同一流程中，或删除该数据关联",
        "keep the data object in the same process as the task, or delete the association",
    ),
    Rule(
        "multi-instance",
        "多实例",
        "multi-instance",
        "设置基数（loopCardinality）或输入集合（loopDataInputRef）",
        "set a cardinality (loopCardinality) or an input collection (loopDataInputRef)",
    ),
    Rule(
        "event-definition",
        "事件定义",
        "event definition",
        "在事件定义中引用已声明的消息、信号、错误或升级",
        "reference a declared message, signal, error or escalation",
    ),
    Rule(
        "timer",
        "定时器",
        "timer",
        '定时器用 timeDate 写 deadline(起算日, "期间")，并设 period、basis 属性',
        'write the timer as a timeDate deadline(start, "period") with period and basis properties',
    ),
    Rule(
        "basis",
        "法律依据",
        "legal basis",
        "写成「简称 Art. 条号」，且条文须在附带的法规表中（README「验证规则」）",
        "write 'ABBREVIATION Art. N' naming an article in the shipped statute table (README, "
        "Validation rules)",
    ),
    Rule(
        "lane",
        "泳道与角色",
        "lane and role",
        "把用户任务放进以角色命名的泳道：officer、legal_review、head、government、utility、court",
        "put the user task in a lane named after a role: officer, legal_review, head, government, "
        "utility, court",
    ),
    Rule(
        "form",
        "表单",
        "form",
        "设 formJsonSchemaFilename 属性，并把表单 JSON 放在 BPMN 旁的 forms/ 或配置的表单目录",
        "set the formJsonSchemaFilename property and put the form JSON in forms/ beside the BPMN "
        "file or the configured forms folder",
    ),
    Rule(
        "document",
        "文书",
        "document",
        "把文书目录 catalog.json 与模板放在 BPMN 旁的 documents/ 或配置的模板目录",
        "put catalog.json and its templates in documents/ beside the BPMN file or the configured "
        "templates folder",
    ),
    Rule(
        "expression",
        "表达式",
        "expression",
        "只用受限 Python（README「Bounded scripts」）",
        "use restricted Python only (README, Bounded scripts)",
    ),
    Rule(
        "camunda",
        "Camunda 扩展",
        "Camunda extensions",
        "运行 qingwei convert --from camunda 文件 -o 新文件，再按列出的待定事项修改",
        "run qingwei convert --from camunda FILE -o OUT, then settle the listed decisions",
    ),
    Rule(
        "bpmn-parse",
        "BPMN 解析",
        "BPMN parsing",
        "按提示改正该元素；若不明白，删除后用建模工具重画",
        "correct the element as described; if unclear, delete it and draw it again",
    ),
]
RULES: dict[str, Rule] = {r.code: r for r in _RULES}


def issue(
    rule: str,
    zh: str,
    en: str,
    *,
    file: str | None,
    process: str = "-",
    element: str | None = None,
    name: str | None = None,
    line: int | None = None,
    fix_zh: str | None = None,
    fix_en: str | None = None,
    severity: str = "error",
) -> LintIssue:
    """One message: `zh / en`, with the rule's usual fix unless a more exact one is given."""
    r = RULES[rule]
    name = " ".join(name.split()) if name else None
    return LintIssue(
        process_id=process,
        element_id=element,
        message=f"{_end(zh, '。')} / {_end(en, '.')}",
        file=file,
        element_name=name,
        rule=f"{r.code} {r.zh} {r.en}",
        line=line,
        fix=f"{fix_zh or r.fix_zh} / {fix_en or r.fix_en}",
        severity=severity,
    )


def _end(text: str, stop: str) -> str:
    text = text.strip()
    return text if text[-1:] in "。.！？!?）)" else text + stop


def local(tag: Any) -> str:
    """`bpmn:userTask` for `{BPMN}userTask`; other namespaces keep their prefix-less name."""
    if not isinstance(tag, str):
        return "?"
    if tag.startswith("{" + BPMN_NS + "}"):
        return "bpmn:" + tag[len(BPMN_NS) + 2 :]
    return tag.split("}", 1)[-1]


_REPR = re.compile(r"<[^<>]*\bat 0x[0-9a-fA-F]+>|<Element [^<>]*>|<[A-Za-z_.]+ object[^<>]*>")
_NS = re.compile(r"\{([^{}]+)\}([A-Za-z_][\w.-]*)")


_EXC_REPR = re.compile(r"""^(?P<cls>\w+)\((?P<q>['"])(?P<msg>.*)(?P=q)\)$""", re.S)


def clean(text: str) -> str:
    """Spiff's or lxml's text without Python reprs and with `bpmn:` instead of `{namespace}`."""
    text = text.strip()
    match = _EXC_REPR.match(text)
    if match:  # TaskParser wraps unexpected errors as "%r" % exc: keep the message
        text = f"{match.group('cls')}: {match.group('msg')}"
    text = re.sub(r"'?_?cython[\w.]*'?", "", text)
    text = _REPR.sub("", text)
    text = _NS.sub(lambda m: ("bpmn:" if m.group(1) == BPMN_NS else "") + m.group(2), text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(" .:") or "no detail"


# Spiff's messages (SpiffWorkflow 3.2), matched by their start: (rule, zh, en). `{tag}` is the
# element type, `{detail}` what follows the matched words (cleaned).
_SPIFF: list[tuple[str, str, str, str]] = [
    (
        "A Service Task must have an operator",
        "unsupported-element",
        "服务任务（bpmn:serviceTask）不能运行：引擎不调用外部系统",
        "service tasks (bpmn:serviceTask) cannot run: the engine calls no external system",
    ),
    (
        "Data Store",
        "unsupported-element",
        "数据存储（bpmn:dataStore）不能运行：引擎只有案件数据，没有外部数据存储",
        "data stores (bpmn:dataStore) cannot run: the engine keeps case data only, no external "
        "store",
    ),
    (
        "No DMN Diagram available",
        "unsupported-element",
        "业务规则任务（bpmn:businessRuleTask, DMN）不能运行：引擎不加载 DMN 决策表",
        "business rule tasks (bpmn:businessRuleTask, DMN) cannot run: the engine loads no DMN "
        "tables",
    ),
    (
        "There is no support implemented for this task type",
        "unsupported-element",
        "引擎不支持 {tag} 这种元素",
        "the engine cannot run an element of type {tag}",
    ),
    (
        "Multiple outgoing flows are not supported for tasks of type",
        "single-outgoing",
        "{tag} 只能有一条出线（顺序流）",
        "an element of type {tag} may have only one outgoing sequence flow",
    ),
    (
        "Non-default exclusive outgoing sequence flow without condition",
        "gateway-conditions",
        "网关的非默认出线没有条件",
        "a non-default outgoing flow of a gateway has no condition",
    ),
    (
        "Exactly one start event is required in a SubWorkflow Task",
        "start-event",
        "子流程须恰有一个开始事件（{detail}）",
        "a sub-process needs exactly one start event ({detail})",
    ),
    (
        "A SubWorkflow Must contain an End event",
        "end-event",
        "子流程没有结束事件",
        "the sub-process has no end event",
    ),
    ("No start event found", "start-event", "流程没有开始事件", "the process has no start event"),
    (
        'No "calledElement" attribute for Call Activity',
        "call-activity",
        "调用活动没有 calledElement（要调用的流程）",
        "the call activity has no calledElement (the process to call)",
    ),
    (
        "The process '",
        "call-activity",
        "调用的流程不在本次上传或已部署的流程中（{detail}）",
        "a called process is neither uploaded nor deployed ({detail})",
    ),
    ("Invalid Script Task", "script", "脚本任务没有脚本", "the script task has no script"),
    (
        "Cannot resolve dataInputAssociation",
        "data-association",
        "数据输入关联指向的数据对象不在本流程中",
        "a data input association names a data object this process does not have",
    ),
    (
        "Cannot resolve dataOutputAssociation",
        "data-association",
        "数据输出关联指向的数据对象不在本流程中",
        "a data output association names a data object this process does not have",
    ),
    (
        "A multiinstance task must specify",
        "multi-instance",
        "多实例任务没有基数也没有输入集合",
        "the multi-instance task has neither a cardinality nor an input collection",
    ),
    (
        "The loop input data reference is missing",
        "multi-instance",
        "多实例的输入集合不在 ioSpecification 中",
        "the loop input is missing from the ioSpecification",
    ),
    (
        "The loop output data reference is missing",
        "multi-instance",
        "多实例的输出集合不在 ioSpecification 中",
        "the loop output is missing from the ioSpecification",
    ),
    (
        "A loopMaximum or loopCondition must be specified",
        "multi-instance",
        "循环任务须有 loopMaximum 或 loopCondition",
        "a loop task needs a loopMaximum or a loopCondition",
    ),
    (
        "Duplicate process ID",
        "unique-id",
        "流程 id 重复（{detail}）",
        "duplicate process id ({detail})",
    ),
    (
        "Unknown Time Specification",
        "timer",
        "定时器没有 timeDate、timeDuration 或 timeCycle",
        "the timer has no timeDate, timeDuration or timeCycle",
    ),
    (
        "Time Specification Error",
        "timer",
        "定时器的时间写法无效（{detail}）",
        "the timer's time cannot be read ({detail})",
    ),
    (
        "Conditional event definition with missing condition",
        "event-definition",
        "条件事件没有条件",
        "the conditional event has no condition",
    ),
    (
        "Cancel Events may only be used with transactions",
        "event-definition",
        "取消事件只能用在事务子流程上",
        "a cancel event may only be attached to a transaction",
    ),
    (
        "Expected a",
        "event-definition",
        "事件定义引用的消息、信号、错误或升级未声明（{detail}）",
        "the event definition references an undeclared message, signal, error or escalation "
        "({detail})",
    ),
    (
        "Expected an",
        "event-definition",
        "事件定义引用的消息、信号、错误或升级未声明（{detail}）",
        "the event definition references an undeclared message, signal, error or escalation "
        "({detail})",
    ),
    (
        "Could not find messageRef",
        "event-definition",
        "消息事件引用的消息未声明（{detail}）",
        "the message event references an undeclared message ({detail})",
    ),
    ("Message identifier is missing", "event-definition", "消息缺少 id", "a message has no id"),
    ("Signal identifier is missing", "event-definition", "信号缺少 id", "a signal has no id"),
    ("Error identifier is missing", "event-definition", "错误缺少 id", "an error has no id"),
    (
        "Escalation identifier is missing",
        "event-definition",
        "升级缺少 id",
        "an escalation has no id",
    ),
    (
        "Correlation",
        "event-definition",
        "消息关联（correlation）不完整（{detail}）",
        "a message correlation is incomplete ({detail})",
    ),
    (
        "Ad hoc subprocesses may not contain",
        "start-event",
        "临时子流程中不能有开始或结束事件",
        "an ad hoc sub-process may not contain start or end events",
    ),
    (
        "Sequential ordering for ad hoc subprocesses",
        "unsupported-element",
        "不支持顺序执行的临时子流程",
        "sequential ad hoc sub-processes are not supported",
    ),
    (
        "When looking for a task spec",
        "unique-id",
        "顺序流指向的元素找不到或 id 重复（{detail}）",
        "a sequence flow targets a missing or duplicated element ({detail})",
    ),
    (
        "Process ",
        "executable-process",
        '被调用的流程不可执行（isExecutable="false"）',
        'the called process is not executable (isExecutable="false")',
    ),
]


def translate_spiff(exc: BaseException, *, file: str | None, process: str = "-") -> LintIssue:
    """A SpiffWorkflow exception as a message that names the element and the rule."""
    raw = str(exc).split("\n", 1)[0].strip()
    element = getattr(exc, "id", None) or None
    name = getattr(exc, "name", None) or None
    tag = getattr(exc, "tag", None) or "这种元素 this element"
    line_no = getattr(exc, "line_number", None)
    line = line_no if isinstance(line_no, int) and line_no > 0 else None
    for start, rule, zh, en in _SPIFF:
        if raw.startswith(start):
            detail = clean(raw[len(start) :]) if len(raw) > len(start) else clean(raw)
            if start in ("The process '", "Duplicate process ID", "Could not find messageRef"):
                detail = clean(raw)
            return issue(
                rule,
                zh.format(tag=tag, detail=detail),
                en.format(tag=tag, detail=detail),
                file=file,
                process=process,
                element=element or (process if process != "-" else "definitions"),
                name=name,
                line=line,
            )
    detail = clean(raw) if raw else exc.__class__.__name__
    return issue(
        "bpmn-parse",
        f"BPMN 解析器无法读取该元素（原文：{detail}）",
        f"the BPMN parser cannot read this element: {detail}",
        file=file,
        process=process,
        element=element or (process if process != "-" else "definitions"),
        name=name,
        line=line,
    )
