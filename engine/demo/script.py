"""Scripted cases of the real `enforcement` process: what a legal officer enters at each step.

`qingwei demo` (engine/demo/run.py) drives `forced_demolition_path()` with a fixed clock that
steps across every deadline; `serve --demo` (engine/demo/seed.py) drives shorter scripts at the
demo clock's own instant. The data is the data of the process tests' main path
(tests/process/test_main_path.py); engine code does not import tests, so it is written out here.

Every step goes through `engine.services`, as an HTTP request or the timer worker would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from engine import services
from engine.calendar import TZ
from engine.clock import FixedClock
from engine.errors import GuardRefused, QingweiError
from engine.services.context import Actor, EngineContext
from engine.services.views import AuditEventView, CaseView, TaskView

PROCESS_KEY = "enforcement"

# Who acts in each lane: the demo users of API.md (engine/demo/seed.py creates their accounts).
ACTORS: dict[str, Actor] = {
    "officer": Actor("officer1", ("officer",)),
    "legal_review": Actor("reviewer1", ("legal_review",)),
    "head": Actor("head1", ("head",)),
    "government": Actor("gov1", ("government",)),
    "utility": Actor("utility1", ("utility",)),
}

STAGE_NAMES: dict[str, str] = {
    "intake": "线索受理",
    "investigation": "调查取证",
    "legal_review": "法制审核",
    "notice": "事先告知",
    "hearing": "听证",
    "decision": "处罚决定",
    "service": "送达",
    "compliance_period": "履行期限",
    "remedy_period": "复议诉讼期限",
    "demand": "催告",
    "enforcement_decision": "强制执行决定",
    "public_notice": "强制拆除公告",
    "forced_demolition": "强制拆除",
    "confiscation": "没收",
    "deferred": "中止执行",
    "litigation": "复议诉讼",
    "closed": "结案",
    "reinspection": "回头看",
}

# The legal basis of each step, after PROCEDURE.md §2-§6: a fallback for an event that carries
# none (the case opening; a process version deployed before tasks declared their basis).
STEP_BASIS: dict[str, str] = {
    "case_opened": "PROCEDURE §2.1",
    "onsite_stop": "URPL Art. 64, 68",
    "sealing_approval": "ACL Art. 18, 24",
    "sealing_execution": "ACL Art. 24, 25",
    "lead_check": "住房和城乡建设行政处罚程序规定",
    "filing_approval": "APL Art. 54",
    "investigation": "APL Art. 42, 47, 55",
    "stop_order": "URPL Art. 64; APL Art. 28",
    "investigation_report": "URPL Art. 64",
    "legal_review": "APL Art. 58",
    "advance_notice": "APL Art. 44",
    "serve_document": "APL Art. 61; CPL Art. 87-95",
    "party_response": "APL Art. 45, 64",
    "demolition_decision": "URPL Art. 64; APL Art. 59",
    "demand": "ACL Art. 35",
    "government_order": "URPL Art. 68",
    "enforcement_decision": "ACL Art. 37",
    "public_notice": "ACL Art. 44",
    "forced_demolition": "ACL Art. 44; URPL Art. 68",
    "closure": "PROCEDURE §2.17",
    "close_out": "PROCEDURE §2.17",
    "reinspection": "PROCEDURE §2.17 (policy 30 CD)",
}


def at(text: str) -> datetime:
    """A Shanghai wall-clock instant: at("2026-02-10 09:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


# ---- steps ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Open:
    """An officer files the lead: the case starts."""

    data: Mapping[str, Any]
    at: datetime | None = None


@dataclass(frozen=True)
class Do:
    """Complete the one ready task `element` (by its lane's demo user unless `role` says)."""

    element: str
    data: Mapping[str, Any]
    at: datetime | None = None
    role: str | None = None


@dataclass(frozen=True)
class Send:
    """An officer records what the party did (a BPMN message)."""

    name: str
    data: Mapping[str, Any] = field(default_factory=dict)
    at: datetime | None = None


@dataclass(frozen=True)
class Wait:
    """Move the clock to `at` and fire every timer due by then, as the worker would; exactly
    the timers `fires` must fire."""

    at: datetime
    fires: tuple[str, ...]


@dataclass(frozen=True)
class Refuse:
    """Try to complete `element`; a legal guard must refuse it with `article`."""

    element: str
    data: Mapping[str, Any]
    article: str
    at: datetime | None = None


Step = Open | Do | Send | Wait | Refuse


# ---- the data of each step (tests/process/paths.py) -----------------------------------------
INTAKE: dict[str, Any] = {
    "address": "朝阳区望京街道某小区3号楼顶",
    "district": "朝阳区",
    "source": "hotline",
    "description": "楼顶加盖彩钢板房 Rooftop steel shed",
    "area_m2": 45.0,
    "use_type": "business",
    "construction_ongoing": False,
    "party_known": True,
    "party_name": "张某",
    "party_phone": "13800000000",
    "location": {"lat": 39.99, "lon": 116.47},
    "legal_basis": "URPL64",
}
INVESTIGATION: dict[str, Any] = {
    "officers": ["officer1", "officer2"],
    "certificates_shown": True,
    "av_recorded": True,
    "site_record_done": True,
    "interview_record_done": True,
    "evidence_preservation": False,
    "findings": "未取得建设工程规划许可证",
}
LEAD_CHECK: dict[str, Any] = {"check_result": "file", "check_summary": "属实"}
FILING: dict[str, Any] = {"filing_approved": True, "case_cause": "未批先建"}
LEGAL_REVIEW: dict[str, Any] = {"review_passed": True, "opinion": "事实清楚，依据正确"}
RIGHTS_WAIVED: dict[str, Any] = {
    "statement_made": False,
    "hearing_requested": False,
    "rights_waived": True,
}


def stop_order(day: str) -> dict[str, Any]:
    return {"stop_order_issued_on": day, "order_kind": "both", "utility_cutoff": False}


def report(classification: str = "not_correctable", cost: float = 200000) -> dict[str, Any]:
    return {
        "classification": classification,
        "construction_cost": cost,
        "major_case": False,
        "facts": "违法建设事实清楚",
    }


def advance_notice(day: str, fine: float = 0) -> dict[str, Any]:
    return {
        "intended_penalty": "限期拆除",
        "intended_fine_amount": fine,
        "facts_and_reasons": "未取得规划许可",
        "rights_stated": True,
        "notice_issued_on": day,
    }


def served(day: str, recipient: str = "张某") -> dict[str, Any]:
    """Direct service, signed for by the party (CPL Art. 87)."""
    return {
        "service_method": "direct",
        "served_at": day,
        "recipient": recipient,
        "signed_by": "party",
    }


def decision(day: str, days: int = 10) -> dict[str, Any]:
    return {
        "facts_and_evidence": "未经许可加盖",
        "penalty": "限期拆除",
        "legal_basis_text": "《城乡规划法》第六十四条",
        "remedy_rights_stated": True,
        "review_body": "区人民政府",
        "review_period": "60日",
        "lawsuit_court": "区人民法院",
        "lawsuit_period": "6个月",
        "decided_on": day,
        "compliance_days": days,
        "fine_amount": 0,
    }


def demand(day: str) -> dict[str, Any]:
    return {
        "demand_issued_on": day,
        "performance_deadline_text": "十个工作日内",
        "performance_method": "自行拆除",
        "statement_rights_stated": True,
    }


def government_order(day: str) -> dict[str, Any]:
    return {
        "government_ordered_now": True,
        "order_no": "某政责〔2026〕1号",
        "ordered_on": day,
        "responsible_department": "区城管执法局",
    }


def enforcement_decision(day: str) -> dict[str, Any]:
    return {
        "decided_on": day,
        "reasons": "逾期不拆除",
        "basis": "《行政强制法》第三十七条",
        "method": "强制拆除",
        "remedies_stated": True,
        "demand_statement_rechecked": True,
        "defer": False,
    }


def public_notice(day: str) -> dict[str, Any]:
    """ACL Art. 44: the party gets the notice period (10 CD) to demolish; the planned date
    comes after it, the belongings deadline after the notice day and before the demolition."""
    notice = date.fromisoformat(day)
    return {
        "public_notice_at": day,
        "demolition_date": (notice + timedelta(days=20)).isoformat(),
        "belongings_deadline": (notice + timedelta(days=10)).isoformat(),
        "posted_at_site": True,
    }


def forced_demolition(instant: str) -> dict[str, Any]:
    return {
        "demolition_at": instant,
        "notified_in_writing": True,
        "party_present": False,
        "witness_or_notary": True,
        "witness_name": "公证员王某",
        "inventory_done": True,
        "record_made": True,
        "emergency": False,
        "demolished_area_m2": 45.0,
    }


CLOSURE: dict[str, Any] = {
    "closing_summary": "已办结",
    "credit_recorded": True,
    "demolished_area_m2": 45.0,
}


def close_out(day: str) -> dict[str, Any]:
    return {"ledger_closed_out": True, "closed_out_on": day}


def reinspection(day: str) -> dict[str, Any]:
    return {"inspected_on": day, "rebuilt_found": False}


# ---- scripts ------------------------------------------------------------------------------------
def forced_demolition_path() -> list[Step]:
    """The whole forced-demolition path of PROCEDURE.md §2, as tests/process/test_main_path.py
    drives it. 2026 calendar: Spring Festival Sun 02-15 .. Mon 02-23 (make-up working days Sat
    02-14 and 02-28), Qingming Sat 04-04 .. Mon 04-06, Mid-Autumn Fri 09-25 .. Sun 09-27. A
    deadline ends at 24:00 of its last day (the timer is due at 00:00 of the next day)."""
    return [
        Open(INTAKE, at=at("2026-02-10 09:00")),  # Tue, a working day
        Do("lead_check", LEAD_CHECK, at=at("2026-02-10 09:30")),
        # Filed Tue 02-10: decision within 90 CD -> Mon 05-11 -> due 05-12 00:00 (APL Art. 60).
        Do("filing_approval", FILING, at=at("2026-02-10 10:00")),
        Do("investigation", INVESTIGATION, at=at("2026-02-10 14:00")),
        Do("stop_order", stop_order("2026-02-10"), at=at("2026-02-10 15:00")),
        Do("investigation_report", report(), at=at("2026-02-10 16:00")),
        Do("legal_review", LEGAL_REVIEW, at=at("2026-02-10 16:30")),
        Do("advance_notice", advance_notice("2026-02-10"), at=at("2026-02-10 17:00")),
        # Served Tue 02-10: hearing request 5 WD (11, 12, 13, Sat 14 make-up, [15..23 Spring
        # Festival], Tue 24) -> due 02-25 00:00 (APL Art. 64). The party says nothing; the
        # statement period (3 WD: 11, 12, 13, long over) lapses with it.
        Do("serve_document", served("2026-02-10"), at=at("2026-02-10 17:30")),
        Wait(at("2026-02-25 00:00"), fires=("hearing_request_window", "statement_period")),
        Do("demolition_decision", decision("2026-02-25", days=10), at=at("2026-02-25 09:00")),
        # Served Wed 02-25: 10 CD -> Sat 03-07, a rest day -> Mon 03-09 -> due 03-10 00:00.
        Do("serve_document", served("2026-02-25"), at=at("2026-02-25 10:00")),
        Wait(at("2026-03-10 00:00"), fires=("compliance_deadline",)),
        Do("demand", demand("2026-03-10"), at=at("2026-03-10 09:00")),
        # Served Tue 03-10: 10 WD (11, 12, 13, 16 .. 20, 23, 24) -> due 03-25 00:00 (ACL Art. 35).
        Do("serve_document", served("2026-03-10"), at=at("2026-03-10 10:00")),
        Wait(at("2026-03-25 00:00"), fires=("demand_period",)),
        # URPL Art. 68: the county government orders the demolition (责成).
        Do("government_order", government_order("2026-03-25"), at=at("2026-03-25 08:30")),
        Do("enforcement_decision", enforcement_decision("2026-03-25"), at=at("2026-03-25 09:00")),
        Do("serve_document", served("2026-03-25"), at=at("2026-03-25 10:00")),
        # Posted Wed 03-25: 10 CD -> Sat 04-04, Qingming to Mon 04-06 -> Tue 04-07 -> due 04-08.
        Do("public_notice", public_notice("2026-03-25"), at=at("2026-03-25 11:00")),
        Wait(at("2026-04-08 00:00"), fires=("public_notice_period",)),
        # From service Wed 02-25: review 60 CD -> Sun 04-26 -> Mon 04-27 -> due 04-28 00:00
        # (ARL Art. 20); lawsuit 6 M -> Tue 08-25 -> due 08-26 00:00 (ALL Art. 46).
        Wait(at("2026-04-28 00:00"), fires=("review_window",)),
        Wait(at("2026-08-26 00:00"), fires=("lawsuit_window_6m",)),
        # Every window has lapsed, but 05:30 is night (22:00-06:00): refused (ACL Art. 43(1)).
        Refuse(
            "forced_demolition",
            forced_demolition("2026-08-26T05:30:00+08:00"),
            article="ACL Art. 43(1)",
            at=at("2026-08-26 05:30"),
        ),
        Do(
            "forced_demolition",
            forced_demolition("2026-08-26T09:30:00+08:00"),
            at=at("2026-08-26 09:30"),
        ),
        Do("closure", CLOSURE, at=at("2026-08-26 16:00")),
        # Re-inspection 30 CD from Wed 08-26 -> Fri 09-25, Mid-Autumn to Sun 09-27 -> Mon 09-28
        # -> due 09-29 00:00.
        Do("close_out", close_out("2026-08-26"), at=at("2026-08-26 16:30")),
        Wait(at("2026-09-29 00:00"), fires=("reinspection_due",)),
        Do("reinspection", reinspection("2026-09-29"), at=at("2026-09-29 09:30")),
    ]


def to_investigation(intake: Mapping[str, Any]) -> list[Step]:
    """Lead checked and filed: the investigation task is next."""
    return [Open(intake), Do("lead_check", LEAD_CHECK), Do("filing_approval", FILING)]


def to_legal_review(intake: Mapping[str, Any], day: str) -> list[Step]:
    """Investigated, stop order issued, report written: the legal review is next."""
    return [
        *to_investigation(intake),
        Do("investigation", INVESTIGATION),
        Do("stop_order", stop_order(day)),
        Do("investigation_report", report()),
    ]


def to_compliance_period(
    intake: Mapping[str, Any], day: str, days: int = 15, lawsuit_period: str = "6个月"
) -> list[Step]:
    """Reviewed, noticed (the party waives statement and hearing in writing), decided and
    served on `day`: the party's period runs. A land-law 限期拆除 states 15 days to sue (LAL
    Art. 83)."""
    recipient = str(intake.get("party_name") or "当事人")
    return [
        *to_legal_review(intake, day),
        Do("legal_review", LEGAL_REVIEW),
        Do("advance_notice", advance_notice(day)),
        Do("serve_document", served(day, recipient)),
        Do("party_response", RIGHTS_WAIVED),
        Do("demolition_decision", {**decision(day, days=days), "lawsuit_period": lawsuit_period}),
        Do("serve_document", served(day, recipient)),
    ]


def to_confiscation(
    intake: Mapping[str, Any], day: str, items: str, fine: float, cost: float
) -> list[Step]:
    """The building cannot be demolished without endangering its neighbours (URPL Art. 64):
    appraised, the government approves its confiscation, the penalty decision (没收实物并处罚款)
    is served on `day`; the fine's 15 days and the remedy windows run."""
    recipient = str(intake.get("party_name") or "当事人")
    return [
        *to_investigation(intake),
        Do("investigation", INVESTIGATION),
        Do("stop_order", stop_order(day)),
        Do("investigation_report", report("cannot_demolish", cost=cost)),
        Do(
            "safety_appraisal",
            {
                "safety_appraisal_done": True,
                "appraisal_unit": "市房屋安全鉴定所",
                "appraisal_date": day,
                "conclusion": "拆除将危及相邻建筑",
                "announced": True,
            },
        ),
        Do("confiscation_approval", {"confiscation_approved": True, "confiscated_items": items}),
        Do("legal_review", LEGAL_REVIEW),
        Do("advance_notice", {**advance_notice(day, fine), "intended_penalty": "没收实物并处罚款"}),
        Do("serve_document", served(day, recipient)),
        Do("party_response", RIGHTS_WAIVED),
        Do(
            "penalty_decision",
            {
                **decision(day, days=30),
                "penalty": "没收实物并处罚款",
                "fine_amount": fine,
                "confiscated_items": items,
            },
        ),
        Do("serve_document", served(day, recipient)),
    ]


# ---- running a script ---------------------------------------------------------------------------
class ScriptFailed(Exception):
    """A scripted step did not go as written."""

    def __init__(self, step: Step, message: str) -> None:
        self.step = step
        super().__init__(f"{describe(step)}: {message}")


def describe(step: Step) -> str:
    when = f" at {step.at.astimezone(TZ):%Y-%m-%d %H:%M}" if step.at else ""
    match step:
        case Open():
            return f"open a case{when}"
        case Do() | Refuse():
            return f"task {step.element}{when}"
        case Send():
            return f"message {step.name}{when}"
        case Wait():
            return f"clock to{when}"
    raise AssertionError(step)  # pragma: no cover


@dataclass(frozen=True)
class Outcome:
    """What one step did: the instant, the case before and after, and the audit events it
    wrote (a refusal writes one `guard_refused` event and leaves the case as it was)."""

    step: Step
    at: datetime
    before: CaseView | None
    case: CaseView
    events: list[AuditEventView]
    task: TaskView | None = None
    refusal: GuardRefused | None = None


class CaseRunner:
    """Drives one case through a script. With a `clock`, steps that name an instant move it
    there first and fire what fell due on the way; without one, steps run at the context's
    clock and must not name an instant (the demo server's seeding)."""

    def __init__(
        self,
        ctx: EngineContext,
        *,
        clock: FixedClock | None = None,
        process_key: str = PROCESS_KEY,
    ) -> None:
        self.ctx = ctx
        self.clock = clock
        self.process_key = process_key
        self.case: CaseView | None = None
        self.stages: list[str] = []
        self._seq = 0

    def run_all(
        self, steps: Sequence[Step], on_step: Callable[[Outcome], None] | None = None
    ) -> list[Outcome]:
        outcomes = []
        for step in steps:
            outcome = self.run(step)
            outcomes.append(outcome)
            if on_step is not None:
                on_step(outcome)
        return outcomes

    def run(self, step: Step) -> Outcome:
        before = self.case
        if not isinstance(step, Open) and before is None:
            raise ScriptFailed(step, "no case has been opened yet")
        try:
            self._move(step)
            now = self.ctx.clock.now()
            task: TaskView | None = None
            refusal: GuardRefused | None = None
            match step:
                case Open():
                    if before is not None:
                        raise ScriptFailed(step, "a runner drives one case")
                    case = services.open_case(
                        self.ctx.uow(),
                        ctx=self.ctx,
                        actor=ACTORS["officer"],
                        process_key=self.process_key,
                        data=dict(step.data),
                    )
                case Do():
                    task = self._ready(step, step.element)
                    case = self._complete(step, task, step.data, step.role)
                case Refuse():
                    task = self._ready(step, step.element)
                    refusal, case = self._refused(step, task)
                case Send():
                    case = services.send_message(
                        self.ctx.uow(),
                        ctx=self.ctx,
                        actor=ACTORS["officer"],
                        case_id=self._current(step).id,
                        name=step.name,
                        data=dict(step.data),
                        case_version=self._current(step).case_version,
                    )
                case Wait():
                    case = self._stored(step)
        except QingweiError as exc:
            raise ScriptFailed(step, f"{type(exc).__name__}: {exc}") from exc
        self.case = case
        events = self._new_events(case.id)
        if isinstance(step, Wait):
            fired = tuple(e.element_id for e in events if e.action == "timer_fired")
            if fired != step.fires:
                raise ScriptFailed(step, f"expected {list(step.fires)} to fire, not {list(fired)}")
        self.stages.append(case.stage)
        return Outcome(step, now, before, case, events, task, refusal)

    def stage_path(self) -> list[str]:
        """The stages the case went through, consecutive repeats collapsed."""
        path: list[str] = []
        for s in self.stages:
            if not path or path[-1] != s:
                path.append(s)
        return path

    # ---- helpers ----------------------------------------------------------------------------
    def _move(self, step: Step) -> None:
        if step.at is None:
            return
        if self.clock is None:
            raise ScriptFailed(step, "this runner has no settable clock")
        if step.at < self.clock.now():
            raise ScriptFailed(step, f"time only moves forward (now {self.clock.now()})")
        self.clock.set(step.at)
        if self.case is not None:
            while services.fire_due_timers(self.ctx):
                pass

    def _current(self, step: Step) -> CaseView:
        if self.case is None:
            raise ScriptFailed(step, "no case has been opened yet")
        return self.case

    def _stored(self, step: Step) -> CaseView:
        return services.get_case(self.ctx.uow(), case_id=self._current(step).id)

    def _ready(self, step: Step, element: str) -> TaskView:
        case = self._stored(step)
        self.case = case
        matches = [t for t in case.tasks if t.element_id == element]
        if len(matches) != 1:
            ready = sorted(t.element_id for t in case.tasks) or ["none"]
            raise ScriptFailed(step, f"not ready; ready now: {', '.join(ready)}")
        return matches[0]

    def _complete(
        self, step: Step, task: TaskView, data: Mapping[str, Any], role: str | None
    ) -> CaseView:
        case = self._current(step)
        return services.complete_task(
            self.ctx.uow(),
            ctx=self.ctx,
            actor=ACTORS[role or task.lane or "officer"],
            case_id=case.id,
            task_id=task.id,
            data=dict(data),
            case_version=case.case_version,
        )

    def _refused(self, step: Refuse, task: TaskView) -> tuple[GuardRefused, CaseView]:
        before = self._current(step)
        try:
            self._complete(step, task, step.data, None)
        except GuardRefused as exc:
            if exc.article != step.article:
                raise ScriptFailed(step, f"refused by {exc.article}, not {step.article}") from exc
            after = self._stored(step)
            if after.case_version != before.case_version or after.tasks != before.tasks:
                raise ScriptFailed(step, "the refusal changed the case") from exc
            return exc, after
        raise ScriptFailed(step, f"completed; {step.article} should have refused it")

    def _new_events(self, case_id: int) -> list[AuditEventView]:
        trail = services.case_trail(self.ctx.uow(read_only=True), case_id=case_id)
        new = [e for e in trail if e.seq > self._seq]
        if trail:
            self._seq = trail[-1].seq
        return new
