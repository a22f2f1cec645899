"""The execution after the decision is served, as a hub (`execution`) and one called process per
phase: the party's period, the demand, the enforcement decision, the public notice, coercion after
the remedy windows, assisted demolition, the review or lawsuit. One-time restructuring source."""

from __future__ import annotations

from tests.process.bpmn_builder import Process
from tests.process.bpmn_common import GOV, HEAD, OFFICER, flag_on_timeout

# What the party may do "at any time before forced demolition" (§7). A phase that sees one of
# these ends and reports it in `party_act`; the hub `execution` handles it.
PARTY_MESSAGES = (
    ("party_demolished", "当事人自拆 Party demolished", "demolished"),
    ("party_requests_assistance", "申请助拆 Asks for help", "assistance"),
    ("review_filed", "申请复议 Review filed", "review"),
    ("lawsuit_filed", "提起诉讼 Lawsuit filed", "lawsuit"),
)
ACT_NAMES = {
    "demolished": "记录：自拆 Noted: demolished",
    "assistance": "记录：申请助拆 Noted: help asked",
    "review": "记录：复议 Noted: review",
    "lawsuit": "记录：诉讼 Noted: lawsuit",
    "corrected": "记录：已改正 Noted: corrected",
}
REVIEW_REPLY = "10 WD"
LAWSUIT_REPLY = "15 CD"
REPLY_LATE = (
    "逾期不答复、不提交证据的，视为该行政行为没有证据、依据 (ARL Art. 70; ALL Art. 34): "
    "no reply in time and the act is deemed to lack evidence"
)


def _acts(p: Process, suffix: str, kinds: tuple[str, ...]) -> dict[str, str]:
    """One script per kind of party act, shared by every wait of the phase, then the phase end."""
    end = p.end(f"{suffix}_party_acted", "当事人有行为 The party acted", OFFICER)
    ids = {}
    for kind in kinds:
        sid = p.script(f"{suffix}_act_{kind}", ACT_NAMES[kind], OFFICER, f"party_act = '{kind}'")
        p.flow(sid, end)
        ids[kind] = sid
    return ids


def _party_wait(
    p: Process, gw: str, name: str, suffix: str, timer: str, acts: dict[str, str]
) -> None:
    p.event_gateway(gw, name, OFFICER)
    p.flow(gw, timer)
    for message, label, kind in PARTY_MESSAGES:
        catch = p.catch_message(f"{message}_{suffix}", label, OFFICER, message)
        p.flow(gw, catch)
        p.flow(catch, acts[kind])


def _party_boundaries(p: Process, host: str, suffix: str, acts: dict[str, str]) -> None:
    for message, label, kind in PARTY_MESSAGES:
        b = p.boundary_message(f"{message}_{suffix}", label, host, message)
        p.flow(b, acts[kind])


