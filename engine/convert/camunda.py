"""`qingwei convert --from camunda`: the mechanical part of turning a Camunda 7 or Camunda 8
(zeebe) BPMN file into one this engine runs, and the list of what a person must still decide.

Mechanical, because the meaning is the same in both engines:

- `camunda:formKey` / `camunda:formRef` / `zeebe:formDefinition` → the `formJsonSchemaFilename`
  property (the form's base name + `.json`); the JSON Schema itself must still be written;
- `camunda:candidateGroups` / `camunda:assignee` / `zeebe:assignmentDefinition` → the task's lane,
  named after the group when the task is in no lane (lanes are roles here, API.md);
- `timeDuration` / `timeCycle` ISO 8601 → a `timeDate` `deadline(start, "period")` with the period
  in the engine's units (CD, M, Y, H; engine/calendar.py) and the `period` property;
- JUEL `${...}` / `#{...}` and FEEL `= ...` conditions → Python, when they are only names,
  literals, comparisons and and/or/not;
- Camunda/zeebe attributes and extension elements are removed (the engine ignores them).

To decide (never guessed): the legal basis, stage and holder of every timer and the variable its
period runs from, WD or CD, which role each lane is, the form schemas, the start variables, every
service/send/business-rule task and script in another language, call activity variable mappings,
listeners, and any condition that calls methods.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.services.context import LANE_ROLES as ROLES

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
ACTIVITI_NS = "http://activiti.org/bpmn"
FOREIGN = {CAMUNDA_NS, ZEEBE_NS, ACTIVITI_NS}
B = "{" + BPMN_NS + "}"
C = "{" + CAMUNDA_NS + "}"
Z = "{" + ZEEBE_NS + "}"
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True)
class Item:
    """One line of the checklist: what was done or what must be decided, for which element."""

    kind: str
    element: str
    name: str
    zh: str
    en: str

    def __str__(self) -> str:
        named = f"「{self.name}」" if self.name else ""
        return f"[{self.kind}] {self.element}{named}: {self.zh} / {self.en}"


@dataclass
class Conversion:
    xml: bytes
    done: list[Item] = field(default_factory=list)
    decide: list[Item] = field(default_factory=list)

    def checklist(self) -> str:
        lines = [f"已自动转换 Converted mechanically ({len(self.done)}):"]
        lines += [f"  - {i}" for i in self.done]
        lines.append(f"待定事项 To decide ({len(self.decide)}):")
        lines += [f"  [ ] {i}" for i in self.decide]
        return "\n".join(lines) + "\n"


class ConversionError(ValueError):
    """The input is not a BPMN file this command can read."""


def convert(content: bytes) -> Conversion:
    """Convert one Camunda 7/8 BPMN file; the input is never changed."""
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise ConversionError("文件含 DTD 或实体声明 / DTDs and entities are not allowed")
    try:
        old_root = etree.fromstring(content, parser=_SAFE)
    except etree.XMLSyntaxError as exc:
        raise ConversionError(f"XML 格式不正确 / not well-formed XML: {exc}") from exc
    if old_root.tag != f"{B}definitions":
        raise ConversionError("不是 BPMN 文档 / not a BPMN document (no bpmn:definitions)")
    root = _with_spiff_namespace(old_root)
    out = Conversion(b"")
    _Converter(root, out).run()
    _strip_foreign(root, out)
    etree.cleanup_namespaces(root)
    out.xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return out


def _with_spiff_namespace(root: Any) -> Any:
    nsmap = {k: v for k, v in root.nsmap.items()}
    nsmap.setdefault("spiffworkflow", SPIFF_NS)
    nsmap.setdefault("xsi", XSI_NS)
    new = etree.Element(root.tag, nsmap=nsmap)
    for k, v in root.attrib.items():
        new.set(k, v)
    new.text = root.text
    for child in list(root):
        new.append(child)
    return new


def _name(el: Any) -> str:
    return " ".join((el.get("name") or "").split())


class _Converter:
    def __init__(self, root: Any, out: Conversion) -> None:
        self.root = root
        self.out = out
        self.lanes: set[int] = set()

    def done(self, el: Any, kind: str, zh: str, en: str) -> None:
        self.out.done.append(Item(kind, el.get("id") or "-", _name(el), zh, en))

    def decide(self, el: Any, kind: str, zh: str, en: str) -> None:
        self.out.decide.append(Item(kind, el.get("id") or "-", _name(el), zh, en))

    def run(self) -> None:
        processes = list(self.root.iter(f"{B}process"))
        if processes and not any(p.get("isExecutable") == "true" for p in processes):
            target = max(processes, key=lambda p: len(list(p)))
            target.set("isExecutable", "true")
            self.done(target, "executable", "设为可执行流程", 'set isExecutable="true"')
        for proc in processes:
            self.process(proc)

    def process(self, proc: Any) -> None:
        for el in list(proc.iter()):
            if not isinstance(el.tag, str) or not el.tag.startswith(B):
                continue
            kind = el.tag[len(B) :]
            if kind in ("userTask", "manualTask"):
                self.user_task(proc, el)
            elif kind == "startEvent":
                self.start_event(el)
            elif kind == "timerEventDefinition":
                self.timer(el)
            elif kind == "sequenceFlow":
                self.condition(el)
            elif kind in ("serviceTask", "sendTask", "businessRuleTask"):
                self.external(el, kind)
            elif kind == "scriptTask":
                self.script(el)
            elif kind == "callActivity":
                self.call(el)
        self.listeners(proc)

    # -- forms and lanes ---------------------------------------------------------------------

    def user_task(self, proc: Any, task: Any) -> None:
        key = _form_key(task)
        if key is None:
            key = f"{task.get('id')}.json"
            self.decide(
                task,
                "form",
                f"没有表单：已设 formJsonSchemaFilename={key}，须在 forms/ 写该 JSON Schema",
                f"no form: formJsonSchemaFilename={key} set, write that JSON Schema in forms/",
            )
        else:
            self.decide(
                task,
                "form",
                f"在 forms/ 写 {key}（由 Camunda 表单改写为 JSON Schema）",
                f"write forms/{key} (the Camunda form as a JSON Schema)",
            )
        _set_property(task, "formJsonSchemaFilename", key)
        self.done(task, "form", f"表单属性 formJsonSchemaFilename={key}", f"form property {key}")
        self.decide(
            task,
            "stage",
            "设 stage 属性（案件阶段，API.md）",
            "set the stage property (the case stage, API.md)",
        )
        group = _group(task)
        lane = _lane_of(proc, task.get("id"))
        if lane is None:
            role = group if group and _plain(group) else "officer"
            lane = _ensure_lane(proc, role)
            ref = etree.SubElement(lane, f"{B}flowNodeRef")
            ref.text = task.get("id")
            self.done(task, "lane", f"放入泳道 {role}", f"put in lane {role}")
            if role == "officer" and group != "officer":
                who = group or "无 none"
                self.decide(
                    task,
                    "lane",
                    f"办理人/候选组为 {who}：已暂放 officer 泳道，确认角色",
                    f"assignee/candidate group is {who}: placed in lane officer, confirm the role",
                )
        name = lane.get("name") or ""
        if name not in ROLES and id(lane) not in self.lanes:
            self.lanes.add(id(lane))
            self.decide(
                lane,
                "lane",
                f"泳道「{name}」不是角色：改名为 {'、'.join(ROLES)} 之一"
                + (f"（候选组/办理人 {group}）" if group else ""),
                f"lane '{name}' is not a role: rename it to one of {', '.join(ROLES)}"
                + (f" (candidate group/assignee {group})" if group else ""),
            )

    def start_event(self, event: Any) -> None:
        key = _form_key(event)
        if key is not None:
            self.decide(
                event,
                "start",
                f"开始表单 {key}：立案数据由受理接口提供，确定流程开始时需要的变量",
                f"start form {key}: cases start from the intake API, decide the start variables",
            )

    # -- timers --------------------------------------------------------------------------------

    def timer(self, definition: Any) -> None:
        event = definition.getparent()
        start_var = f"{event.get('id')}_start"
        for child in list(definition):
            if not isinstance(child.tag, str):
                continue
            kind = etree.QName(child).localname
            text = (child.text or "").strip()
            if kind == "timeDate":
                if text.startswith("deadline("):
                    return
                self.decide(
                    event,
                    "timer",
                    f"固定日期定时器 {text}：改为 deadline(起算日, 期间)",
                    f"fixed date timer {text}: rewrite as deadline(start, period)",
                )
                return
            cycle = kind == "timeCycle"
            iso = text.split("/")[-1] if cycle else text
            period = iso_period(iso)
            if period is None:
                self.decide(
                    event,
                    "timer",
                    f"{kind} 「{text}」不能机械换算：改写为 deadline(起算日, 期间)",
                    f"{kind} '{text}' cannot be converted mechanically: write deadline(start, "
                    "period)",
                )
                return
            new = etree.Element(f"{B}timeDate")
            new.set(f"{{{XSI_NS}}}type", "bpmn:tFormalExpression")
            new.text = f'deadline({start_var}, "{period}")'
            definition.replace(child, new)
            _set_property(event, "period", period)
            self.done(
                event,
                "timer",
                f'{kind} {text} → deadline({start_var}, "{period}")',
                f'{kind} {text} → deadline({start_var}, "{period}")',
            )
            if cycle:
                self.decide(
                    event,
                    "timer",
                    f"原为循环定时器 {text}：引擎的期限只触发一次，需要重复时用循环流程表达",
                    f"was a cycle {text}: a deadline fires once, model repeats as a loop",
                )
            self.decide(
                event,
                "basis",
                "设 basis 属性：期限的法律依据（如 APL Art. 64，或 policy: …）",
                "set the basis property: the article of law (e.g. APL Art. 64, or policy: ...)",
            )
            self.decide(
                event,
                "start-variable",
                f"{start_var} 是起算日变量：改为已有的日期字段（如 served_at）或在之前的步骤设置它",
                f"{start_var} is the start date: use an existing date field (e.g. served_at) or "
                "set it in an earlier step",
            )
            self.decide(
                event,
                "holder",
                "设 holder 属性：party、agency 或 court；"
                "确认 CD/WD（≤10 日的行政强制期限为工作日）",
                "set holder: party, agency or court; confirm CD or WD (ACL periods of 10 days or "
                "less are working days)",
            )
            self.decide(event, "stage", "设 stage 属性", "set the stage property")
            return

    # -- conditions ----------------------------------------------------------------------------

    def condition(self, flow: Any) -> None:
        cond = flow.find(f"{B}conditionExpression")
        if cond is None or not (cond.text or "").strip():
            return
        text = cond.text.strip()
        python = foreign_to_python(text)
        if python is None:
            if text.startswith(("${", "#{", "=")):
                self.decide(
                    flow,
                    "condition",
                    f"条件 {text} 不能机械改写为 Python，须手工改写",
                    f"condition {text} cannot be rewritten mechanically: write it in Python",
                )
            return
        cond.text = python
        cond.attrib.pop("language", None)
        self.done(flow, "condition", f"条件 {text} → {python}", f"condition {text} → {python}")

    # -- what cannot run here ------------------------------------------------------------------

    def external(self, task: Any, kind: str) -> None:
        if kind == "sendTask" and not _has_foreign(task):
            return
        what = {
            "serviceTask": ("服务任务", "service task"),
            "sendTask": ("外部发送任务", "send task run by a job worker"),
            "businessRuleTask": ("业务规则任务（DMN）", "business rule task (DMN)"),
        }[kind]
        self.decide(
            task,
            "replace",
            f"{what[0]}不能运行：改为用户任务（人员记录结果）或脚本任务",
            f"the {what[1]} cannot run: replace it with a user task (a person records the result) "
            "or a script task",
        )

    def script(self, task: Any) -> None:
        fmt = (task.get("scriptFormat") or "").lower()
        if fmt and fmt not in ("python", "text/python"):
            self.decide(
                task,
                "script",
                f"脚本语言为 {fmt}：用受限 Python 重写",
                f"the script is {fmt}: rewrite it in restricted Python",
            )
            task.attrib.pop("scriptFormat", None)

    def call(self, task: Any) -> None:
        target = task.get("calledElement")
        if target:
            self.decide(
                task,
                "call",
                f"调用流程 {target}：也须转换，并与本文件一起部署",
                f"calls process {target}: convert it too and deploy it with this file",
            )
        else:
            self.decide(
                task,
                "call",
                "调用活动没有 calledElement（如 CMMN caseRef）：改为调用一个 BPMN 流程",
                "the call activity has no calledElement (e.g. a CMMN caseRef): call a BPMN "
                "process instead",
            )
        maps = [c for c in task.iter(f"{C}in", f"{C}out", f"{Z}input", f"{Z}output")]
        if maps:
            self.decide(
                task,
                "call",
                f"调用活动有 {len(maps)} 个变量映射：被调用流程直接读写案件数据，确认所需字段",
                f"the call activity maps {len(maps)} variables: the called process shares the case "
                "data, check the fields it needs",
            )

    def listeners(self, proc: Any) -> None:
        for el in proc.iter(f"{C}executionListener", f"{C}taskListener", f"{Z}executionListener"):
            owner = el.getparent().getparent()
            self.decide(
                owner,
                "listener",
                "监听器已删除：其作用须用脚本任务或表单表达",
                "listener removed: express what it did with a script task or the form",
            )


def _form_key(el: Any) -> str | None:
    raw = el.get(f"{C}formKey") or el.get(f"{C}formRef")
    if raw is None:
        form = el.find(f"{B}extensionElements/{Z}formDefinition")
        if form is not None:
            raw = form.get("formKey") or form.get("formId") or form.get("externalReference")
    if not raw:
        return None
    base = raw.split(":")[-1].split("/")[-1]
    stem = re.sub(r"\.(html?|form|json)$", "", base)
    stem = re.sub(r"[^a-z0-9_.-]+", "_", stem.lower()).strip("_.") or "form"
    return f"{stem}.json"


def _group(el: Any) -> str | None:
    groups = el.get(f"{C}candidateGroups")
    assignee = el.get(f"{C}assignee")
    z = el.find(f"{B}extensionElements/{Z}assignmentDefinition")
    if z is not None:
        groups = groups or z.get("candidateGroups")
        assignee = assignee or z.get("assignee")
    for value in (groups, assignee):
        if isinstance(value, str) and value.strip():
            return value.split(",")[0].strip()
    return None


def _plain(name: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][\w-]*", name) is not None


def _lane_of(proc: Any, element_id: str | None) -> Any:
    for ref in proc.iter(f"{B}flowNodeRef"):
        if (ref.text or "").strip() == element_id:
            return ref.getparent()
    return None


def _ensure_lane(proc: Any, role: str) -> Any:
    lane_set = proc.find(f"{B}laneSet")
    if lane_set is None:
        lane_set = etree.Element(f"{B}laneSet", id=f"LaneSet_{proc.get('id')}")
        index = 0
        for i, child in enumerate(proc):
            if isinstance(child.tag, str) and child.tag in (
                f"{B}documentation",
                f"{B}extensionElements",
                f"{B}auditing",
                f"{B}monitoring",
                f"{B}property",
            ):
                index = i + 1
        proc.insert(index, lane_set)
    for lane in lane_set.iter(f"{B}lane"):
        if lane.get("name") == role:
            return lane
    return etree.SubElement(lane_set, f"{B}lane", id=f"Lane_{role}", name=role)


def _set_property(el: Any, name: str, value: str) -> None:
    ext = el.find(f"{B}extensionElements")
    if ext is None:
        ext = etree.Element(f"{B}extensionElements")
        index = 1 if len(el) and el[0].tag == f"{B}documentation" else 0
        el.insert(index, ext)
    props = ext.find(f"{{{SPIFF_NS}}}properties")
    if props is None:
        props = etree.SubElement(ext, f"{{{SPIFF_NS}}}properties")
    for prop in props:
        if prop.get("name") == name:
            prop.set("value", value)
            return
    etree.SubElement(props, f"{{{SPIFF_NS}}}property", name=name, value=value)


def _has_foreign(el: Any) -> bool:
    return any(
        isinstance(n, str) and n.startswith("{") and n[1:].split("}")[0] in FOREIGN
        for n in [*el.attrib, *(c.tag for c in el.iter() if isinstance(c.tag, str))]
    )


def _strip_foreign(root: Any, out: Conversion) -> None:
    """Remove Camunda/zeebe attributes and extension elements; empty extensionElements go too."""
    removed = 0
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for key in list(el.attrib):
            if key.startswith("{") and key[1:].split("}")[0] in FOREIGN:
                del el.attrib[key]
                removed += 1
    for el in list(root.iter()):
        if isinstance(el.tag, str) and el.tag[1:].split("}")[0] in FOREIGN:
            parent = el.getparent()
            if parent is not None and etree.QName(parent).namespace not in FOREIGN:
                parent.remove(el)
                removed += 1
    for ext in list(root.iter(f"{B}extensionElements")):
        if len(ext) == 0 and ext.getparent() is not None:
            ext.getparent().remove(ext)
    if removed:
        out.done.append(
            Item(
                "cleanup",
                root.get("id") or "definitions",
                "",
                f"删除 {removed} 个 Camunda/zeebe 扩展属性或元素",
                f"removed {removed} Camunda/zeebe extension attributes or elements",
            )
        )


_ISO = re.compile(
    r"^P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)


def iso_period(text: str) -> str | None:
    """ISO 8601 duration → the engine's period ("P7D" → "7 CD", "P2W" → "14 CD", "P6M" → "6 M",
    "PT24H" → "24 H", "P1DT12H" → "36 H"); None when no single unit says it exactly."""
    m = _ISO.match(text.strip())
    if not m or text.strip() in ("P", "PT"):
        return None
    v = {k: int(x) for k, x in m.groupdict().items() if x}
    if not v or v.get("s") or any(n == 0 for n in v.values()):
        return None
    if set(v) == {"Y"}:
        return f"{v['Y']} Y"
    if set(v) == {"M"}:
        return f"{v['M']} M"
    if set(v) <= {"W", "D"}:
        return f"{7 * v.get('W', 0) + v.get('D', 0)} CD"
    if set(v) <= {"D", "h", "m"}:
        minutes = (v.get("D", 0) * 24 + v.get("h", 0)) * 60 + v.get("m", 0)
        return f"{minutes // 60} H" if minutes % 60 == 0 else None
    return None


_JUEL_WORDS = {
    "and": "and",
    "or": "or",
    "not": "not",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "true": "True",
    "false": "False",
    "null": "None",
    "empty": "not",
}
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'[^'\\]*'|\"[^\"\\]*\")|(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_]\w*)"
    r"|(?P<op>&&|\|\||==|!=|<=|>=|<|>|!|=|\(|\)))"
)


def foreign_to_python(text: str) -> str | None:
    """A JUEL (`${...}`, `#{...}`) or FEEL (`= ...`) condition as Python, or None when it is not
    only names, literals, comparisons and and/or/not (method calls, functions, lists)."""
    text = text.strip()
    feel = False
    if (text.startswith("${") or text.startswith("#{")) and text.endswith("}"):
        body = text[2:-1]
    elif text.startswith("=") and not text.startswith("=="):
        body, feel = text[1:], True
    else:
        return None
    out: list[str] = []
    pos = 0
    body = body.strip()
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if not m or m.end() == pos:
            return None
        pos = m.end()
        if m.group("str") or m.group("num"):
            out.append(m.group("str") or m.group("num"))
        elif name := m.group("name"):
            word = _JUEL_WORDS.get(name)
            if word is None and name in ("True", "False", "None"):
                return None
            out.append(word if word is not None else name)
        else:
            op = m.group("op")
            if (
                op == "("
                and out
                and re.fullmatch(r"[A-Za-z_]\w*", out[-1])
                and out[-1]
                not in (
                    "and",
                    "or",
                    "not",
                )
            ):
                return None  # a function call is not mechanical
            out.append(
                {"&&": "and", "||": "or", "!": "not", "=": "==" if feel else "="}.get(op, op)
            )
    python = " ".join(out).replace("( ", "(").replace(" )", ")")
    try:
        ast.parse(python, mode="eval")
    except SyntaxError:
        return None
    return python
