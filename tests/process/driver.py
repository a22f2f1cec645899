"""Drive one case of the real processes through the real engine services.

Every step goes through `engine.services` (open_case, complete_task, send_message,
fire_due_timers), each of which restores the workflow from its stored JSON, runs one step and
stores it again. After every step the driver also re-reads the stored case (`get_case`) and
asserts that its ready tasks, timers and waiting messages are exactly what the step returned:
the save/restore round trip of DESIGN.md habit 8. With `deep=True` it also deserializes the
stored workflow JSON itself and checks that the restored workflow waits for the same tasks,
timers and messages.

Time only moves when a test moves the FixedClock; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from engine import services
from engine.bootstrap import App
from engine.clock import FixedClock
from engine.services import Actor
from engine.services.casework import load_spec
from engine.services.views import CaseView

SHANGHAI = timezone(timedelta(hours=8))

ACTORS = {
    "officer": Actor("officer1", ("officer",)),
    "head": Actor("head1", ("head",)),
    "legal_review": Actor("reviewer1", ("legal_review",)),
    "government": Actor("gov1", ("government",)),
    "utility": Actor("utility1", ("utility",)),
    "court": Actor("court1", ("court",)),
}
OFFICER = ACTORS["officer"]
# The head who approves steps during the investigation (evidence preservation, utility cutoff,
# sealing extension) is counted as an investigator by the segregation guard, which then forbids
# the same person to approve the decision (duty decision_approval): such tests use a deputy.
DEPUTY_HEAD = Actor("head2", ("head",))


def at(text: str) -> datetime:
    """A Shanghai wall-clock instant: at("2026-02-10 09:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def midnight(day: str) -> datetime:
    """00:00 Shanghai of `day`, i.e. 24:00 of the day before: how every deadline ends."""
    return at(f"{day} 00:00")


@dataclass
class Driver:
    app: App
    clock: FixedClock
    deep: bool = False
    case: CaseView | None = None
    stages: list[str] = field(default_factory=list)

    # ---- steps ------------------------------------------------------------------------------
    def open(self, data: Mapping[str, Any], actor: Actor = OFFICER) -> CaseView:
        case = services.open_case(
            self.app.ctx.uow(),
            ctx=self.app.ctx,
            actor=actor,
            process_key="enforcement",
            data=dict(data),
        )
        return self._stepped(case)

    def do(
        self, element_id: str, data: Mapping[str, Any] | None = None, actor: Actor | None = None
    ) -> CaseView:
        """Complete the one ready task of `element_id` (its lane's default actor)."""
        case = self.now_case
        matches = [t for t in case.tasks if t.element_id == element_id]
        ready = sorted(t.element_id for t in case.tasks)
        assert len(matches) == 1, f"{element_id} is not (uniquely) ready; ready: {ready}"
        task = matches[0]
        who = actor or ACTORS[task.lane or "officer"]
        moved = services.complete_task(
            self.app.ctx.uow(),
            ctx=self.app.ctx,
            actor=who,
            case_id=case.id,
            task_id=task.id,
            data=dict(data or {}),
            case_version=case.case_version,
        )
        return self._stepped(moved)

    def send(self, name: str, data: Mapping[str, Any] | None = None) -> CaseView:
        case = self.now_case
        assert name in case.waiting_messages, f"not waiting for {name}: {case.waiting_messages}"
        moved = services.send_message(
            self.app.ctx.uow(),
            ctx=self.app.ctx,
            actor=OFFICER,
            case_id=case.id,
            name=name,
            data=dict(data or {}),
            case_version=case.case_version,
        )
        return self._stepped(moved)

    def go(self, when: datetime) -> CaseView:
        """Move the clock to `when` and let every timer due by then fire (as the worker would)."""
        assert when >= self.clock.now(), "time only moves forward"
        self.clock.set(when)
        while services.fire_due_timers(self.app.ctx):
            pass
        return self._stepped(self._stored())

    def wait_until(self, element_id: str) -> CaseView:
        """Move the clock to the due instant of timer `element_id` and fire what is due."""
        return self.go(self.due(element_id))

    # ---- inspection -------------------------------------------------------------------------
    @property
    def now_case(self) -> CaseView:
        assert self.case is not None, "no case opened"
        return self.case

    def ready(self) -> list[str]:
        return sorted(t.element_id for t in self.now_case.tasks)

    def timers(self) -> dict[str, datetime]:
        return {t.element_id: t.due_at for t in self.now_case.timers}

    def timer(self, element_id: str) -> Any:
        found = [t for t in self.now_case.timers if t.element_id == element_id]
        assert len(found) == 1, f"timer {element_id} not waiting: {sorted(self.timers())}"
        return found[0]

    def due(self, element_id: str) -> datetime:
        due: datetime = self.timer(element_id).due_at
        return due

    def data(self) -> dict[str, Any]:
        return dict(self.now_case.data)

    def trail(self) -> list[Any]:
        return list(services.case_trail(self.app.ctx.uow(), case_id=self.now_case.id))

    def documents(self) -> list[str]:
        """Every document produced, in order, from the audit trail's task_completed events."""
        docs: list[str] = []
        for e in self.trail():
            if e.action == "task_completed":
                docs += list(e.data.get("documents") or [])
        return docs

    def completed_tasks(self) -> list[str]:
        return [e.element_id for e in self.trail() if e.action == "task_completed"]

    def fired(self) -> list[str]:
        return [e.element_id for e in self.trail() if e.action == "timer_fired"]

    def stage_path(self) -> list[str]:
        """The stages the case went through, consecutive repeats collapsed."""
        path: list[str] = []
        for s in self.stages:
            if not path or path[-1] != s:
                path.append(s)
        return path

    # ---- the round trip -----------------------------------------------------------------------
    def _stored(self) -> CaseView:
        return services.get_case(self.app.ctx.uow(), case_id=self.now_case.id)

    def _stepped(self, case: CaseView) -> CaseView:
        self.case = case
        stored = services.get_case(self.app.ctx.uow(), case_id=case.id)
        assert _tasks(stored) == _tasks(case), "ready tasks differ after save/restore"
        assert _timers(stored) == _timers(case), "timers differ after save/restore"
        assert stored.waiting_messages == case.waiting_messages
        assert (stored.status, stored.stage, stored.case_version) == (
            case.status,
            case.stage,
            case.case_version,
        )
        if self.deep:
            self._restore_check(case)
        self.stages.append(case.stage)
        return case

    def _restore_check(self, case: CaseView) -> None:
        """Deserialize the stored workflow JSON and derive its snapshot again: it must wait for
        exactly what the step reported (costly, so only the `deep_drv` tests do it)."""
        ctx = self.app.ctx
        with ctx.uow(read_only=True) as uow:
            row = uow.cases.get(case.id)
            assert row is not None
            snap = ctx.runtime.inspect(
                load_spec(ctx, uow, row.process_version_id), row.state, self.clock.now()
            )
        # (a set: the runtime lists a task inside a call activity once per enclosing workflow)
        assert {(t.task_id, t.element_id) for t in snap.ready_tasks} == {
            (t.id, t.element_id) for t in case.tasks
        }, "restored workflow has other ready tasks"
        assert sorted((t.task_id, t.element_id, t.due_at) for t in snap.timers) == sorted(
            (t.id, t.element_id, t.due_at) for t in case.timers
        ), "restored workflow has other timers"
        assert snap.waiting_messages == case.waiting_messages
        assert snap.completed == (case.status == "closed")


def _tasks(case: CaseView) -> list[tuple[str, str, str | None, str | None]]:
    return sorted((t.id, t.element_id, t.lane, t.form_key) for t in case.tasks)


def _timers(case: CaseView) -> list[tuple[str, str, datetime, str | None, str | None]]:
    return sorted((t.id, t.element_id, t.due_at, t.period, t.basis) for t in case.timers)