def execution() -> Process:
    """The hub: where to continue (`phase`), one call per phase, and what the party's act or a
    phase's result leads to. Ends with `outcome` set."""
    p = Process("execution", "决定的执行 Execution of the decision", [OFFICER])
    p.start("execution_start", "决定已送达 Decision served", OFFICER)
    p.script("clear_party_act", "继续执行 Continue", OFFICER, "party_act = ''")
    p.xor("router", "执行进度 Where to continue", OFFICER)
    p.call("party_period", "履行期 The party's period", OFFICER, "party_period")
    p.call("correction_stage", "改正期 Correction period", OFFICER, "correction_period")
    p.call(
        "court_demand_stage", "催告期（申请法院） Demand, court route", OFFICER, "court_demand_wait"
    )
    p.call("demand_stage", "催告 Demand", OFFICER, "demand_phase")
    p.call(
        "decision_stage", "强制执行决定 Enforcement decision", OFFICER, "enforcement_decision_phase"
    )
    p.call("notice_stage", "强制拆除公告 Public notice", OFFICER, "public_notice_phase")
    p.call("coercion_stage", "强制执行 Coercion", OFFICER, "coercion")
    p.xor("gw_next", "当事人行为或结果 Party's act or result", OFFICER)
    p.user(
        "verify_self_demolition",
        "自拆核查 Verify self-demolition",
        OFFICER,
        form="verify_demolition.json",
        stage="compliance_period",
        docs="现场检查笔录",
        basis="URPL Art. 64; ACL Art. 44",
    )
    p.xor("gw_demolition_verified", "已拆除? Demolished?", OFFICER)
    p.script(
        "outcome_self_demolished",
        "自行拆除 Self-demolished",
        OFFICER,
        "outcome = 'self_demolished'",
    )
    p.user(
        "verify_correction",
        "整改核查 Verify the correction",
        OFFICER,
        form="verify_correction.json",
        stage="compliance_period",
        docs="现场检查笔录",
        basis="URPL Art. 64",
    )
    p.xor("gw_correction_verified", "已改正? Corrected?", OFFICER)
    p.script("outcome_corrected", "已改正 Corrected", OFFICER, "outcome = 'corrected'")
    p.call("assistance_stage", "协助拆除 Assisted demolition", OFFICER, "assistance")
    p.call("litigation_stage", "复议诉讼 Review or lawsuit", OFFICER, "litigation")
    p.end("execution_end", "执行终结 Enforcement ended", OFFICER)

    p.chain("execution_start", "clear_party_act", "router")
    p.flow("router", "party_period", "phase == 'compliance' and classification != 'correctable'")
    p.flow(
        "router", "correction_stage", "phase == 'compliance' and classification == 'correctable'"
    )
    p.flow("router", "court_demand_stage", "phase == 'court_demand'")
    p.flow("router", "demand_stage", "phase == 'demand'")
    p.flow("router", "decision_stage", "phase == 'enforcement_decision'")
    p.flow("router", "notice_stage", "phase in ('notice', 'public_notice')")
    p.flow("router", "coercion_stage", default=True)
    for stage in (
        "party_period",
        "correction_stage",
        "demand_stage",
        "court_demand_stage",
        "decision_stage",
        "notice_stage",
    ):
        p.flow(stage, "gw_next")
    p.flow("coercion_stage", "gw_next")
    p.flow("assistance_stage", "gw_next")
    p.flow("litigation_stage", "gw_next")
    p.flow("gw_next", "verify_self_demolition", "party_act == 'demolished'")
    p.flow("gw_next", "verify_correction", "party_act == 'corrected'")
    p.flow("gw_next", "assistance_stage", "party_act == 'assistance'")
    p.flow("gw_next", "litigation_stage", "party_act in ('review', 'lawsuit')")
    p.flow("gw_next", "execution_end", "outcome != ''")
    p.flow("gw_next", "clear_party_act", default=True)
    p.flow("verify_self_demolition", "gw_demolition_verified")
    p.flow("gw_demolition_verified", "outcome_self_demolished", "demolition_verified")
    # A demolition claim the check refutes while a review or lawsuit is pending goes back to the
    # remedy (ACL Art. 44: demolition waits for the result), not to the execution.
    p.flow(
        "gw_demolition_verified",
        "litigation_stage",
        "not demolition_verified and remedy_pending",
    )
    p.flow("gw_demolition_verified", "clear_party_act", default=True)
    p.flow("outcome_self_demolished", "execution_end")
    p.flow("verify_correction", "gw_correction_verified")
    p.flow("gw_correction_verified", "outcome_corrected", "correction_verified")
    p.flow("gw_correction_verified", "clear_party_act", default=True)
    p.flow("outcome_corrected", "execution_end")
    p.happy(
        "execution_start",
        "clear_party_act",
        "router",
        "party_period",
        "gw_next",
        "execution_end",
    )
    return p


def _period_timer(p: Process, tid: str, name: str) -> None:
    p.timer(
        tid,
        name,
        OFFICER,
        start="decision_served_at",
        period="15 CD",
        period_expr="compliance_period",
        basis="URPL Art. 64 (period set by the decision)",
        stage="compliance_period",
        period_source="compliance_days",
        holder="party",
    )


def party_period() -> Process:
    """The period a 限期拆除 decision sets (URPL Art. 64)."""
    p = Process("party_period", "履行期 The party's period", [OFFICER])
    p.start("party_period_start", "履行期开始 Period starts", OFFICER)
    _period_timer(p, "compliance_deadline", "履行期限 Compliance deadline")
    acts = _acts(p, "pp", ("demolished", "assistance", "review", "lawsuit"))
    _party_wait(p, "wait_compliance", "履行期 Party's period", "c", "compliance_deadline", acts)
    p.script("compliance_lapsed", "逾期未履行 Not complied", OFFICER, "phase = 'demand'")
    p.end("party_period_end", "期满 Period lapsed", OFFICER)
    p.chain("party_period_start", "wait_compliance")
    p.chain("compliance_deadline", "compliance_lapsed", "party_period_end")
    p.happy(
        "party_period_start",
        "wait_compliance",
        "compliance_deadline",
        "compliance_lapsed",
        "party_period_end",
    )
    return p


