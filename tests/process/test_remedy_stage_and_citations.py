"""Issue 9, items 15 and the stage list: the remedy windows show their own stage, and the
lead check cites the regulation its 15 + 10 days come from.

Dates: filed Tue 2026-02-10, decided and served Thu 02-12.
"""

from __future__ import annotations

from engine.services.ledger_labels import STAGES, name
from engine.statutes import check_basis
from tests.process import paths as P
from tests.process.driver import Driver, at, midnight

LEAD_CHECK_RULE = "住房和城乡建设行政处罚程序规定"


def test_the_remedy_windows_show_their_own_stage(drv: Driver) -> None:
    """A confiscation waits for the review and lawsuit windows only (no period to comply): the
    case shows 复议诉讼期限, not 履行期限, until they lapse."""
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "cannot_demolish")
    P.appraise_and_approve_confiscation(drv, "三层加建部分（约120平方米）")
    P.notice_and_waiver(drv, "2026-02-12")
    P.decide(drv, "penalty_decision", on="2026-02-12", days=30, penalty="没收实物")
    P.serve(drv, "2026-02-12")
    assert drv.timers() == {"review_window": midnight("2026-04-14")}
    assert drv.now_case.stage == "remedy_period"
    drv.wait_until("review_window")
    assert drv.timers() == {"lawsuit_window_6m": midnight("2026-08-13")}
    assert drv.now_case.stage == "remedy_period"
    drv.wait_until("lawsuit_window_6m")
    assert drv.ready() == ["confiscation_handover"]
    assert drv.stage_path()[-3:] == ["service", "remedy_period", "confiscation"]
    assert name(STAGES, "remedy_period") == "复议诉讼期限"


def test_the_lead_check_cites_the_ministry_rule_by_name(drv: Driver) -> None:
    """The 15-day lead check and its 10-day extension are the 住房和城乡建设行政处罚程序规定's
    (住房和城乡建设部令第55号), whose text is not shipped: cited by name, without an article
    number, and no longer as PROCEDURE §2.3."""
    drv.open(P.INTAKE)
    timer = drv.timer("lead_check_deadline")
    assert timer.basis == f"{LEAD_CHECK_RULE} (lead check 15 CD)"
    assert check_basis(timer.basis) == []
    drv.go(at("2026-02-24 10:00"))
    drv.do("lead_check", {"check_result": "extend", "check_summary": "需补充核查"})
    drv.do("lead_check_extension", {"extension_approved": True})
    extended = drv.timer("lead_check_extended_deadline")
    assert extended.basis == f"{LEAD_CHECK_RULE} (extension 10 CD, head's approval)"
    done = {e.element_id: e.basis for e in drv.trail() if e.action == "task_completed"}
    assert done["lead_check"].startswith(LEAD_CHECK_RULE)
    assert done["lead_check_extension"].startswith(LEAD_CHECK_RULE)
    assert not any("PROCEDURE §2.3" in (b or "") for b in done.values())


def test_service_cites_what_each_article_covers(drv: Driver) -> None:
    """APL Art. 61 covers only the 处罚决定书; the demand and the enforcement decision are
    served under ACL Art. 38; both by the CPL's methods."""
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10")
    P.serve(drv, "2026-02-10")
    (served,) = [e for e in drv.trail() if e.element_id == "serve_document"]
    assert served.basis is not None
    assert "APL Art. 61 (处罚决定书)" in served.basis
    assert "ACL Art. 38" in served.basis
    assert check_basis(served.basis) == []
