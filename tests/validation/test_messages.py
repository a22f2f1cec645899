"""One test per kind of validation message: what it names and that it teaches.

Each bad file is the mini case (tests/fixtures/processes/mini_case.bpmn) with one replacement, so
the valid original is the control (test_the_mini_case_is_valid)."""

from __future__ import annotations

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine.bootstrap import App
from engine.runtime.validation_messages import translate_spiff
from tests.validation.common import message_problems
from tests.validation.helpers import MINI, SCRIPT_TASK, errors_of, variant

SERVICE_TASK = (
    '<bpmn:serviceTask id="mark_demolished" name="记录 Record">'
    "<bpmn:incoming>f8</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing></bpmn:serviceTask>"
)


def teaching(errors: list[str]) -> list[str]:
    for line in errors:
        assert message_problems(line) == [], line
    return errors


def only(errors: list[str], needle: str) -> str:
    found = [e for e in teaching(errors) if needle in e]
    assert len(found) == 1, errors
    return found[0]


def test_the_mini_case_is_valid(app: App) -> None:
    assert errors_of(app, MINI) == []


def test_a_service_task_is_refused_at_validation_not_at_run_time(app: App) -> None:
    errors = errors_of(app, variant((SCRIPT_TASK, SERVICE_TASK)))
    line = only(errors, "mark_demolished")
    assert line.startswith("variant.bpmn:")
    assert "「记录 Record」" in line and "流程 process mini_case" in line
    assert "rule unsupported-element" in line
    assert "服务任务（bpmn:serviceTask）不能运行" in line and "cannot run" in line
    assert "Fix:" in line and "script task" in line
    assert "operator" not in line  # SpiffWorkflow's own sentence is not passed through


def test_a_business_rule_task_is_refused(app: App) -> None:
    rule_task = SERVICE_TASK.replace("serviceTask", "businessRuleTask")
    line = only(errors_of(app, variant((SCRIPT_TASK, rule_task))), "mark_demolished")
    assert "DMN" in line and "businessRuleTask" in line
    assert "No DMN Diagram" not in line


def test_data_stores_are_refused_each_by_name(app: App) -> None:
    xml = variant(
        (
            '<bpmn:message id="msg_party_demolished"',
            '<bpmn:dataStore id="crm" name="CRM 系统" />\n'
            '  <bpmn:message id="msg_party_demolished"',
        ),
        (
            '<bpmn:startEvent id="start"',
            '<bpmn:dataStoreReference id="crm_ref" name="CRM" dataStoreRef="crm" />\n'
            '    <bpmn:startEvent id="start"',
        ),
    )
    errors = teaching(errors_of(app, xml))
    assert any("元素 element crm「CRM 系统」" in e and "数据存储" in e for e in errors), errors
    assert any("元素 element crm_ref「CRM」" in e for e in errors), errors
    assert not any("has no implementation" in e for e in errors)


def test_no_executable_process_names_the_process_and_the_flag(app: App) -> None:
    xml = variant(('isExecutable="true"', 'isExecutable="false"'))
    line = only(errors_of(app, xml), "executable")
    assert "元素 element mini_case「测试案件 Mini case」" in line
    assert 'isExecutable="false"' in line
    assert "Executable" in line.split("Fix:")[1]  # what to change, and where in the modeller


def test_an_xml_schema_error_names_its_line_and_element(app: App) -> None:
    xml = variant(('<bpmn:userTask id="decide" name', '<bpmn:userTask id="decide" bogus="1" name'))
    line = only(errors_of(app, xml), "rule bpmn-xsd")
    number = MINI.splitlines().index(next(row for row in MINI.splitlines() if 'id="decide"' in row))
    assert line.startswith(f"variant.bpmn:{number + 1}: ")
    assert "元素 element decide「作出决定 Decide」" in line
    assert "bogus" in line and "BPMN 2.0 XSD" in line


def test_the_xsd_is_really_checked(app: App) -> None:
    """An element the BPMN schema does not allow where it stands, which SpiffWorkflow ignores."""
    xml = variant(
        ('<bpmn:laneSet id="lanes">', '<bpmn:documentation />\n<bpmn:laneSet id="lanes">')
    )
    xml = variant(
        ("<bpmn:documentation />\n", ""),
        ("</bpmn:laneSet>", "</bpmn:laneSet><bpmn:documentation />"),
        xml=xml,
    )
    errors = errors_of(app, xml)
    assert any("rule bpmn-xsd" in e and "documentation" in e for e in teaching(errors)), errors


def test_every_problem_of_a_file_is_reported_not_only_the_first(app: App) -> None:
    xml = variant(
        (SCRIPT_TASK, SERVICE_TASK),
        ("<bpmn:flowNodeRef>decide</bpmn:flowNodeRef>", ""),
        ('value="ARL Art. 20"', 'value="XYZ Art. 999"'),
        (
            '<bpmn:userTask id="serve" name="送达 Serve">',
            '<bpmn:userTask id="serve" name="送达 Serve" bogus="1">',
        ),
    )
    errors = teaching(errors_of(app, xml))
    text = "\n".join(errors)
    assert "元素 element mark_demolished" in text  # refused element
    assert "元素 element decide" in text and "rule lane" in text  # no lane
    assert "元素 element compliance_timer" in text and "XYZ Art. 999" in text  # basis
    assert "元素 element serve" in text and "rule bpmn-xsd" in text  # schema


def test_a_gateway_flow_without_condition_names_the_flow(app: App) -> None:
    xml = variant(
        ('name="定性 Classification" default="f_violation"', 'name="定性 Classification"')
    )
    line = only(errors_of(app, xml), "gateway-conditions")
    assert "元素 element gw_class「定性 Classification」" in line
    assert "f_violation" in line