def correction_period() -> Process:
    """The period a 限期改正 sets (URPL Art. 64). A lapsed correction goes back for a new 限期拆除
    decision: Arts. 64 and 68 enforce only a 限期拆除 decision by demolition."""
    p = Process("correction_period", "改正期 The correction period", [OFFICER])
    p.start("correction_period_start", "改正期开始 Period starts", OFFICER)
    _period_timer(p, "correction_deadline", "改正期限 Correction deadline")
    acts = _acts(p, "cp", ("corrected", "demolished", "assistance", "review", "lawsuit"))
    _party_wait(p, "wait_correction", "改正期 Correction period", "k", "correction_deadline", acts)
    corrected = p.catch_message("party_corrected_k", "已改正 Corrected", OFFICER, "party_corrected")
    p.flow("wait_correction", corrected)
    p.flow(corrected, acts["corrected"])
    p.script(
        "correction_lapsed",
        "逾期未改正：须作限期拆除决定 Not corrected: new decision",
        OFFICER,
        "outcome = 'correction_lapsed'",
    )
    p.end("correction_period_end", "期满 Period lapsed", OFFICER)
    p.chain("correction_period_start", "wait_correction")
    p.chain("correction_deadline", "correction_lapsed", "correction_period_end")
    p.happy(
        "correction_period_start",
        "wait_correction",
        "correction_deadline",
        "correction_lapsed",
        "correction_period_end",
    )
    return p


def court_demand_wait() -> Process:
    """On the court route (land-law cases), ten days after the demand is served (ACL Art. 54)."""
    p = Process("court_demand_wait", "催告期（申请法院） Demand period, court route", [OFFICER])
    p.start("court_demand_start", "催告已送达 Demand served", OFFICER)
    p.timer(
        "court_demand_period",
        "催告送达十日后 10 WD after the demand",
        OFFICER,
        start="demand_served_at",
        period="10 WD",
        basis="ACL Art. 54",
        stage="demand",
        holder="party",
    )
    acts = _acts(p, "cd", ("demolished", "assistance", "review", "lawsuit"))
    _party_wait(
        p,
        "wait_court_demand",
        "催告期 Demand period (court route)",
        "cd",
        "court_demand_period",
        acts,
    )
    p.script("court_demand_lapsed", "催告期满 Demand lapsed", OFFICER, "phase = 'remedy_wait'")
    p.end("court_demand_end", "催告期满 Demand lapsed", OFFICER)
    p.chain("court_demand_start", "wait_court_demand")
    p.chain("court_demand_period", "court_demand_lapsed", "court_demand_end")
    p.happy(
        "court_demand_start",
        "wait_court_demand",
        "court_demand_period",
        "court_demand_lapsed",
        "court_demand_end",
    )
    return p


def demand_phase() -> Process:
    """催告 (ACL Art. 35), its service and its period (local). On the court route the period is
    ACL Art. 54's (`court_demand_wait`)."""
    p = Process("demand_phase", "催告 Demand", [OFFICER])
    p.start("demand_phase_start", "催告 Demand", OFFICER)
    acts = _acts(p, "dm", ("demolished", "assistance", "review", "lawsuit"))
    p.user(
        "demand",
        "催告 Formal demand",
        OFFICER,
        form="demand.json",
        stage="demand",
        docs="催告书",
        basis="ACL Art. 35",
    )
    p.script(
        "prepare_demand_service", "送达准备 Prepare service", OFFICER, "service_document = 'demand'"
    )
    p.call("serve_demand", "送达催告书 Serve the demand", OFFICER, "service")
    _party_boundaries(p, "serve_demand", "sd", acts)
    p.script(
        "record_demand_service", "记录送达 Record service", OFFICER, "demand_served_at = served_at"
    )
    p.xor("gw_demand_track", "申请法院? Court route?", OFFICER)
    p.timer(
        "demand_period",
        "催告期限 Demand period",
        OFFICER,
        start="demand_served_at",
        period="10 WD",
        local="demand_period",
        # ACL Art. 35 requires a deadline in the demand but sets none: the period is local.
        basis="ACL Art. 35 (period: local setting)",
        stage="demand",
        holder="party",
    )
    _party_wait(p, "wait_demand", "催告期 Demand period", "d", "demand_period", acts)
    p.script("demand_lapsed", "催告期满 Demand lapsed", OFFICER, "phase = 'enforcement_decision'")
    p.script(
        "to_court_demand",
        "申请法院：催告送达十日后 Court route: ten days",
        OFFICER,
        "phase = 'court_demand'",
    )
    p.end("demand_phase_end", "催告期满 Demand lapsed", OFFICER)
    p.chain("demand_phase_start", "demand", "prepare_demand_service", "serve_demand")
    p.chain("serve_demand", "record_demand_service", "gw_demand_track")
    p.flow("gw_demand_track", "to_court_demand", "track == 'land'")
    p.flow("gw_demand_track", "wait_demand", default=True)
    p.chain("demand_period", "demand_lapsed", "demand_phase_end")
    p.flow("to_court_demand", "demand_phase_end")
    p.happy(
        "demand_phase_start",
        "demand",
        "prepare_demand_service",
        "serve_demand",
        "record_demand_service",
        "gw_demand_track",
        "wait_demand",
        "demand_period",
        "demand_lapsed",
        "demand_phase_end",
    )
    return p


