"""Parsing and linting of designers' BPMN uploads: what may be deployed, and why not.

Every bad variant is built from tests/fixtures/processes/mini_case.bpmn by one string
replacement, so each test changes exactly one thing and the valid original is the control.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine.runtime import BpmnRejected, LintIssue, lint, parse_bundle
from tests.conftest import fixture_bpmn

MINI = fixture_bpmn("mini_case.bpmn").decode("utf-8")
XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
FORMS = {"mini_investigate.json", "mini_decide.json", "mini_serve.json"}
LANES = ("officer", "head")

BASIS_PROP = '<spiffworkflow:property name="basis" value="ARL Art. 20" />'
PERIOD_PROP = '<spiffworkflow:property name="period" value="60 CD" />'
TIMER_EXPR = 'deadline(served_at, "60 CD")'
CONDITION = "classification == 'no_violation'"
SCRIPT_LINE = 'outcome = "self_demolished"'


def variant(old: str, new: str, xml: str = MINI) -> str:
    assert xml.count(old) == 1, f"{old!r} must occur exactly once in the fixture"
    return xml.replace(old, new)


def issues_of(
    xml: str | bytes,
    form_exists: Callable[[str], bool] = FORMS.__contains__,
) -> list[LintIssue]:
    content = xml.encode("utf-8") if isinstance(xml, str) else xml
    definitions = parse_bundle({"variant.bpmn": content})
    assert list(definitions) == ["mini_case"]
    return lint(definitions["mini_case"], form_exists=form_exists, known_lanes=LANES)


def only_issue(xml: str, **kwargs: Callable[[str], bool]) -> LintIssue:
    found = issues_of(xml, **kwargs)
    assert len(found) == 1, [str(i) for i in found]
    return found[0]


def test_the_unmodified_fixture_is_clean() -> None:
    assert issues_of(MINI) == []


def test_parse_bundle_collects_element_metadata() -> None:
    definition = parse_bundle({"mini_case.bpmn": MINI.encode()})["mini_case"]
    timer = definition.elements["compliance_timer"]
    assert (timer.kind, timer.period, timer.basis) == ("timer", "60 CD", "ARL Art. 20")
    decide = definition.elements["decide"]
    assert (decide.lane, decide.form_key, decide.stage) == ("head", "mini_decide.json", "decision")


# ---- timers ---------------------------------------------------------------------------------


def test_timer_without_basis() -> None:
    issue = only_issue(variant(BASIS_PROP, ""))
    assert issue.element_id == "compliance_timer"
    assert "basis" in issue.message
    assert "compliance_timer" in str(issue)
    assert issue.file == "variant.bpmn"


def test_timer_without_period() -> None:
    issue = only_issue(variant(PERIOD_PROP, ""))
    assert issue.element_id == "compliance_timer"
    assert "period" in issue.message


def test_timer_whose_deadline_period_differs_from_its_property() -> None:
    issue = only_issue(variant(TIMER_EXPR, 'deadline(served_at, "30 CD")'))
    assert issue.element_id == "compliance_timer"
    assert "30 CD" in issue.message and "60 CD" in issue.message


def test_timer_with_an_unknown_period_unit() -> None:
    found = issues_of(variant(PERIOD_PROP, PERIOD_PROP.replace("60 CD", "60 XX")))
    assert found
    assert all(i.element_id == "compliance_timer" for i in found)
    assert any("60 XX" in i.message for i in found)


def holder_prop(value: str) -> str:
    return f'{BASIS_PROP}\n          <spiffworkflow:property name="holder" value="{value}" />'


@pytest.mark.parametrize("holder", ["party", "agency", "court"])
def test_timer_holder_party_agency_or_court_is_accepted(holder: str) -> None:
    assert issues_of(variant(BASIS_PROP, holder_prop(holder))) == []


@pytest.mark.parametrize("holder", ["applicant", "Party", "", "government"])
def test_timer_with_an_unknown_holder_is_refused(holder: str) -> None:
    issue = only_issue(variant(BASIS_PROP, holder_prop(holder)))
    assert issue.element_id == "compliance_timer"
    # Chinese first, English beside it; both name the value and the three allowed ones.
    assert issue.message.startswith("期限归属")
    assert f"'{holder}'" in issue.message
    assert "must be party, agency or court" in issue.message
    assert issue.message.index("无效") < issue.message.index("invalid")


def test_timer_without_holder_is_allowed() -> None:
    # A third-party file that predates the property still deploys (the fixture has none).
    definition = parse_bundle({"mini_case.bpmn": MINI.encode()})["mini_case"]
    assert "holder" not in definition.elements["compliance_timer"].properties
    assert issues_of(MINI) == []


def test_timer_date_not_computed_with_deadline() -> None:
    # A hard-coded date ignores the statutory calendar: refused.
    issue = only_issue(variant(TIMER_EXPR, '"2026-04-14T00:00:00+08:00"'))
    assert issue.element_id == "compliance_timer"
    assert "deadline" in issue.message


def test_timer_duration_instead_of_a_date() -> None:
    xml = variant(
        f"<bpmn:timeDate>{TIMER_EXPR}</bpmn:timeDate>",
        '<bpmn:timeDuration>"P60D"</bpmn:timeDuration>',
    )
    issue = only_issue(xml)
    assert issue.element_id == "compliance_timer"
    assert "timeDate" in issue.message


def test_unsafe_timer_expression_is_refused() -> None:
    xml = variant(TIMER_EXPR, 'deadline(open("/etc/passwd").read(), "60 CD")')
    found = issues_of(xml)
    assert any('"open" is not allowed' in i.message for i in found), [str(i) for i in found]


def test_unsafe_timer_expression_names_the_timer_element() -> None:
    xml = variant(TIMER_EXPR, 'deadline(open("/etc/passwd").read(), "60 CD")')
    found = issues_of(xml)
    assert [i.element_id for i in found if "open" in i.message] == ["compliance_timer"]


# ---- user tasks -----------------------------------------------------------------------------


def test_user_task_without_lane() -> None:
    issue = only_issue(variant("<bpmn:flowNodeRef>decide</bpmn:flowNodeRef>", ""))
    assert issue.element_id == "decide"
    assert "lane" in issue.message


def test_user_task_in_a_lane_that_is_not_a_role() -> None:
    issue = only_issue(variant('name="head"', 'name="chief"'))
    assert issue.element_id == "decide"
    assert "chief" in issue.message


def test_user_task_whose_form_does_not_exist() -> None:
    asked: list[str] = []

    def form_exists(key: str) -> bool:
        asked.append(key)
        return key != "mini_decide.json"

    issue = only_issue(MINI, form_exists=form_exists)
    assert issue.element_id == "decide"
    assert "mini_decide.json" in issue.message
    assert sorted(asked) == sorted(FORMS)


def test_user_task_without_form_property() -> None:
    xml = variant(
        '<spiffworkflow:property name="formJsonSchemaFilename" value="mini_serve.json" />', ""
    )
    issue = only_issue(xml)
    assert issue.element_id == "serve"
    assert "formJsonSchemaFilename" in issue.message


# ---- conditions and scripts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "named"),
    [
        ("__import__('os').system('id') == 0", "__import__"),
        ("open('/etc/passwd').read() == ''", "open"),
        ("classification.__class__ == str", "__class__"),
        ("getattr(classification, 'upper')() == 'X'", "getattr"),
    ],
)
def test_unsafe_gateway_condition_names_the_gateway(condition: str, named: str) -> None:
    issue = only_issue(variant(CONDITION, condition.replace("'", "&apos;")))
    assert issue.element_id == "gw_class"
    assert named in issue.message
    assert "gw_class" in str(issue)


def test_unsafe_script_names_the_script_task() -> None:
    issue = only_issue(variant(SCRIPT_LINE, 'outcome = open("/etc/passwd").read()'))
    assert issue.element_id == "mark_demolished"
    assert "open" in issue.message


def test_script_with_an_import_names_the_script_task() -> None:
    issue = only_issue(variant(SCRIPT_LINE, 'import os\noutcome = "x"'))
    assert issue.element_id == "mark_demolished"
    assert "import" in issue.message


# ---- parse_bundle refuses what is not safe, well-formed BPMN --------------------------------


def test_rejects_text_that_is_not_xml() -> None:
    with pytest.raises(BpmnRejected) as info:
        parse_bundle({"notes.bpmn": b"this is not XML at all"})
    assert "not well-formed XML" in str(info.value)
    assert info.value.issues[0].file == "notes.bpmn"


def test_rejects_truncated_xml() -> None:
    with pytest.raises(BpmnRejected, match="not well-formed XML"):
        parse_bundle({"cut.bpmn": MINI.encode()[: len(MINI) // 2]})


def test_rejects_xml_that_is_not_bpmn() -> None:
    with pytest.raises(BpmnRejected, match="not a BPMN document"):
        parse_bundle({"pom.bpmn": b'<?xml version="1.0"?><project><name>x</name></project>'})


def test_rejects_bpmn_without_an_executable_process() -> None:
    xml = variant('isExecutable="true"', 'isExecutable="false"')
    with pytest.raises(BpmnRejected, match="no executable process"):
        parse_bundle({"idle.bpmn": xml.encode()})


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("QINGWEI-LEAK-CANARY-7f3a9c")
    return path


def _with_doctype(doctype: str, body_change: tuple[str, str] | None = None) -> str:
    body = variant(*body_change) if body_change else MINI
    assert body.startswith(XML_DECL)
    return XML_DECL + doctype + "\n" + body[len(XML_DECL) :]


def _assert_rejected_without_leak(content: bytes, canary: str) -> BpmnRejected:
    with pytest.raises(BpmnRejected) as info:
        definitions = parse_bundle({"evil.bpmn": content})
        # Should it ever be accepted, the entity must at least not have been resolved.
        assert canary not in repr([d.elements for d in definitions.values()])
    assert canary not in str(info.value)
    assert all(canary not in str(i) for i in info.value.issues)
    return info.value


def test_rejects_xxe_and_leaks_no_file_content(secret_file: Path) -> None:
    doctype = f'<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file://{secret_file}">]>'
    xml = _with_doctype(doctype, (CONDITION, "classification == &apos;&xxe;&apos;"))
    rejected = _assert_rejected_without_leak(xml.encode(), "QINGWEI-LEAK-CANARY")
    assert "DTD" in str(rejected) or "entity" in str(rejected)


def test_rejects_xxe_in_an_attribute(secret_file: Path) -> None:
    doctype = f'<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file://{secret_file}">]>'
    xml = _with_doctype(doctype, ('name="测试案件 Mini case"', 'name="&xxe;"'))
    _assert_rejected_without_leak(xml.encode(), "QINGWEI-LEAK-CANARY")


def _billion_laughs() -> str:
    entities = ['<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        entities.append(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">')
    return "<!DOCTYPE bpmn:definitions [" + "".join(entities) + "]>"


def test_rejects_billion_laughs() -> None:
    xml = _with_doctype(_billion_laughs(), ('name="测试案件 Mini case"', 'name="&lol9;"'))
    with pytest.raises(BpmnRejected) as info:
        parse_bundle({"laughs.bpmn": xml.encode()})
    assert "lollollol" not in str(info.value)


def test_rejects_a_doctype_without_entities() -> None:
    xml = _with_doctype("<!DOCTYPE bpmn:definitions>")
    with pytest.raises(BpmnRejected, match="DTD"):
        parse_bundle({"dtd.bpmn": xml.encode()})


def test_rejects_a_doctype_in_a_utf16_document() -> None:
    doctype = '<!DOCTYPE bpmn:definitions [<!ENTITY e "EXPANDED-BY-DTD">]>'
    xml = _with_doctype(doctype, ('name="测试案件 Mini case"', 'name="&e;"'))
    content = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    with pytest.raises(BpmnRejected):
        parse_bundle({"utf16.bpmn": content})


def test_utf16_xxe_leaks_no_file_content(secret_file: Path) -> None:
    doctype = f'<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file://{secret_file}">]>'
    for old, new in [
        ('name="测试案件 Mini case"', 'name="&xxe;"'),
        (SCRIPT_LINE, 'outcome = "&xxe;"'),
    ]:
        xml = _with_doctype(doctype, (old, new))
        content = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
        try:
            definitions = parse_bundle({"utf16.bpmn": content})
        except BpmnRejected as exc:
            assert "QINGWEI-LEAK-CANARY" not in str(exc)
            continue
        definition = definitions["mini_case"]
        assert "QINGWEI-LEAK-CANARY" not in definition.name
        script = definition.spec.task_specs["mark_demolished"].script
        assert "QINGWEI-LEAK-CANARY" not in script
