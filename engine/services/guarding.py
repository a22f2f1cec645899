"""Apply the legal guards (engine/guards.py) to a task completion, whatever the BPMN says.

Guards are keyed on what the law cares about, not on how a diagram is drawn: the stage of the
task (`forced_demolition` is coercive execution), the data submitted (`utility_cutoff`,
`fine_amount`), and the lane or duty of the person acting (legal review, hearing chair). A refusal
is audited in its own transaction and the case is otherwise left exactly as it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from engine import audit, guards
from engine.calendar import TZ, parse_instant
from engine.errors import DutyConflict, GuardRefused
from engine.runtime import ElementInfo
from engine.services.context import Actor, EngineContext
from engine.store.models import AuditEvent, Case
from engine.store.uow import UnitOfWork

COERCIVE_STAGES = frozenset({"forced_demolition"})
# Steps that start coercion besides the forced demolition itself (API.md, holiday calendar): a
# BPMN element may also declare itself with the property coercive="true".
COERCIVE_ELEMENTS = frozenset(
    {"utility_cutoff_execution", "confiscation_handover", "court_application"}
)
REMEDY_FILED = {"review_filed": "review", "lawsuit_filed": "lawsuit"}
FINAL = frozenset({"upheld", "revoked", "changed"})


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return parse_instant(value).date()
    except (TypeError, ValueError):
        return None


def _pending_remedies(events: Sequence[AuditEvent]) -> tuple[bool, bool]:
    """(review pending, lawsuit pending): filed and no final result recorded after it."""
    pending = {"review": False, "lawsuit": False}
    for e in events:
        if e.action != "message_received":
            continue
        name = e.data.get("message")
        if name in REMEDY_FILED:
            pending[REMEDY_FILED[name]] = True
        elif name == "remedy_result" and e.data.get("payload", {}).get("outcome") in FINAL:
            # Only a final result (API.md: upheld, revoked, changed) ends the wait.
            pending = {"review": False, "lawsuit": False}
    return pending["review"], pending["lawsuit"]


def remedy_intervals(events: Sequence[AuditEvent]) -> list[tuple[date, date | None]]:
    """The periods of review or litigation recorded on the case: from the filing (its
    `filed_on`, else the day it was recorded) to the final result (its `received_on`, else the
    day it was recorded); None while still pending."""
    intervals: list[tuple[date, date | None]] = []
    start: date | None = None
    for e in events:
        if e.action != "message_received":
            continue
        name = e.data.get("message")
        payload = e.data.get("payload") or {}
        if name in REMEDY_FILED and start is None:
            start = _date(payload.get("filed_on")) or parse_instant(e.at).date()
        elif name == "remedy_result" and payload.get("outcome") in FINAL and start is not None:
            end = _date(payload.get("received_on")) or parse_instant(e.at).date()
            intervals.append((start, end))
            start = None
    if start is not None:
        intervals.append((start, None))
    return intervals


def fine_paid_facts(
    uow: UnitOfWork, case: Case, payload: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """What the engine adds to a `fine_paid` payload: APL Art. 73(3) counts no surcharge while
    a review or lawsuit against the decision is pending, so the days of such a period after
    the due date and up to the payment (`remedy_days`) are handed to the settlement."""
    due = _date(case.data.get("fine_due_on"))
    paid = _date(payload.get("paid_on")) or now.astimezone(TZ).date()
    if due is None or paid <= due:
        return {}
    days = guards.surcharge_pause(remedy_intervals(uow.audit.chain(case.id)), due=due, paid=paid)
    return {"remedy_days": days} if days else {}


def _last_result(events: Sequence[AuditEvent]) -> tuple[str | None, date | None]:
    """(kind, received on) of the latest remedy result not followed by a new filing."""
    kind: str | None = None
    received: date | None = None
    for e in events:
        if e.action != "message_received":
            continue
        name = e.data.get("message")
        if name in REMEDY_FILED:
            kind, received = None, None
        elif name == "remedy_result":
            payload = e.data.get("payload") or {}
            kind = payload.get("kind") if isinstance(payload.get("kind"), str) else None
            received = _date(payload.get("received_on")) or parse_instant(e.at).date()
    return kind, received


def _investigators(events: Sequence[AuditEvent]) -> set[str]:
    """Officers who did investigation-stage work (a head approving a step of the
    investigation, e.g. evidence preservation, does not become an investigator)."""
    return {
        e.actor
        for e in events
        if e.action == "task_completed"
        and e.data.get("stage") == "investigation"
        and e.data.get("lane", "officer") == "officer"
    }


def _named_investigators(uow: UnitOfWork, data: Mapping[str, Any], actor: Actor) -> set[str]:
    """The actor, when the investigation record's `officers` names them (by user name or by
    full name): someone who was on site investigates the case even if a colleague submitted
    the task (issue 14: the check saw only who submitted)."""
    named = data.get("officers")
    if not isinstance(named, list):
        return set()
    names = {str(n).strip() for n in named if isinstance(n, str) and n.strip()}
    if actor.username in names:
        return {actor.username}
    user = uow.users.by_username(actor.username)
    full = user.full_name.strip() if user is not None and user.full_name else ""
    return {actor.username} if full and full in names else set()


def _duty(task: Any, info: ElementInfo | None) -> str | None:
    declared = info.properties.get("duty") if info else None
    if declared:
        return declared
    if task.lane == "legal_review":
        return "legal_review"
    if task.stage == "hearing" and task.lane in ("legal_review", "head"):
        return "hearing_chair"
    return None


def _is_coercive(task: Any, info: ElementInfo | None) -> bool:
    declared = (info.properties.get("coercive") if info else None) or ""
    return (
        task.stage in COERCIVE_STAGES
        or task.element_id in COERCIVE_ELEMENTS
        or declared.strip().lower() == "true"
    )


def _facts(merged: Mapping[str, Any], at: datetime, ctx: EngineContext) -> guards.ExecutionFacts:
    legal = ctx.settings.legal
    legal_basis = str(merged.get("legal_basis") or "URPL64")
    return guards.ExecutionFacts(
        at=at,
        decision_served_at=_date(merged.get("decision_served_at")),
        remedy_rights_stated=merged.get("remedy_rights_stated") is not False,
        review_pending=False,
        lawsuit_pending=False,
        demand_served_at=_date(merged.get("demand_served_at")),
        public_notice_at=_date(merged.get("public_notice_at")),
        safety_appraisal_required=bool(merged.get("safety_appraisal_required")),
        safety_appraisal_done=bool(merged.get("safety_appraisal_done")),
        legal_basis=legal_basis if legal_basis in guards.LEGAL_BASES else "URPL64",
        public_notice_period=legal.public_notice_period,
        demand_period=legal.demand_period,
        demolition_order=merged.get("classification") != "cannot_demolish",
    )


def _provisional_party_deadlines(
    uow: UnitOfWork,
    ctx: EngineContext,
    case: Case,
    events: Sequence[AuditEvent],
    merged: Mapping[str, Any],
    at: datetime,
    *,
    windows: bool,
) -> list[guards.PartyDeadline]:
    """Every party deadline this case's coercion rests on that is provisional now: the
    statutory windows (from the case data), the party's timers still waiting, and those that
    already lapsed on a year still without an official schedule."""
    cal = ctx.runtime.calendar
    found: list[guards.PartyDeadline] = []
    if windows:
        found += guards.party_windows(_facts(merged, at, ctx), cal)
    for t in uow.timers.for_case(case.id):
        if t.holder == "party" and t.provisional:
            years = tuple(y for y in _years(t.provisional_years) if cal.is_provisional(y))
            found.append(guards.PartyDeadline(t.name, t.name, t.basis or "CPL Art. 85", years))
    for e in events:
        if e.action == "timer_fired" and e.data.get("holder") == "party":
            years = tuple(
                int(y) for y in e.data.get("provisional_years") or () if cal.is_provisional(int(y))
            )
            name = str(e.data.get("timer") or e.element_id)
            found.append(guards.PartyDeadline(name, name, e.basis or "CPL Art. 85", years))
    return found


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _head_approved(uow: UnitOfWork, approver: Any, actor: Actor) -> bool:
    """An emergency override needs a named, active head of the agency other than the officer
    recording it (ACL Art. 18(1) applied to the exception of Art. 43(1))."""
    if not isinstance(approver, str) or not approver.strip() or approver == actor.username:
        return False
    user = uow.users.by_username(approver.strip())
    return user is not None and bool(user.active) and "head" in (user.roles or [])


def _years(text: str | None) -> tuple[int, ...]:
    return tuple(int(y) for y in text.split(",") if y) if text else ()


def refusal_for_completion(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    case: Case,
    task: Any,
    info: ElementInfo | None,
    data: Mapping[str, Any],
    actor: Actor,
    now: datetime,
) -> guards.Refusal | None:
    """The first legal guard that forbids this completion, or None."""
    cal = ctx.runtime.calendar
    merged = {**case.data, **dict(data)}
    events: Sequence[AuditEvent] | None = None

    def trail() -> Sequence[AuditEvent]:
        nonlocal events
        if events is None:
            events = uow.audit.chain(case.id)
        return events

    duty = _duty(task, info)
    if duty is not None:
        refusal = guards.segregation_guard(
            actor=actor.username,
            investigators=_investigators(trail()) | _named_investigators(uow, merged, actor),
            duty=duty,
        )
        if refusal is not None:
            return refusal

    if data.get("utility_cutoff") is True:
        # The approval is checked when the utility acts on the letter; the officer's request
        # (which comes before the head's approval) is checked for use and basis only.
        approved = merged.get("head_approved") if task.lane == "utility" else True
        kinds = merged.get("utility_types")
        refusal = guards.utility_cutoff_guard(
            use_type=merged.get("use_type"),
            cutoff_basis=merged.get("cutoff_basis"),
            head_approved=approved,
            utilities=[str(k) for k in kinds] if isinstance(kinds, list) else None,
            halt_decision_refused=merged.get("halt_decision_refused"),
        )
        if refusal is not None:
            return refusal

    legal = ctx.settings.legal
    if data.get("extend_sealing") is True and data.get("notified_in_writing") is not True:
        # ACL Art. 25: "延长查封、扣押的决定应当及时书面告知当事人，并说明理由".
        return guards.Refusal(
            "ACL Art. 25",
            "sealing",
            "延长查封须书面告知当事人并说明理由 / an extension must be notified to the party "
            "in writing with its reason",
        )

    if data.get("terminate") is True and not (
        data.get("no_obvious_social_harm") is True and data.get("party_unable_to_perform") is True
    ):
        return guards.Refusal(
            "ACL Art. 39",
            "termination",
            "中止满三年终结执行，须无明显社会危害且当事人确无能力履行"
            " / after three years deferred, enforcement ends only without obvious social harm "
            "and with a party truly unable to perform",
        )

    if task.stage == "public_notice" and "public_notice_at" in data:
        refusal = guards.public_notice_guard(
            notice_at=_date(merged.get("public_notice_at")),
            demolition_date=_date(merged.get("demolition_date")),
            belongings_deadline=_date(merged.get("belongings_deadline")),
            period=legal.public_notice_period,
            cal=cal,
        )
        if refusal is not None:
            return refusal

    if task.stage == "enforcement_decision" and "remedies_stated" in data:
        refusal = guards.enforcement_decision_guard(
            remedies_stated=data.get("remedies_stated"), defer=data.get("defer")
        )
        if refusal is not None:
            return refusal

    if isinstance(data.get("fine_amount"), int | float) and not isinstance(
        data.get("fine_amount"), bool
    ):
        legal_basis = str(merged.get("legal_basis") or "URPL64")
        refusal = guards.fine_guard(
            legal_basis=legal_basis,
            classification=merged.get("classification"),
            fine_amount=float(data["fine_amount"]),
            construction_cost=_number(merged.get("construction_cost")),
            area_m2=_number(merged.get("area_m2")),
        )
        if refusal is not None:
            return refusal

    if "confiscation_object" in data or "illegal_income_amount" in data:
        # The decision chooses what a building that cannot be demolished loses (URPL Art. 64).
        refusal = guards.confiscation_object_guard(
            classification=merged.get("classification"),
            confiscation_object=data.get("confiscation_object"),
            illegal_income_amount=data.get("illegal_income_amount"),
        )
        if refusal is not None:
            return refusal

    if "defer" in data and data.get("defer") is not True:
        # 浙江 Art. 20: the enforcement decision itself must defer the demolition.
        refusal = guards.housing_guarantee_guard(
            required=legal.housing_guarantee_required,
            hardship=merged.get("housing_hardship"),
            secured=merged.get("housing_secured"),
        )
        if refusal is not None:
            return refusal

    if "facts_and_evidence" in data:
        refusal = guards.limitation_guard(
            discovered_on=_date(merged.get("received_on")),
            ended_on=_date(merged.get("construction_completed_on")),
            continuing=merged.get("violation_continuing"),
            life_safety=merged.get("life_safety_harm"),
        )
        if refusal is not None:
            return refusal
        refusal = guards.same_act_guard(
            revoked=merged.get("revoked_decision"),
            facts=data.get("facts_and_evidence"),
            basis_text=merged.get("legal_basis_text"),
            penalty=merged.get("penalty"),
        )
        if refusal is not None:
            return refusal

    if "fine_amount" in data and data.get("fine_amount") is not None:
        refusal = guards.no_heavier_penalty_guard(
            intended_fine_amount=merged.get("intended_fine_amount"),
            fine_amount=float(data["fine_amount"]),
            statement_made=bool(merged.get("statement_made") or merged.get("hearing_requested")),
        )
        if refusal is not None:
            return refusal

    if _is_coercive(task, info):
        at_value = data.get("demolition_at") or merged.get("demolition_at")
        at = parse_instant(at_value) if at_value else now
        deadlines = _provisional_party_deadlines(
            uow,
            ctx,
            case,
            trail(),
            merged,
            at,
            windows=task.stage in COERCIVE_STAGES or task.element_id == "court_application",
        )
        refusal = guards.provisional_deadline_guard(deadlines, at=at, cal=cal)
        if refusal is not None:
            return refusal

    if "signed_by_party_or_witness" in data:
        # A substitute execution's record, whatever the step is called (ACL Art. 51(3)-(4)):
        # the agency's officer supervises on site; the supervisor, the executor and the party
        # or a witness sign the execution record.
        if not str(data.get("supervisor") or "").strip() or data.get("record_made") is not True:
            return guards.Refusal(
                "ACL Art. 51",
                "substitute_execution",
                "代履行时作出决定的行政机关应当派员到场监督并制作执行文书 / the agency's "
                "officer supervises on site and the execution is recorded",
            )
        if data.get("signed_by_party_or_witness") is not True:
            return guards.Refusal(
                "ACL Art. 51",
                "substitute_execution",
                "执行文书须由监督人员、代履行人和当事人或者见证人签名或者盖章 / the record is "
                "signed by the supervisor, the executor and the party or a witness",
            )

    if task.element_id == "court_application":
        review_pending, lawsuit_pending = _pending_remedies(trail())
        if review_pending or lawsuit_pending:
            zh, en = ("复议", "review") if review_pending else ("诉讼", "lawsuit")
            return guards.Refusal(
                "ACL Art. 53",
                "execution",
                f"当事人已申请{zh}，终结前不得申请法院强制执行 / a {en} is pending; the "
                "court application waits for its result",
            )
        kind, received = _last_result(trail())
        refusal = guards.remedy_result_guard(kind=kind, received_on=received, at=now, cal=cal)
        if refusal is not None:
            return refusal

    if task.stage in COERCIVE_STAGES:
        refusal = guards.housing_guarantee_guard(
            required=legal.housing_guarantee_required,
            hardship=merged.get("housing_hardship"),
            secured=merged.get("housing_secured"),
        )
        if refusal is not None:
            return refusal
        at_value = data.get("demolition_at") or merged.get("demolition_at")
        at = parse_instant(at_value) if at_value else now
        refusal = guards.demolition_record_guard(
            demolition_at=at, now=now, max_delay_hours=legal.demolition_record_max_delay_hours
        )
        if refusal is not None:
            return refusal
        emergency = bool(merged.get("emergency"))
        refusal = guards.night_holiday_guard(
            at,
            cal,
            night_start=legal.night_start,
            night_end=legal.night_end,
            emergency=emergency,
            emergency_reason=merged.get("emergency_reason"),
            emergency_approved=_head_approved(uow, merged.get("emergency_approved_by"), actor)
            if emergency
            else None,
        )
        if refusal is not None:
            return refusal
        review_pending, lawsuit_pending = _pending_remedies(trail())
        kind, received = _last_result(trail())
        refusal = guards.remedy_result_guard(kind=kind, received_on=received, at=at, cal=cal)
        if refusal is not None:
            return refusal
        legal_basis = str(merged.get("legal_basis") or "URPL64")
        facts = guards.ExecutionFacts(
            # The demolition's own time: a backdated record inside a remedy window is as
            # unlawful as one made now (and a scheduled one is judged at its date).
            at=at,
            decision_served_at=_date(merged.get("decision_served_at")),
            remedy_rights_stated=merged.get("remedy_rights_stated") is not False,
            review_pending=review_pending,
            lawsuit_pending=lawsuit_pending,
            demand_served_at=_date(merged.get("demand_served_at")),
            public_notice_at=_date(merged.get("public_notice_at")),
            safety_appraisal_required=bool(merged.get("safety_appraisal_required"))
            or legal.safety_appraisal_required,
            safety_appraisal_done=bool(merged.get("safety_appraisal_done")),
            legal_basis=legal_basis if legal_basis in guards.LEGAL_BASES else "URPL64",
            public_notice_period=legal.public_notice_period,
            demand_period=legal.demand_period,
            postal_days=legal.postal_days,
            demolition_order=merged.get("classification") != "cannot_demolish",
        )
        return guards.execution_guard(facts, cal)
    return None


def record_refusal(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    case: Case,
    refusal: guards.Refusal,
    actor: Actor,
    element_id: str | None,
    attempted: Mapping[str, Any],
    now: datetime,
) -> Exception:
    """Audit the refusal (the case's state and version stay as they were), commit, and return
    the error to raise: 403 for segregation of duties, 409 for every other legal guard."""
    head = audit.ChainHead.of(case)
    audit.append(
        uow,
        head,
        at=now,
        actor=actor.username,
        roles=actor.roles,
        action="guard_refused",
        element_id=element_id,
        data={"rule": refusal.rule, "reason": refusal.reason, "attempted": dict(attempted)},
        basis=refusal.article,
    )
    uow.cases.save_if_version(
        case.id, case.case_version, {"audit_seq": head.seq, "audit_head": head.hash}
    )
    ctx.commit(uow)
    if refusal.rule == "segregation_of_duties":
        return DutyConflict(refusal.article, refusal.reason)
    return GuardRefused(refusal.article, refusal.reason, refusal.rule)