def enforcement_decision_phase() -> Process:
    """The government's 责成 (URPL Art. 68), the enforcement decision (ACL Art. 37) by the agency
    or the government, a deferral (ACL Art. 39), and the decision's service (ACL Art. 38)."""
    p = Process(
        "enforcement_decision_phase",
        "强制执行决定 Enforcement decision",
        [OFFICER, HEAD, GOV],
    )
    p.start("ed_phase_start", "作出强制执行决定 Decide", OFFICER)
    acts = _acts(p, "ed", ("demolished", "assistance", "review", "lawsuit"))
    p.xor("gw_order_needed", "须政府责成? Government order needed?", OFFICER)
    p.user(
        "government_order",
        "责成强制拆除 Government order to demolish",
        GOV,
        form="government_order.json",
        stage="enforcement_decision",
        docs="责成通知",
        basis="URPL Art. 68; 上海 Art. 10; 浙江 Art. 16",
    )
    p.xor("gw_ordered", "责成? Ordered?", GOV)
    p.script("record_order", "已责成 Ordered", GOV, "government_ordered = True")
    p.script(
        "outcome_order_refused", "未予责成 Not ordered", GOV, "outcome = 'government_declined'"
    )
    p.xor("gw_issuer", "作出机关 Who decides", OFFICER)
    p.user(
        "enforcement_decision",
        "强制执行决定 Enforcement decision",
        HEAD,
        form="enforcement_decision.json",
        stage="enforcement_decision",
        docs="强制执行决定书",
        basis="ACL Art. 37",
    )
    p.user(
        "enforcement_decision_gov",
        "强制执行决定（政府） Enforcement decision (government)",
        GOV,
        form="enforcement_decision.json",
        stage="enforcement_decision",
        docs="强制执行决定书",
        basis="ACL Art. 37; URPL Art. 68",
    )
    p.xor("gw_defer", "暂缓拆除? Defer?", HEAD)
    p.user(
        "deferral_approval",
        "中止执行审批 Approve the deferral",
        GOV,
        form="deferral_approval.json",
        stage="deferred",
        docs="中止执行决定书",
        basis="ACL Art. 39",
    )
    p.xor("gw_deferral_approved", "批准? Approved?", GOV)
    p.call("deferral_stage", "中止执行 Deferral", GOV, "deferral_phase")
    p.script(
        "prepare_ed_service",
        "送达准备 Prepare service",
        OFFICER,
        "service_document = 'enforcement_decision'",
    )
    p.call("serve_enforcement_decision", "送达强制执行决定书 Serve it", OFFICER, "service")
    _party_boundaries(p, "serve_enforcement_decision", "se", acts)
    p.script(
        "record_ed_service",
        "记录送达 Record service",
        OFFICER,
        "enforcement_decision_served_at = served_at\nphase = 'notice'",
    )
    p.end("ed_phase_end", "已送达 Served", OFFICER)
    p.end("ed_phase_stopped", "本阶段结束 Phase ended", GOV)

    p.flow("ed_phase_start", "gw_order_needed")
    p.flow(
        "gw_order_needed",
        "government_order",
        "government_order_required and not government_ordered",
    )
    p.flow("gw_order_needed", "gw_issuer", default=True)
    p.flow("government_order", "gw_ordered")
    p.flow("gw_ordered", "record_order", "government_ordered_now")
    p.flow("gw_ordered", "outcome_order_refused", default=True)
    p.flow("record_order", "gw_issuer")
    p.flow("outcome_order_refused", "ed_phase_stopped")
    p.flow("gw_issuer", "enforcement_decision_gov", "enforcement_decision_issuer == 'government'")
    p.flow("gw_issuer", "enforcement_decision", default=True)
    p.flow("enforcement_decision", "gw_defer")
    p.flow("enforcement_decision_gov", "gw_defer")
    p.flow("gw_defer", "deferral_approval", "defer")
    p.flow("gw_defer", "prepare_ed_service", default=True)
    p.flow("deferral_approval", "gw_deferral_approved")
    p.flow("gw_deferral_approved", "deferral_stage", "defer_approved")
    p.flow("gw_deferral_approved", "prepare_ed_service", default=True)
    p.flow("deferral_stage", "ed_phase_stopped")
    p.chain("prepare_ed_service", "serve_enforcement_decision", "record_ed_service", "ed_phase_end")
    p.happy(
        "ed_phase_start",
        "gw_order_needed",
        "gw_issuer",
        "enforcement_decision",
        "gw_defer",
        "prepare_ed_service",
        "serve_enforcement_decision",
        "record_ed_service",
        "ed_phase_end",
    )
    return p


