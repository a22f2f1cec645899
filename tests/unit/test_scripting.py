"""The restricted script environment, and the proof that timers read the injected clock.

A designer's BPMN upload carries Python expressions (gateway conditions, timer dates, script
tasks). Stock SpiffWorkflow `eval`s them, so these tests pin down that Qingwei refuses anything
that could reach outside the sandbox, both at deploy time (`check_source`) and at run time
(`RestrictedEnvironment`), while the expressions real processes use keep working.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from engine.calendar import StatutoryCalendar
from engine.runtime import ProcessRuntime, Snapshot, parse_bundle
from engine.runtime.scripting import (
    RestrictedEnvironment,
    ScriptError,
    check_source,
    make_helpers,
)
from engine.runtime.timeshift import at_instant
from tests.conftest import fixture_bpmn

SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def calendar() -> StatutoryCalendar:
    return StatutoryCalendar.load()


@pytest.fixture(scope="module")
def env(calendar: StatutoryCalendar) -> RestrictedEnvironment:
    return RestrictedEnvironment(make_helpers(calendar))


# ---- check_source: what deployment refuses -----------------------------------------------

UNSAFE_EXPRESSIONS = [
    "__import__('os').system('id')",
    "open('/etc/passwd')",
    "open('/etc/passwd').read() == ''",
    "x.__class__",
    "getattr(x, 'y')",
    "().__class__.__bases__",
    "().__class__.__bases__[0].__subclasses__()",
    "eval('1')",
    "exec('x = 1')",
    "globals()",
    "locals()",
    "vars()",
    "compile('1', 'f', 'eval')",
    "type(x)",
    "(y for y in [1]).gi_frame",
    "deadline.__globals__",
]


@pytest.mark.parametrize("source", UNSAFE_EXPRESSIONS)
def test_check_source_rejects_unsafe_expressions(source: str) -> None:
    problems = check_source(source, mode="eval")
    assert problems, f"{source!r} was accepted"
    assert all(isinstance(p, str) and p for p in problems)


UNSAFE_SCRIPTS = [
    "import os",
    "import os\nos.system('id')",
    "from os import system",
    "exec('import os')",
    "f = open('/etc/passwd')",
    "x = getattr(area_m2, 'real')",
    "g = globals()",
    "b = __builtins__",
    "c = ().__class__",
    "open = 1",
]


@pytest.mark.parametrize("source", UNSAFE_SCRIPTS)
def test_check_source_rejects_unsafe_scripts(source: str) -> None:
    assert check_source(source, mode="exec"), f"{source!r} was accepted"


def test_check_source_names_the_offending_construct() -> None:
    assert any("open" in p for p in check_source("open('/etc/passwd')", mode="eval"))
    assert any("getattr" in p for p in check_source("getattr(x, 'y')", mode="eval"))
    assert any("__class__" in p for p in check_source("x.__class__", mode="eval"))
    assert any("__import__" in p for p in check_source("__import__('os')", mode="eval"))
    assert any("import" in p for p in check_source("import os", mode="exec"))


def test_check_source_reports_syntax_errors() -> None:
    problems = check_source("classification ==", mode="eval")
    assert len(problems) == 1
    assert "syntax error" in problems[0]


@pytest.mark.parametrize(
    "source",
    [
        "classification == 'no_violation'",
        "area_m2 > 100 and use_type == 'residential'",
        'deadline(served_at, "60 CD")',
        "classification in ('correctable', 'not_correctable') and not construction_ongoing",
        "max(area_m2, 0) >= 10",
        "is_before(served_at, deadline(served_at, '5 WD'))",
    ],
)
def test_check_source_accepts_business_expressions(source: str) -> None:
    assert check_source(source, mode="eval") == []


def test_check_source_accepts_the_mini_case_script() -> None:
    script = 'outcome = "self_demolished"\ndemolished_area = area_m2 if area_m2 else 0'
    assert check_source(script, mode="exec") == []


# ---- RestrictedEnvironment: what runs ------------------------------------------------------


def test_evaluate_business_condition(env: RestrictedEnvironment) -> None:
    data = {"area_m2": 150, "use_type": "residential"}
    assert env.evaluate("area_m2 > 100 and use_type == 'residential'", data) is True
    data["use_type"] = "business"
    assert env.evaluate("area_m2 > 100 and use_type == 'residential'", data) is False


def test_execute_writes_plain_variables_into_the_task_data(env: RestrictedEnvironment) -> None:
    context: dict[str, Any] = {"area_m2": 12.5, "fine_rate": 100}
    script = (
        "fine_amount = area_m2 * fine_rate\n"
        "parts = []\n"
        "for i in range(3):\n"
        "    parts.append(i * 2)\n"
        "total = 0\n"
        "total += sum(parts)\n"
        "summary = {'area': area_m2, 'fine': fine_amount}\n"
        "due = deadline('2026-02-10', '60 CD')\n"
    )
    assert env.execute(script, context) is True
    assert context["fine_amount"] == 1250.0
    assert context["parts"] == [0, 2, 4]
    assert context["total"] == 6
    assert context["summary"] == {"area": 12.5, "fine": 1250.0}
    assert context["due"] == "2026-04-14T00:00:00+08:00"
    # The inputs survive, and no helper or guard function leaks into the task data.
    assert context["area_m2"] == 12.5
    for leaked in ("deadline", "now", "_getattr_", "__builtins__", "_write_"):
        assert leaked not in context


def test_execute_cannot_open_files(env: RestrictedEnvironment) -> None:
    context: dict[str, Any] = {}
    with pytest.raises(ScriptError, match="open"):
        env.execute("content = open('/etc/passwd').read()", context)
    assert "content" not in context


def test_evaluate_cannot_open_files(env: RestrictedEnvironment) -> None:
    with pytest.raises(ScriptError, match="open"):
        env.evaluate("open('/etc/passwd').read()", {})


@pytest.mark.parametrize(
    "source",
    [
        "__builtins__",
        "__builtins__['open']('/etc/passwd')",
        "__import__('os')",
        "deadline.__globals__",
        "x.__class__.__mro__",
    ],
)
def test_evaluate_cannot_reach_builtins_or_dunders(env: RestrictedEnvironment, source: str) -> None:
    with pytest.raises(ScriptError):
        env.evaluate(source, {"x": 1})


def test_str_format_cannot_walk_attributes(env: RestrictedEnvironment) -> None:
    # "{0.__class__}".format(x) is the classic way round an attribute guard.
    with pytest.raises(NotImplementedError):
        env.evaluate("'{0.__class__.__mro__}'.format(x)", {"x": 1})
    with pytest.raises(NotImplementedError):
        env.evaluate("'{a.__class__}'.format_map({'a': x})", {"x": 1})


def test_execute_refuses_data_that_shadows_a_helper(env: RestrictedEnvironment) -> None:
    # Task data must not be able to replace `deadline` with something else.
    with pytest.raises(ScriptError, match="deadline"):
        env.execute("x = 1", {"deadline": "2026-01-01"})


# ---- helpers ------------------------------------------------------------------------------


def test_deadline_helper_returns_the_statutory_deadline(env: RestrictedEnvironment) -> None:
    # 60 CD from Tue 2026-02-10 (start day not counted): day 60 is Sat 2026-04-11, a rest day,
    # so the period rolls to Mon 2026-04-13 and runs to 24:00 = 2026-04-14T00:00+08:00.
    assert env.evaluate('deadline("2026-02-10", "60 CD")', {}) == "2026-04-14T00:00:00+08:00"
    assert (
        env.evaluate('deadline(served_at, "60 CD")', {"served_at": "2026-02-10"})
        == "2026-04-14T00:00:00+08:00"
    )


def test_deadline_helper_counts_working_days_across_the_spring_festival(
    env: RestrictedEnvironment,
) -> None:
    # 5 WD from Tue 2026-02-10: Feb 11, 12, 13 (Wed-Fri), Sat Feb 14 is a make-up working day,
    # then the holiday Feb 15-23; the fifth working day is Tue Feb 24 -> 24:00 = Feb 25 00:00.
    assert env.evaluate('deadline("2026-02-10", "5 WD")', {}) == "2026-02-25T00:00:00+08:00"


def test_now_refuses_outside_a_workflow_step(env: RestrictedEnvironment) -> None:
    with pytest.raises(ScriptError, match="outside a workflow step"):
        env.evaluate("now()", {})


def test_now_returns_the_injected_instant_in_shanghai_time(env: RestrictedEnvironment) -> None:
    with at_instant(datetime(2026, 3, 1, 1, 30, tzinfo=UTC)):
        assert env.evaluate("now()", {}) == "2026-03-01T09:30:00+08:00"
    # The context variable is reset after the step.
    with pytest.raises(ScriptError):
        env.evaluate("now()", {})


def test_at_instant_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError), at_instant(datetime(2026, 3, 1, 9, 0)):
        pass


# ---- timers read the injected clock, not the wall clock (DESIGN.md "Time") ----------------


@pytest.fixture(scope="module")
def runtime(calendar: StatutoryCalendar) -> ProcessRuntime:
    return ProcessRuntime(calendar)


def _served_mini_case(runtime: ProcessRuntime) -> tuple[Any, Snapshot]:
    """Drive mini_case to the compliance timer, everything happening on 2026-02-10."""
    definition = parse_bundle({"mini_case.bpmn": fixture_bpmn("mini_case.bpmn")})["mini_case"]
    loaded = runtime.load_spec(("test_scripting", "mini_case"), runtime.spec_json(definition))
    now = datetime(2026, 2, 10, 9, 0, tzinfo=SHANGHAI)
    snap = runtime.start(loaded, {}, now)
    steps = [
        ("investigate", {"classification": "not_correctable", "area_m2": 12}),
        ("decide", {"compliance_days": 10}),
        ("serve", {"service_method": "direct", "served_at": "2026-02-10"}),
    ]
    for element_id, data in steps:
        assert [t.element_id for t in snap.ready_tasks] == [element_id]
        snap = runtime.complete_task(loaded, snap.state, snap.ready_tasks[0].task_id, data, now)
    return loaded, snap


def test_timer_waits_for_the_injected_clock_not_the_wall_clock(runtime: ProcessRuntime) -> None:
    loaded, served = _served_mini_case(runtime)
    assert [t.element_id for t in served.timers] == ["compliance_timer"]
    timer = served.timers[0]
    assert timer.due_at == datetime(2026, 4, 14, 0, 0, tzinfo=SHANGHAI)
    assert (timer.period, timer.basis) == ("60 CD", "ARL Art. 20")
    # The wall clock is far past the due date (the suite runs later than April 2026), so a
    # SpiffWorkflow that read datetime.now() would fire this timer at once.
    assert datetime.now(UTC) > timer.due_at

    one_minute_early = datetime(2026, 4, 13, 23, 59, tzinfo=SHANGHAI)
    early = runtime.fire_due_timers(loaded, served.state, one_minute_early)
    assert early.fired_elements == []
    assert [t.element_id for t in early.timers] == ["compliance_timer"]
    assert not early.completed
    assert "end_lapsed" not in early.completed_elements
    assert early.waiting_messages == ["party_demolished"]

    just_after = datetime(2026, 4, 14, 0, 0, 1, tzinfo=SHANGHAI)
    lapsed = runtime.fire_due_timers(loaded, early.state, just_after)
    assert lapsed.fired_elements == ["compliance_timer"]
    assert lapsed.timers == []
    assert lapsed.completed
    assert "end_lapsed" in lapsed.completed_elements
    assert "mark_demolished" not in lapsed.completed_elements


def test_inspect_a_waiting_timer_does_not_fire_it(runtime: ProcessRuntime) -> None:
    loaded, served = _served_mini_case(runtime)
    later = datetime(2026, 5, 1, 9, 0, tzinfo=SHANGHAI)
    seen = runtime.inspect(loaded, served.state, later)
    assert [t.element_id for t in seen.timers] == ["compliance_timer"]
    assert not seen.completed


def test_timer_fires_at_exactly_its_due_instant(runtime: ProcessRuntime) -> None:
    loaded, served = _served_mini_case(runtime)
    due = served.timers[0].due_at
    snap = runtime.fire_due_timers(loaded, served.state, due)
    assert snap.fired_elements == ["compliance_timer"]
