"""文书 of the utility cutoff (§3) and of confiscation (§8), and the withdrawal of a document, on
SQLite and PostgreSQL: each refuses with the article when the case lacks what the statute asks
it to state, is issued by its step with the next number, and its PDF says what the law asks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import services
from engine.bootstrap import App
from engine.clock import FixedClock
from engine.documents import DocumentCatalog
from engine.errors import GuardRefused
from engine.services import Actor
from engine.services.documents import (
    DocumentDesk,
    DocumentView,
    case_documents,
    document_pdf,
    verify_document,
    withdraw_document,
)
from tests.integration.test_documents import pdftext, real
from tests.process import paths as P
from tests.process.driver import DEPUTY_HEAD, Driver, at

__all__ = ["real"]  # the fixture, shared with test_documents

HEAD = Actor("head1", ("head",))
LETTER = {
    "utility_company": "区供电公司",
    "cutoff_scope": "二层车间生产用电",
    "advance_notice_24h": True,
    "party_notified_at": "2026-02-10T09:00:00+08:00",
    "cutoff_at": "2026-02-11T09:30:00+08:00",
    "halt_decision_number": "某应急停字〔2026〕第0003号",
    "halt_decision_date": "2026-02-05",
}
APPRAISAL = {
    "safety_appraisal_done": True,
    "appraisal_unit": "市房屋安全鉴定所",
    "appraisal_date": "2026-02-10",
    "conclusion": "拆除将危及相邻建筑",
    "announced": True,
}


def docs(app: App, drv: Driver) -> list[DocumentView]:
    return case_documents(app.ctx.uow(read_only=True), case_id=drv.now_case.id)


def text_of(app: App, doc: DocumentView, tmp: Path) -> str:
    _view, data = document_pdf(app.ctx.uow(read_only=True), ctx=app.ctx, doc_id=doc.id)
    return pdftext(data, tmp)


def refused(drv: Driver, element: str, data: dict[str, Any], article: str) -> str:
    """The step is refused naming `article`; nothing is issued or completed."""
    before = [e.seq for e in drv.trail()]
    with pytest.raises(GuardRefused) as caught:
        drv.do(element, data)
    assert caught.value.article == article, caught.value.reason
    assert element in drv.ready()
    after = drv.trail()
    assert [e.seq for e in after][: len(before)] == before
    assert after[-1].action == "guard_refused"
    return caught.value.reason


def to_utility_letter(drv: Driver) -> None:
    """A workshop with a major accident hazard that refused the 停产停业 decision (安全生产法
    Art. 70): the stop order asks for the power to be cut."""
    P.file_case(drv, use_type="production")
    drv.do("investigation", P.INVESTIGATION)
    drv.do(
        "stop_order",
        {
            "stop_order_issued_on": "2026-02-10",
            "order_kind": "stop",
            "utility_cutoff": True,
            "cutoff_basis": "safety_law_70",
            "halt_decision_refused": True,
            "utility_types": ["power"],
        },
    )
    assert drv.ready() == ["utility_letter"]


def test_utility_letter_states_the_law_and_restoration_cites_it(
    real: tuple[App, FixedClock], tmp_path: Path
) -> None:
    app, clock = real
    drv = Driver(app, clock)
    to_utility_letter(drv)
    # Checked where it is written: the prior decision, the written notice, 24 h (Art. 70).
    art70 = "安全生产法 Art. 70"
    without_halt = {k: v for k, v in LETTER.items() if k != "halt_decision_number"}
    assert "停产停业" in refused(drv, "utility_letter", without_halt, art70)
    without_notice = {k: v for k, v in LETTER.items() if k != "party_notified_at"}
    assert "party_notified_at" in refused(drv, "utility_letter", without_notice, art70)
    early = {**LETTER, "cutoff_at": "2026-02-11T08:59:00+08:00"}  # 23 h 59 min
    assert "24" in refused(drv, "utility_letter", early, art70)
    drv.do("utility_letter", LETTER)
    assert [d.kind for d in docs(app, drv)] == ["立案审批表", "责令停止违法行为通知书"]

    # Issued when the head approves it (安全生产法 Art. 70: 经本部门主要负责人批准).
    drv.do("utility_cutoff_approval", {"head_approved": True}, actor=DEPUTY_HEAD)
    letter = docs(app, drv)[-1]
    assert (letter.kind, letter.number) == (
        "停止供水供电供气联系函",
        "某城管停供字〔2026〕第0001号",
    )
    assert letter.element_id == "utility_cutoff_approval"
    text = text_of(app, letter, tmp_path)
    for part in (
        "区供电公司",
        "张某",
        "朝阳区望京街道某小区3号楼顶",
        "某应急停字〔2026〕第0003号",
        "2026年2月5日",
        "《中华人民共和国安全生产法》第七十条",
        "主要负责人批准",
        "head2",
        "2026年2月11日9时30分",
        "2026年2月10日9时",
        "二十四小时",
        "第四十三条第二款",
    ):
        assert part in text, part

    drv.go(at("2026-02-11 09:30"))
    drv.do(
        "utility_cutoff_execution",
        {"utility_cutoff": True, "cutoff_done_at": "2026-02-11T09:30:00+08:00"},
    )
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-11")
    P.serve(drv, "2026-02-11")
    P.respond(drv, waived=True)
    P.decide(drv, "demolition_decision", on="2026-02-11")
    P.serve(drv, "2026-02-11")
    drv.go(at("2026-02-12 10:00"))
    drv.send("party_demolished", {"evidence": "照片"})
    # The party complied: the supply is restored at once (安全生产法 Art. 70).
    assert drv.ready() == ["restore_supply_on_compliance"]
    restored = {"restored_at": "2026-02-12T15:00:00+08:00"}
    refused(drv, "restore_supply_on_compliance", restored, art70)
    drv.do(
        "restore_supply_on_compliance",
        {**restored, "restoration_reason": "违法建设已拆除，隐患消除"},
    )
    notice = docs(app, drv)[-1]
    assert (notice.kind, notice.number) == ("恢复供应通知", "某城管恢供字〔2026〕第0001号")
    text = text_of(app, notice, tmp_path)
    for part in (letter.number, "违法建设已拆除，隐患消除", "第七十条第二款", "2026年2月12日15时"):
        assert part in text, part
    # Every PDF's hash is in the trail of the step that issued it.
    issued = {
        i["sha256"] for e in drv.trail() if e.action == "task_completed" for i in e.data["issued"]
    }
    assert {letter.sha256, notice.sha256} <= issued


def test_restoration_without_a_letter_in_force_is_refused(
    real: tuple[App, FixedClock],
) -> None:
    """A withdrawn letter counts for nothing: the notice lifting it has nothing to cite."""
    app, clock = real
    drv = Driver(app, clock)
    to_utility_letter(drv)
    drv.do("utility_letter", LETTER)
    drv.do("utility_cutoff_approval", {"head_approved": True}, actor=DEPUTY_HEAD)
    letter = docs(app, drv)[-1]
    drv.go(at("2026-02-11 09:30"))
    drv.do(
        "utility_cutoff_execution",
        {"utility_cutoff": True, "cutoff_done_at": "2026-02-11T09:30:00+08:00"},
    )
    withdraw_document(app.ctx.uow(), ctx=app.ctx, actor=HEAD, doc_id=letter.id, reason="函号有误")
    P.report(drv, "no_violation")
    drv.do("closure", {"closing_summary": "不予处罚", "credit_recorded": False})
    assert drv.ready() == ["utility_restoration"]
    reason = refused(
        drv,
        "utility_restoration",
        {"restored_at": "2026-02-12T15:00:00+08:00", "restoration_reason": "不予处罚"},
        "安全生产法 Art. 70",
    )
    assert "停止供水供电供气联系函" in reason


def to_confiscation_approval(drv: Driver, **intake: Any) -> None:
    P.file_case(drv, **intake)
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "cannot_demolish")
    drv.do("safety_appraisal", APPRAISAL)
    assert drv.ready() == ["confiscation_approval"]


def test_confiscation_approval_decision_and_hand_over(
    real: tuple[App, FixedClock], tmp_path: Path
) -> None:
    app, clock = real
    drv = Driver(app, clock)
    to_confiscation_approval(drv)
    approve = {"confiscation_approved": True}
    assert "confiscated_items" in refused(drv, "confiscation_approval", approve, "URPL Art. 64")
    drv.do("confiscation_approval", {**approve, "confiscated_items": "三层加建部分（约120平方米）"})
    approval = docs(app, drv)[-1]
    assert (approval.kind, approval.title) == ("没收审批意见", "没收违法建筑审批意见")
    assert approval.number == "某城管没批字〔2026〕第0001号"
    text = text_of(app, approval, tmp_path)
    for part in (
        "市房屋安全鉴定所",
        "拆除将危及相邻建筑",
        "公示",
        "三层加建部分",
        "某市某区人民政府",
    ):
        assert part in text, part

    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10")
    P.serve(drv, "2026-02-10")
    P.respond(drv, waived=True)
    P.decide(drv, "penalty_decision", on="2026-02-10", days=30, penalty="没收实物")
    decision = next(d for d in docs(app, drv) if d.kind == "行政处罚决定书")
    text = text_of(app, decision, tmp_path)
    for part in (approval.number, "三层加建部分", "不能实施拆除", "没收实物", "申请行政复议"):
        assert part in text, part

    # The hand-over once the remedy windows lapsed: the 移交清单 names what goes to whom.
    P.serve(drv, "2026-02-10")
    drv.wait_until("review_window")
    drv.wait_until("lawsuit_window_6m")
    assert drv.ready() == ["confiscation_handover"]
    day = clock.now().astimezone(at("2026-01-01 00:00").tzinfo).date().isoformat()
    hand_over = {
        "handed_over_on": day,
        "receiving_department": "区财政局",
        "inventory_done": True,
    }
    assert "inventory_items" in refused(
        drv, "confiscation_handover", hand_over, "土地管理法实施条例 Art. 58"
    )
    drv.do("confiscation_handover", {**hand_over, "inventory_items": "三层加建房屋一处，结构完好"})
    handed = docs(app, drv)[-1]
    assert (handed.kind, handed.title) == ("财物清单", "没收财物移交清单")
    assert handed.number == "某城管没移字〔2026〕第0001号"
    text = text_of(app, handed, tmp_path)
    for part in (decision.number, "区财政局", "三层加建房屋一处，结构完好", "移交期限至", "九十日"):
        assert part in text, part


def test_a_decision_to_confiscate_needs_the_approval_in_force(
    real: tuple[App, FixedClock],
) -> None:
    """Withdraw the government's approval and the confiscation decision has nothing to rest on
    (浙江 Art. 12: 报本级人民政府决定); the withdrawal is audited and the chain still holds."""
    app, clock = real
    drv = Driver(app, clock)
    to_confiscation_approval(drv)
    drv.do(
        "confiscation_approval",
        {"confiscation_approved": True, "confiscated_items": "三层加建部分"},
    )
    approval = docs(app, drv)[-1]
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10", fine=5000)
    P.serve(drv, "2026-02-10")
    P.respond(drv, waived=True)
    gone = withdraw_document(
        app.ctx.uow(), ctx=app.ctx, actor=HEAD, doc_id=approval.id, reason="审批机关名称有误"
    )
    assert gone.withdrawn_by == "head1" and gone.withdrawn_reason == "审批机关名称有误"
    with pytest.raises(GuardRefused) as caught:
        P.decide(drv, "penalty_decision", on="2026-02-10", days=30, fine=5000, penalty="没收")
    assert caught.value.article == "浙江 Art. 12"
    assert "没收审批意见" in caught.value.reason
    v = verify_document(app.ctx.uow(read_only=True), ctx=app.ctx, key=approval.verify_code)
    assert (v.valid, v.withdrawn_reason) == (False, "审批机关名称有误")
    (event,) = [e for e in drv.trail() if e.action == "document_withdrawn"]
    assert event.data["number"] == approval.number and event.actor == "head1"
    report = services.verify_case(app.ctx.uow(read_only=True), ctx=app.ctx, case_id=drv.now_case.id)
    assert report.valid, report


def test_land_law_confiscation_must_conform_to_the_land_plan(
    real: tuple[App, FixedClock],
) -> None:
    app, clock = real
    drv = Driver(app, clock)
    to_confiscation_approval(drv, legal_basis="LAL77")
    data = {"confiscation_approved": True, "confiscated_items": "地上建筑物一处"}
    assert "土地利用总体规划" in refused(drv, "confiscation_approval", data, "LAL Art. 77")
    drv.do("confiscation_approval", {**data, "conforms_to_land_plan": True})
    assert docs(app, drv)[-1].kind == "没收审批意见"


def test_a_case_past_the_approval_before_it_had_a_template_is_not_blocked(
    real: tuple[App, FixedClock], tmp_path: Path
) -> None:
    """A case under way when the 没收审批意见 template was added passed its approval step
    without a document: its decision is not refused for lacking one (it could not have had it),
    and prints no empty number. A withdrawn one, by contrast, blocks (test above)."""
    app, clock = real
    drv = Driver(app, clock)
    desk = app.ctx.documents
    to_confiscation_approval(drv)
    app.ctx.documents = DocumentDesk(DocumentCatalog(tmp_path / "no-templates"), desk.files)
    drv.do("confiscation_approval", {"confiscation_approved": True})  # the old form
    app.ctx.documents = desk
    assert "没收审批意见" not in [d.kind for d in docs(app, drv)]
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10", fine=5000)
    P.serve(drv, "2026-02-10")
    P.respond(drv, waived=True)
    # What is confiscated is still required; the decision's own form can state it.
    with pytest.raises(GuardRefused) as caught:
        P.decide(drv, "penalty_decision", on="2026-02-10", days=30, fine=5000, penalty="没收")
    assert caught.value.article == "URPL Art. 64"
    P.decide(
        drv,
        "penalty_decision",
        on="2026-02-10",
        days=30,
        fine=5000,
        penalty="没收",
        confiscated_items="三层加建部分",
    )
    decision = docs(app, drv)[-1]
    assert decision.kind == "行政处罚决定书"
    text = text_of(app, decision, tmp_path)
    assert "经某市某区人民政府批准，" in text and "（）" not in text
    assert "没收的建筑物、设施及其范围：三层加建部分" in text


def test_a_late_approval_stops_the_supply_from_the_letter_not_before(
    real: tuple[App, FixedClock], tmp_path: Path
) -> None:
    """Dates are checked where the letter is written (a past stop time is refused there); a head
    who approves after the drafted time is not blocked: the letter stops the supply from its
    issue, still more than 24 h after the party was notified."""
    app, clock = real
    drv = Driver(app, clock)
    to_utility_letter(drv)
    past = {**LETTER, "party_notified_at": "2026-02-08T09:00:00+08:00"}
    past["cutoff_at"] = "2026-02-09T09:00:00+08:00"
    assert "早于今日" in refused(drv, "utility_letter", past, "安全生产法 Art. 70")
    drv.do("utility_letter", LETTER)  # to stop Wed 02-11 09:30
    drv.go(at("2026-02-12 10:15"))
    drv.do("utility_cutoff_approval", {"head_approved": True}, actor=DEPUTY_HEAD)
    letter = docs(app, drv)[-1]
    assert letter.kind == "停止供水供电供气联系函"
    text = text_of(app, letter, tmp_path)
    assert "自2026年2月12日10时15分起停止" in text
    assert "2026年2月11日9时30分" not in text