def deferral_phase() -> Process:
    """中止执行 (ACL Art. 39) with its three-year limit: after it, enforcement ends only where
    there is no obvious social harm and the party truly cannot perform."""
    p = Process("deferral_phase", "中止执行 Deferral", [OFFICER, HEAD, GOV])
    p.start("deferral_phase_start", "中止执行 Deferred", GOV)
    p.script("start_deferral", "中止执行 Deferred", GOV, "deferred_since = today()")
    p.call("deferral", "中止执行 Deferral", GOV, "deferral")
    p.boundary_timer(
        "deferral_limit",
        "中止满三年 Three years deferred",
        "deferral",
        start="deferred_since",
        period="3 Y",
        basis="ACL Art. 39",
        stage="deferred",
        interrupting=True,
        holder="agency",
    )
    p.user(
        "termination",
        "终结执行 Terminate enforcement",
        HEAD,
        form="termination.json",
        stage="deferred",
        docs="终结执行决定书",
        basis="ACL Art. 39, 40",
    )
    p.xor("gw_terminate", "终结? Terminate?", HEAD)
    p.script("outcome_terminated", "终结 Terminated", HEAD, "outcome = 'terminated'")
    p.xor("gw_deferral_outcome", "中止结束 Deferral ended", GOV)
    p.script("resume_after_deferral", "恢复执行 Resume", OFFICER, "phase = 'enforcement_decision'")
    p.script("deferral_act_demolished", ACT_NAMES["demolished"], GOV, "party_act = 'demolished'")
    p.end("deferral_phase_end", "中止结束 Deferral over", OFFICER)
    p.chain("deferral_phase_start", "start_deferral", "deferral", "gw_deferral_outcome")
    p.flow(
        "gw_deferral_outcome", "deferral_act_demolished", "deferral_outcome == 'party_demolished'"
    )
    p.flow("gw_deferral_outcome", "resume_after_deferral", default=True)
    p.flow("deferral_act_demolished", "deferral_phase_end")
    p.flow("resume_after_deferral", "deferral_phase_end")
    p.chain("deferral_limit", "termination", "gw_terminate")
    p.flow("gw_terminate", "outcome_terminated", "terminate")
    # ACL Art. 39: with harm, or a party able to perform, the three years end nothing.
    p.flow("gw_terminate", "resume_after_deferral", default=True)
    p.flow("outcome_terminated", "deferral_phase_end")
    p.happy(
        "deferral_phase_start",
        "start_deferral",
        "deferral",
        "gw_deferral_outcome",
        "resume_after_deferral",
        "deferral_phase_end",
    )
    return p


def public_notice_phase() -> Process:
    """强制拆除公告 (ACL Art. 44) and its period (local)."""
    p = Process("public_notice_phase", "强制拆除公告 Public notice", [OFFICER])
    p.start("notice_phase_start", "公告 Notice", OFFICER)
    acts = _acts(p, "pn", ("demolished", "assistance", "review", "lawsuit"))
    p.user(
        "public_notice",
        "强制拆除公告 Public notice",
        OFFICER,
        form="public_notice.json",
        stage="public_notice",
        docs="强制拆除公告",
        basis="ACL Art. 44",
    )
    p.script("public_notice_posted", "公告 Posted", OFFICER, "phase = 'public_notice'")
    p.xor("gw_notice_posted", "已公告? Posted?", OFFICER)
    p.timer(
        "public_notice_period",
        "公告期限 Public notice period",
        OFFICER,
        start="public_notice_at",
        period="10 CD",
        local="public_notice_period",
        basis="ACL Art. 44",
        stage="public_notice",
        holder="party",
    )
    _party_wait(
        p, "wait_public_notice", "公告期 Public notice period", "n", "public_notice_period", acts
    )
    p.script("public_notice_lapsed", "公告期满 Notice lapsed", OFFICER, "phase = 'remedy_wait'")
    p.end("notice_phase_end", "公告期满 Notice lapsed", OFFICER)
    p.flow("notice_phase_start", "gw_notice_posted")
    # Resumed after a party's act: the notice stands, its period is awaited again.
    p.flow("gw_notice_posted", "wait_public_notice", "phase == 'public_notice'")
    p.flow("gw_notice_posted", "public_notice", default=True)
    p.chain("public_notice", "public_notice_posted", "wait_public_notice")
    p.chain("public_notice_period", "public_notice_lapsed", "notice_phase_end")
    p.happy(
        "notice_phase_start",
        "gw_notice_posted",
        "public_notice",
        "public_notice_posted",
        "wait_public_notice",
        "public_notice_period",
        "public_notice_lapsed",
        "notice_phase_end",
    )
    return p


