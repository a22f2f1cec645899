"""Scripts, conditions and timer expressions run under a time budget and bounded allocation
(issue 14, item 1), driven with the inputs of the attack."""

from __future__ import annotations

import time

import pytest

from engine.runtime import lint, parse_bundle
from engine.runtime.parsing import count_elements
from engine.runtime.scripting import RestrictedEnvironment, ScriptError, check_source
from tests.conftest import fixture_bpmn

BUDGET = 0.2


def run(source: str) -> dict[str, object]:
    context: dict[str, object] = {}
    RestrictedEnvironment({}, BUDGET).execute(source, context)
    return context


def test_a_tower_of_powers_fails_at_once_with_a_chinese_message() -> None:
    started = time.monotonic()
    with pytest.raises(ScriptError, match="超出大小限制"):
        run("x = 10**10**10")
    with pytest.raises(ScriptError, match="超出大小限制"):
        RestrictedEnvironment({}, BUDGET).evaluate("10**10**10 > 0", {})
    assert time.monotonic() - started < 0.1


@pytest.mark.parametrize(
    "source",
    [
        "y = [0] * 10**7",
        "y = 'ab' * 10**7",
        "y = 1 << 10**6",
        "y = pow(7, 10**6)",
        "y = 3\ny *= 10**7 * [1]",
        "y = list(range(10**9))",
    ],
)
def test_allocation_bombs_are_refused_before_they_allocate(source: str) -> None:
    with pytest.raises(ScriptError, match="超出大小限制"):
        run(source)


@pytest.mark.parametrize(
    "source",
    [
        "while True: pass",
        "x = 0\nwhile True:\n    try:\n        x += 1\n    except Exception:\n        pass",
        "z = [i for i in range(10**6) for j in range(10**6)]",
    ],
)
def test_unbounded_loops_stop_at_the_budget(source: str) -> None:
    started = time.monotonic()
    with pytest.raises(ScriptError, match="时间限制"):
        run(source)
    assert time.monotonic() - started < BUDGET + 0.5


@pytest.mark.parametrize("name", ["SystemExit", "KeyboardInterrupt", "GeneratorExit"])
def test_exits_raised_by_a_script_are_a_process_fault(name: str) -> None:
    with pytest.raises(ScriptError, match=name):
        run(f"raise {name}")


def test_catch_all_handlers_are_refused_at_deploy() -> None:
    for handler in ("except:", "except BaseException:", "except (ValueError, SystemExit):"):
        source = f"try:\n    x = 1\n{handler}\n    pass"
        assert any("except" in p for p in check_source(source, mode="exec")), handler
    assert check_source("try:\n    x\nexcept NameError:\n    x = 1", mode="exec") == []


def test_ordinary_arithmetic_is_unchanged() -> None:
    assert run(
        "a = 2**100\nb = 3 * 4\nc = 'ab' * 3\nd = 1.5**2\ne = [1] * 3\ne *= 2\nf = 1 << 8"
    ) == {
        "a": 2**100,
        "b": 12,
        "c": "ababab",
        "d": 2.25,
        "e": [1] * 6,
        "f": 256,
    }


MINI = fixture_bpmn("mini_case.bpmn").decode()


def test_too_many_elements_are_refused_with_a_chinese_first_message() -> None:
    root_count = count_elements(__import__("lxml.etree").etree.fromstring(MINI.encode()))
    with pytest.raises(Exception, match="BPMN 元素过多") as info:
        parse_bundle({"mini_case.bpmn": MINI.encode()}, max_elements=root_count - 1)
    assert "上限" in str(info.value)
    assert "mini_case" in parse_bundle({"mini_case.bpmn": MINI.encode()}, max_elements=root_count)


SELF_CALL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="d" targetNamespace="http://qingwei.example/test">
  <bpmn:process id="{a}" isExecutable="true">
    <bpmn:startEvent id="{a}_start"><bpmn:outgoing>{a}_f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:callActivity id="{a}_call" calledElement="{b}">
      <bpmn:incoming>{a}_f1</bpmn:incoming><bpmn:outgoing>{a}_f2</bpmn:outgoing>
    </bpmn:callActivity>
    <bpmn:endEvent id="{a}_end"><bpmn:incoming>{a}_f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="{a}_f1" sourceRef="{a}_start" targetRef="{a}_call" />
    <bpmn:sequenceFlow id="{a}_f2" sourceRef="{a}_call" targetRef="{a}_end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_call_activity_calling_its_own_process_is_refused() -> None:
    definitions = parse_bundle({"loop.bpmn": SELF_CALL.format(a="loop", b="loop").encode()})
    issues = lint(definitions["loop"], form_exists=lambda _: True)
    assert [i.element_id for i in issues] == ["loop_call"]
    assert "递归" in issues[0].message


def test_a_call_cycle_through_another_process_is_refused() -> None:
    files = {
        "a.bpmn": SELF_CALL.format(a="pa", b="pb").encode(),
        "b.bpmn": SELF_CALL.format(a="pb", b="pa").encode(),
    }
    definitions = parse_bundle(files)
    issues = lint(definitions["pa"], form_exists=lambda _: True)
    assert any("递归" in i.message and "pa → pb → pa" in i.message for i in issues)