def test_a_task_with_two_outgoing_flows_gets_a_whole_sentence(app: App) -> None:
    xml = variant(
        (
            "<bpmn:outgoing>f3</bpmn:outgoing>",
            "<bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>fx</bpmn:outgoing>",
        ),
        (
            '<bpmn:sequenceFlow id="f3"',
            '<bpmn:sequenceFlow id="fx" sourceRef="decide" targetRef="end_closed" />\n    '
            '<bpmn:sequenceFlow id="f3"',
        ),
    )
    line = only(errors_of(app, xml), "single-outgoing")
    assert "元素 element decide" in line
    assert "bpmn:userTask has 2 outgoing sequence flows, only one is allowed" in line


def test_a_call_to_a_missing_process_names_the_call_activity(app: App) -> None:
    call = (
        '<bpmn:callActivity id="call_x" name="调用 Call" calledElement="nowhere">'
        "<bpmn:incoming>f8</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing></bpmn:callActivity>"
    )
    line = only(errors_of(app, variant((SCRIPT_TASK, call))), "call_x")
    assert "「调用 Call」" in line and "nowhere" in line and "rule call-activity" in line


def test_a_camunda_condition_is_named_as_such(app: App) -> None:
    xml = variant(("classification == 'no_violation'", "${classification == 'no_violation'}"))
    line = only(errors_of(app, xml), "JUEL")
    assert "元素 element gw_class" in line and "qingwei convert --from camunda" in line


def test_not_well_formed_xml_names_the_line(app: App) -> None:
    line = only(errors_of(app, MINI.replace("</bpmn:definitions>", "</bpmn:oops>")), "xml-syntax")
    assert line.startswith(f"variant.bpmn:{len(MINI.splitlines())}: ")


def test_spiff_sentences_are_completed_and_reprs_removed() -> None:
    node = etree.fromstring(
        '<bpmn:userTask xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="t1" '
        'name="审核"/>'
    )
    cut = translate_spiff(
        ValidationException(
            "Multiple outgoing flows are not supported for tasks of type", node=node
        ),
        file="f.bpmn",
    )
    assert "bpmn:userTask may have only one outgoing sequence flow" in str(cut)
    assert message_problems(str(cut)) == [], str(cut)
    leak = translate_spiff(
        ValidationException(f"Cannot resolve dataInputAssociation {node!r}", node=node),
        file="f.bpmn",
    )
    assert "0x" not in str(leak) and "<" not in str(leak)
    assert message_problems(str(leak)) == [], str(leak)
    unknown = translate_spiff(RuntimeError(f"odd {node!r} thing"), file="f.bpmn", process="p")
    assert "rule bpmn-parse" in str(unknown) and message_problems(str(unknown)) == []


def test_the_checker_rejects_the_old_messages() -> None:
    """The corpus test bites: the messages issue 10 quoted fail it."""
    old = [
        "x.bpmn: ServiceTask_1: A Service Task must have an operator.",
        "x.bpmn: -: Data Store with name X has no implementation.",
        "x.bpmn: p t: Cannot resolve dataOutputAssociation <Element {http://www.omg.org/spec/"
        "BPMN/20100524/MODEL}targetRef at 0x7f3a>",
        "x.bpmn: p t: Multiple outgoing flows are not supported for tasks of type.",
        "x.bpmn: -: no executable process",
    ]
    for line in old:
        assert message_problems(line), line


def test_a_comment_inside_a_task_is_no_parser_crash(app: App) -> None:
    """SpiffWorkflow 3.2 fails on an XML comment inside a task ('cython_function_or_method'
    object has no attribute 'endswith'); comments are dropped when the upload is read."""
    xml = variant(
        (
            "<bpmn:incoming>f8</bpmn:incoming>",
            "<bpmn:incoming>f8</bpmn:incoming><!-- <bpmn:dataOutputAssociation/> -->",
        )
    )
    assert errors_of(app, xml) == []


def test_exception_reprs_are_reduced_to_their_message() -> None:
    leak = translate_spiff(
        RuntimeError("""AttributeError("'_cython_3.cython_function_or_method' object has no x")"""),
        file="f.bpmn",
        process="p",
    )
    assert message_problems(str(leak)) == [], str(leak)
    assert "AttributeError: object has no x" in str(leak)


def test_several_parser_errors_in_one_process_are_all_reported(app: App) -> None:
    """SpiffWorkflow stops at its first error; the element it named is set aside and the file
    parsed again, so every such error comes out, and the Qingwei rules still run after them."""
    xml = variant(
        (
            "<bpmn:outgoing>f2</bpmn:outgoing>",
            "<bpmn:outgoing>f2</bpmn:outgoing><bpmn:standardLoopCharacteristics />",
        ),
        (
            "<bpmn:outgoing>f4</bpmn:outgoing>\n    </bpmn:userTask>",
            "<bpmn:outgoing>f4</bpmn:outgoing><bpmn:multiInstanceLoopCharacteristics />"
            "\n    </bpmn:userTask>",
        ),
        ("<bpmn:flowNodeRef>decide</bpmn:flowNodeRef>", ""),
    )
    errors = teaching(errors_of(app, xml))
    text = "\n".join(errors)
    assert "rule bpmn-xsd" not in text
    assert "元素 element investigate" in text and "loopMaximum" in text
    assert "元素 element serve" in text and "cardinality" in text
    assert "元素 element decide" in text and "rule lane" in text