def coercion() -> Process:
    """After the remedy windows (ACL Art. 44): forced demolition, the court route for land-law
    cases (ACL Art. 53), or the hand-over of a confiscated building (URPL Art. 64)."""
    p = Process("coercion", "强制执行 Coercion", [OFFICER])
    p.start("coercion_start", "强制执行 Coercion", OFFICER)
    acts = _acts(p, "co", ("demolished", "assistance", "review", "lawsuit"))
    p.script(
        "prepare_remedy_wait",
        "等待救济期限 Await the remedy windows",
        OFFICER,
        "phase = 'remedy_wait'",
    )
    p.call("await_remedy", "复议诉讼期限 Remedy windows", OFFICER, "remedy_windows")
    _party_boundaries(p, "await_remedy", "rw", acts)
    p.script(
        "remedy_lapsed",
        "救济期限届满 Windows lapsed",
        OFFICER,
        'remedy_lapsed_on = max(last_day(decision_served_at, "60 CD"), '
        "last_day(decision_served_at, lawsuit_window))",
    )
    p.xor("gw_after_remedy", "下一步 Next", OFFICER)
    p.script("prepare_court", "申请法院 To the court", OFFICER, "court_purpose = 'demolition'")
    p.call("court_demolition", "申请法院强制执行 Court enforcement", OFFICER, "court_enforcement")
    p.boundary_message(
        "party_demolished_court",
        "当事人自拆 Party demolished",
        "court_demolition",
        "party_demolished",
    )
    p.flow("party_demolished_court", acts["demolished"])
    p.xor("gw_court_result", "裁定执行? Enforce?", OFFICER)
    p.script(
        "court_ordered", "法院裁定执行 Enforcement ordered: notice", OFFICER, "phase = 'notice'"
    )
    p.script("outcome_court_refused", "法院不予执行 Refused", OFFICER, "outcome = 'court_refused'")
    p.user(
        "forced_demolition",
        "强制拆除 Forced demolition",
        OFFICER,
        form="forced_demolition.json",
        stage="forced_demolition",
        docs="强制拆除现场笔录,财物清单",
        basis="ACL Art. 44; URPL Art. 68",
    )
    _party_boundaries(p, "forced_demolition", "fd", acts)
    p.script("outcome_forced", "已强制拆除 Demolished", OFFICER, "outcome = 'forced_demolished'")
    p.user(
        "confiscation_handover",
        "没收移交 Hand over the confiscated building",
        OFFICER,
        form="confiscation_handover.json",
        stage="confiscation",
        docs="财物清单",
        basis="URPL Art. 64; APL Art. 74",
    )
    p.script("outcome_confiscated", "已没收 Confiscated", OFFICER, "outcome = 'confiscated'")
    p.end("coercion_end", "执行完毕 Done", OFFICER)
    p.chain("coercion_start", "prepare_remedy_wait", "await_remedy", "remedy_lapsed")
    p.flow("remedy_lapsed", "gw_after_remedy")
    p.flow("gw_after_remedy", "confiscation_handover", "track == 'confiscation'")
    p.flow("gw_after_remedy", "prepare_court", "track == 'land' and court_ruling != 'enforce'")
    p.flow("gw_after_remedy", "forced_demolition", default=True)
    p.chain("prepare_court", "court_demolition", "gw_court_result")
    p.flow("gw_court_result", "court_ordered", "court_ruling == 'enforce'")
    p.flow("gw_court_result", "outcome_court_refused", default=True)
    p.flow("court_ordered", "coercion_end")
    p.flow("outcome_court_refused", "coercion_end")
    p.chain("forced_demolition", "outcome_forced", "coercion_end")
    p.chain("confiscation_handover", "outcome_confiscated", "coercion_end")
    p.happy(
        "coercion_start",
        "prepare_remedy_wait",
        "await_remedy",
        "remedy_lapsed",
        "gw_after_remedy",
        "forced_demolition",
        "outcome_forced",
        "coercion_end",
    )
    return p


