"""Hostile scripts on both databases (issue 14, items 1 and 2): a deployed loop or power tower is
stopped within its budget as a process fault that leaves nothing written, a script raising
SystemExit after a timer does not stop the worker, and every other case's timer still fires."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine import services
from engine.bootstrap import App, build
from engine.clock import FixedClock
from engine.config import Settings
from engine.errors import ProcessFault
from engine.store.models import Case, TimerRow
from tests.conftest import fixture_bpmn
from tests.integration.conftest import DESIGNER, OFFICER

TIMER_ONLY = fixture_bpmn("timer_only.bpmn").decode()
SCRIPT_BEFORE = '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'


def with_script(key: str, script: str, *, after_timer: bool) -> bytes:
    """timer_only renamed to `key`, with a script task before or after its timer."""
    xml = TIMER_ONLY.replace('id="timer_only"', f'id="{key}"')
    task = (
        '<bpmn:scriptTask id="poison"><bpmn:incoming>fs</bpmn:incoming>'
        "<bpmn:outgoing>{out}</bpmn:outgoing>"
        f"<bpmn:script>{script}</bpmn:script></bpmn:scriptTask>"
    )
    if after_timer:
        xml = xml.replace("<bpmn:outgoing>f2</bpmn:outgoing>", "<bpmn:outgoing>fs</bpmn:outgoing>")
        xml = xml.replace(
            '<bpmn:endEvent id="end">', task.format(out="f2") + '<bpmn:endEvent id="end">'
        )
        xml = xml.replace(
            '<bpmn:sequenceFlow id="f2"',
            '<bpmn:sequenceFlow id="fs" sourceRef="wait_one_day" targetRef="poison" />'
            '<bpmn:sequenceFlow id="f2"',
        ).replace('sourceRef="wait_one_day" targetRef="end"', 'sourceRef="poison" targetRef="end"')
    else:
        xml = xml.replace(SCRIPT_BEFORE, SCRIPT_BEFORE.replace("f1", "fs") + task.format(out="f1"))
        xml = xml.replace(
            '<bpmn:sequenceFlow id="f1" sourceRef="start"',
            '<bpmn:sequenceFlow id="fs" sourceRef="start" targetRef="poison" />'
            '<bpmn:sequenceFlow id="f1" sourceRef="poison"',
        )
    return xml.encode()


@pytest.fixture
def fast_app(settings: Settings, clock: FixedClock) -> Iterator[App]:
    settings.limits.script_seconds = 0.3
    settings.limits.step_seconds = 1.0
    application = build(settings, clock)
    yield application
    application.close()


def deploy(app: App, key: str, content: bytes) -> None:
    services.deploy_process(
        app.ctx.uow(), ctx=app.ctx, files={f"{key}.bpmn": content}, actor=DESIGNER
    )


def cases(app: App) -> int:
    with app.ctx.uow() as uow:
        assert uow.session is not None
        return int(uow.session.scalar(select(func.count()).select_from(Case)) or 0)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("x = 10**10**10", "超出大小限制"),
        ("while True:\n    pass", "时间限制"),
        ("x = float('inf')", "无法保存"),
        ("x = [1, float('nan')]", "无法保存"),
    ],
)
def test_a_runaway_script_is_a_fault_within_its_budget_and_writes_nothing(
    fast_app: App, script: str, expected: str
) -> None:
    deploy(fast_app, "bomb", with_script("bomb", script, after_timer=False))
    started = time.monotonic()
    with pytest.raises(ProcessFault, match=expected):
        services.open_case(
            fast_app.ctx.uow(), ctx=fast_app.ctx, actor=OFFICER, process_key="bomb", data={}
        )
    assert time.monotonic() - started < 2.0
    assert cases(fast_app) == 0
    # The database is not left locked: another write goes through at once.
    deploy(fast_app, "timer_only", TIMER_ONLY.encode())
    services.open_case(
        fast_app.ctx.uow(), ctx=fast_app.ctx, actor=OFFICER, process_key="timer_only", data={}
    )
    assert cases(fast_app) == 1


@pytest.mark.parametrize("raised", ["SystemExit", "KeyboardInterrupt"])
def test_a_poisoned_timer_does_not_stop_the_others(
    fast_app: App, clock: FixedClock, raised: str
) -> None:
    deploy(fast_app, "poisoned", with_script("poisoned", f"raise {raised}", after_timer=True))
    deploy(fast_app, "timer_only", TIMER_ONLY.encode())
    ctx = fast_app.ctx
    services.open_case(ctx.uow(), ctx=ctx, actor=OFFICER, process_key="poisoned", data={})
    for _ in range(3):
        services.open_case(ctx.uow(), ctx=ctx, actor=OFFICER, process_key="timer_only", data={})
    clock.advance(timedelta(days=3))
    assert services.fire_due_timers(ctx) == 3  # the worker's call returns; nothing escapes
    with ctx.uow() as uow:
        assert uow.session is not None
        left = uow.session.scalars(select(TimerRow)).all()
    assert len(left) == 1  # only the poisoned case's timer waits, the others fired
    assert services.fire_due_timers(ctx) == 0  # and it does not block the next pass either
