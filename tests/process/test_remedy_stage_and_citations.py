"""Issue 9, item 15: the remedy windows show their own stage.

Dates: filed Tue 2026-02-10, decided and served Thu 02-12.
"""

from __future__ import annotations

from engine.services.ledger_labels import STAGES, name
from tests.process import paths as P
from tests.process.driver import Driver, midnight


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