def assisted_demolition() -> Process:
    """协助拆除 by agreement (ACL Art. 42); a breach resumes enforcement at the demand."""
    p = Process("assistance", "协助拆除 Assisted demolition", [OFFICER])
    p.start("assistance_start", "申请助拆 Help asked", OFFICER)
    p.user(
        "enforcement_agreement",
        "执行协议 Enforcement agreement",
        OFFICER,
        form="enforcement_agreement.json",
        stage="compliance_period",
        docs="执行协议",
        basis="ACL Art. 42",
    )
    p.user(
        "assisted_demolition",
        "协助拆除 Assisted demolition",
        OFFICER,
        form="assisted_demolition.json",
        stage="compliance_period",
        docs="现场检查笔录",
        basis="ACL Art. 42",
    )
    p.boundary_message(
        "agreement_breached_b",
        "不履行协议 Agreement breached",
        "assisted_demolition",
        "agreement_breached",
    )
    p.script(
        "resume_at_demand",
        "恢复强制执行 Resume at the demand",
        OFFICER,
        "phase = 'demand'\nparty_act = ''",
    )
    p.script(
        "outcome_assisted",
        "协助拆除完毕 Assisted demolition done",
        OFFICER,
        "outcome = 'assisted_demolished'\nparty_act = ''",
    )
    p.end("assistance_end", "助拆完毕 Done", OFFICER)
    p.end("assistance_breached", "协议未履行 Breached", OFFICER)
    p.chain("assistance_start", "enforcement_agreement", "assisted_demolition", "outcome_assisted")
    p.flow("outcome_assisted", "assistance_end")
    p.chain("agreement_breached_b", "resume_at_demand", "assistance_breached")
    p.happy(
        "assistance_start",
        "enforcement_agreement",
        "assisted_demolition",
        "outcome_assisted",
        "assistance_end",
    )
    return p


def litigation() -> Process:
    """A review or lawsuit against the decision: the agency's reply (ARL Art. 48, ALL Art. 67)
    under its own deadline, monthly follow-up, and the result: upheld continues, revoked ends,
    changed continues on the changed decision (ARL Art. 63; ALL Art. 77)."""
    p = Process("litigation", "复议诉讼 Review or lawsuit", [OFFICER])
    p.start("litigation_start", "复议或诉讼 Remedy filed", OFFICER)
    p.xor("gw_litigation_entry", "新的申请? New filing?", OFFICER)
    p.script(
        "record_review_filed",
        "复议答复期 Review: reply within 10 WD",
        OFFICER,
        f"remedy_kind = 'review'\nreply_period = '{REVIEW_REPLY}'",
    )
    p.script(
        "record_lawsuit_filed",
        "诉讼答辩期 Lawsuit: defence within 15 CD",
        OFFICER,
        f"remedy_kind = 'lawsuit'\nreply_period = '{LAWSUIT_REPLY}'",
    )
    p.script(
        "record_remedy_filed",
        "复议或诉讼 Remedy filed",
        OFFICER,
        "remedy_pending = True\nremedy_replied = False\nremedy_followup_from = today()\n"
        "reply_from = today()\nreply_late = False",
    )
    p.xor("gw_remedy_still_pending", "已答复? Replied?", OFFICER)
    p.user(
        "litigation_reply",
        "答复或答辩 Reply to the review or lawsuit",
        OFFICER,
        form="litigation_reply.json",
        stage="litigation",
        docs="行政复议答复书,行政诉讼答辩状",
        basis="ARL Art. 48; ALL Art. 67",
    )
    # The agency's own deadline: on lapse it is only recorded (the task stays open); the
    # consequence is the review body's or the court's (REPLY_LATE).
    p.boundary_timer(
        "reply_deadline",
        "答复期限 Reply deadline",
        "litigation_reply",
        start="reply_from",
        period=REVIEW_REPLY,
        period_expr="reply_period",
        basis="ARL Art. 48; ALL Art. 67",
        stage="litigation",
        holder="agency",
        period_source="reply_period",
        consequence=REPLY_LATE,
    )
    flag_on_timeout(p, "reply_deadline", "reply_late", "答复超期 Reply late")
    p.boundary_message(
        "remedy_result_b", "复议诉讼结果 Result", "litigation_reply", "remedy_result"
    )
    p.boundary_message(
        "party_demolished_l", "当事人自拆 Party demolished", "litigation_reply", "party_demolished"
    )
    p.script("record_reply", "已答复 Replied", OFFICER, "remedy_replied = True")
    p.event_gateway("wait_remedy_result", "等待结果 Await the result", OFFICER)
    p.catch_message(
        "party_demolished_w", "当事人自拆 Party demolished", OFFICER, "party_demolished"
    )
    p.catch_message("remedy_result_w", "复议诉讼结果 Result", OFFICER, "remedy_result")
    p.timer(
        "remedy_followup",
        "跟踪复议诉讼 Follow up",
        OFFICER,
        start="remedy_followup_from",
        period="30 CD",
        basis="policy: follow up a pending review or lawsuit monthly",
        stage="litigation",
        holder="agency",
    )
    p.user(
        "litigation_followup",
        "跟踪复议诉讼 Follow up the review or lawsuit",
        OFFICER,
        form="litigation_followup.json",
        stage="litigation",
        docs="复议诉讼跟踪记录",
        basis="ACL Art. 44",
    )
    p.script("next_followup", "下次跟踪 Next follow-up", OFFICER, "remedy_followup_from = today()")
    p.script(
        "litigation_act_demolished", ACT_NAMES["demolished"], OFFICER, "party_act = 'demolished'"
    )
    p.script(
        "read_remedy_result",
        "结果 Result",
        OFFICER,
        "remedy_outcome = remedy_result['outcome'] if 'outcome' in remedy_result else ''",
    )
    p.xor("gw_remedy_outcome", "维持/撤销/变更 Upheld, revoked, changed", OFFICER)
    p.script("remedy_upheld", "维持 Upheld", OFFICER, "remedy_pending = False\nparty_act = ''")
    p.script(
        "record_set_aside",
        "撤销或变更 Set aside",
        OFFICER,
        "remedy_pending = False\nparty_act = ''\n"
        "outcome = 'changed' if remedy_outcome == 'changed' else 'revoked'",
    )
    p.throw_signal("throw_set_aside", "通知罚款程序 Stop the fine", OFFICER, "decision_set_aside")
    p.xor("gw_set_aside", "变更? Changed?", OFFICER)
    # ARL Art. 63 / ALL Art. 77: the review body (or court) changes the decision itself; the
    # agency records the changed decision and executes it. No head's revision: that would be a
    # new decision without investigation, notice or hearing.
    p.user(
        "record_changed_decision",
        "记录变更后的决定 Record the decision as changed",
        OFFICER,
        form="changed_decision.json",
        stage="decision",
        docs="行政复议决定书或判决书（变更）",
        basis="ARL Art. 63; ALL Art. 77",
    )
    p.script(
        "apply_changed_decision",
        "按变更后的决定执行 Execute the changed decision",
        OFFICER,
        "decision_served_at = changed_received_on",
    )
    p.end("litigation_end", "复议诉讼有结果 Result recorded", OFFICER)
    p.end("litigation_party_acted", "当事人自拆 Party demolished", OFFICER)

    p.flow("litigation_start", "gw_litigation_entry")
    p.flow("gw_litigation_entry", "record_review_filed", "party_act == 'review'")
    p.flow("gw_litigation_entry", "record_lawsuit_filed", "party_act == 'lawsuit'")
    p.flow("gw_litigation_entry", "gw_remedy_still_pending", default=True)
    p.flow("record_review_filed", "record_remedy_filed")
    p.flow("record_lawsuit_filed", "record_remedy_filed")
    p.chain("record_remedy_filed", "litigation_reply", "record_reply", "wait_remedy_result")
    p.flow("gw_remedy_still_pending", "wait_remedy_result", "remedy_replied")
    p.flow("gw_remedy_still_pending", "litigation_reply", default=True)
    p.flow("remedy_result_b", "read_remedy_result")
    p.flow("party_demolished_l", "litigation_act_demolished")
    p.flow("wait_remedy_result", "remedy_result_w")
    p.flow("wait_remedy_result", "remedy_followup")
    p.flow("wait_remedy_result", "party_demolished_w")
    p.flow("remedy_result_w", "read_remedy_result")
    p.flow("party_demolished_w", "litigation_act_demolished")
    p.flow("litigation_act_demolished", "litigation_party_acted")
    p.chain("remedy_followup", "litigation_followup", "next_followup", "wait_remedy_result")
    p.flow("read_remedy_result", "gw_remedy_outcome")
    p.flow("gw_remedy_outcome", "remedy_upheld", "remedy_outcome == 'upheld'")
    p.flow("gw_remedy_outcome", "record_set_aside", "remedy_outcome in ('revoked', 'changed')")
    # anything else is not a result: keep waiting (and keep forced demolition out of reach)
    p.flow("gw_remedy_outcome", "wait_remedy_result", default=True)
    p.flow("remedy_upheld", "litigation_end")
    p.chain("record_set_aside", "throw_set_aside", "gw_set_aside")
    p.flow("gw_set_aside", "record_changed_decision", "outcome == 'changed'")
    p.flow("gw_set_aside", "litigation_end", default=True)
    p.chain("record_changed_decision", "apply_changed_decision", "litigation_end")
    p.happy(
        "litigation_start",
        "gw_litigation_entry",
        "record_review_filed",
        "record_remedy_filed",
        "litigation_reply",
        "record_reply",
        "wait_remedy_result",
        "remedy_result_w",
        "read_remedy_result",
        "gw_remedy_outcome",
        "remedy_upheld",
        "litigation_end",
    )
    return p
