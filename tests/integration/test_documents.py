"""文书 issued in the step (issue 11), on SQLite and PostgreSQL: the forced path issues each
document in order with gapless numbers and every PDF's hash in the trail; the PDFs say what the
law asks; concurrent issuing never repeats or skips a number; missing contents are refused."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import services
from engine.bootstrap import App, build
from engine.clock import FixedClock
from engine.config import Settings
from engine.errors import GuardRefused
from engine.services.documents import (
    case_documents,
    document_pdf,
    issue,
    rerender_text_source,
    verify_document,
)
from engine.store.models import Case
from tests.process import paths as P
from tests.process.conftest import DESIGNER, FORMS, HOLIDAYS, bpmn_files
from tests.process.driver import OFFICER, Driver, at, midnight

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="make system-deps")

FORCED_PATH_DOCS = [
    "立案审批表",
    "责令停止违法行为通知书",
    "责令限期改正通知书",
    "行政处罚事先告知书",
    "送达回证",
    "限期拆除决定书",
    "送达回证",
    "催告书",
    "送达回证",
    "强制执行决定书",
    "送达回证",
    "强制拆除公告",
    "结案报告",
]


@pytest.fixture
def real(db_url: str, tmp_path: Path) -> Iterator[tuple[App, FixedClock]]:
    """The real processes and forms on this database, files in a scratch store."""
    settings = Settings(
        database_url=db_url,
        forms_dir=FORMS,
        secret_key="t",
        holidays_file=HOLIDAYS,
    )
    settings.files.root = tmp_path / "files"
    clock = FixedClock(at("2026-02-10 09:00"))
    app = build(settings, clock)
    services.deploy_process(app.ctx.uow(), ctx=app.ctx, files=bpmn_files(), actor=DESIGNER)
    yield app, clock
    app.close()


def pdftext(data: bytes, tmp: Path) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    )
    # pdftotext breaks lines where the page does; the checks read the running text.
    return "".join(out.stdout.decode("utf-8").split())


def forced_path(drv: Driver) -> None:
    """test_main_path's forced-demolition path, up to the closing report."""
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10")
    P.report(drv, "not_correctable")
    P.legal_review(drv)
    P.advance_notice(drv, "2026-02-10")
    P.serve(drv, "2026-02-10")
    drv.go(midnight("2026-02-25"))
    drv.go(at("2026-02-25 09:00"))
    P.decide(drv, "demolition_decision", on="2026-02-25", days=10)
    P.serve(drv, "2026-02-25")
    drv.wait_until("compliance_deadline")
    drv.go(at("2026-03-10 09:00"))
    P.demand(drv, "2026-03-10")
    P.serve(drv, "2026-03-10")
    drv.wait_until("demand_period")
    drv.go(at("2026-03-25 09:00"))
    P.enforcement_decision(drv, "2026-03-25")
    P.serve(drv, "2026-03-25")
    P.public_notice(drv, "2026-03-25")
    drv.wait_until("public_notice_period")
    drv.wait_until("review_window")
    drv.wait_until("lawsuit_window_6m")
    drv.go(at("2026-08-26 09:00"))
    P.forced_demolition(drv, "2026-08-26T09:30:00+08:00")
    P.close(drv, "2026-08-26")


def test_forced_path_issues_every_document_numbered_hashed_and_stating_the_law(
    real: tuple[App, FixedClock], tmp_path: Path
) -> None:
    app, clock = real
    drv = Driver(app, clock)
    forced_path(drv)
    case_id = drv.now_case.id
    docs = case_documents(app.ctx.uow(read_only=True), case_id=case_id)
    assert [d.kind for d in docs] == FORCED_PATH_DOCS

    # Gapless per kind (and year): the receipts are 1..4, every other kind starts at 1.
    by_kind: dict[str, list[str]] = {}
    for d in docs:
        by_kind.setdefault(d.kind, []).append(d.number)
    assert by_kind["送达回证"] == [f"某城管送字〔2026〕第{i:04d}号" for i in (1, 2, 3, 4)]
    assert by_kind["限期拆除决定书"] == ["某城管拆决字〔2026〕第0001号"]

    # Every PDF's hash is in the event of the step that issued it.
    issued_in_trail = {
        i["sha256"]: (e.element_id, i["number"])
        for e in drv.trail()
        if e.action == "task_completed"
        for i in e.data.get("issued", [])
    }
    assert {d.sha256: (d.element_id, d.number) for d in docs} == issued_in_trail

    texts = {}
    for d in docs:
        _view, data = document_pdf(app.ctx.uow(read_only=True), ctx=app.ctx, doc_id=d.id)
        assert data.startswith(b"%PDF")
        texts[(d.kind, d.number)] = pdftext(data, tmp_path)
        # Re-rendering the stored data gives the same text; the stored bytes stay the record.
        again = rerender_text_source(app.ctx.uow(read_only=True), ctx=app.ctx, doc_id=d.id)
        assert pdftext(again, tmp_path) == texts[(d.kind, d.number)]
        # Verifiable by anyone, by hash or by the printed code.
        v = verify_document(app.ctx.uow(read_only=True), ctx=app.ctx, key=d.sha256)
        assert (v.number, v.kind) == (d.number, d.kind)
        assert d.verify_code in texts[(d.kind, d.number)]
    for (kind, number), text in texts.items():
        assert number in text and kind in text, kind
        assert "张某" in text, kind
        assert "朝阳区望京街道某小区3号楼顶" in text, kind
        assert "某市某区城市管理综合行政执法局" in text, kind

    decision = texts[("限期拆除决定书", "某城管拆决字〔2026〕第0001号")]
    assert "《中华人民共和国城乡规划法》第六十四条" in decision
    assert "2026年2月25日" in decision and "二〇二六年二月二十五日" in decision
    assert "申请行政复议" in decision and "提起行政诉讼" in decision  # APL Art. 59(5)
    assert "10日内" in decision
    demand = texts[("催告书", "某城管催字〔2026〕第0001号")]
    assert "第三十五条" in demand and "十个工作日内" in demand and "陈述和申辩" in demand
    assert "某城管拆决字〔2026〕第0001号" in demand
    enforcement = texts[("强制执行决定书", "某城管强决字〔2026〕第0001号")]
    assert "第三十七条" in enforcement and "强制拆除" in enforcement
    assert "申请行政复议" in enforcement and "提起行政诉讼" in enforcement  # ACL Art. 37(3)
    notice = texts[("强制拆除公告", "某城管拆告字〔2026〕第0001号")]
    assert "第四十四条" in notice
    # Demolition 20 days after the notice (04-14), own deadline the day before, belongings 04-04.
    assert "2026年4月13日前自行拆除" in notice and "2026年4月14日" in notice
    assert "2026年4月4日前清理" in notice
    advance = texts[("行政处罚事先告知书", "某城管罚告字〔2026〕第0001号")]
    # Statement period 3 WD from Tue 02-10: 11, 12, 13 -> Fri 2026-02-13.
    assert "2026年2月13日前" in advance and "第四十四条" in advance

    # Each receipt links to the document it served, with method, recipient and date.
    receipts = [d for d in docs if d.kind == "送达回证"]
    served = {d.id: d for d in docs}
    assert [served[r.serves_id].kind for r in receipts if r.serves_id] == [
        "行政处罚事先告知书",
        "限期拆除决定书",
        "催告书",
        "强制执行决定书",
    ]
    decision_doc = next(d for d in docs if d.kind == "限期拆除决定书")
    assert (decision_doc.served_at, decision_doc.service_method, decision_doc.recipient) == (
        "2026-02-25",
        "direct",
        "张某",
    )


def test_stop_only_issues_no_correction_order(
    real: tuple[App, FixedClock],
) -> None:
    app, clock = real
    drv = Driver(app, clock)
    P.file_case(drv)
    P.investigate(drv, on="2026-02-10", stop_order={"order_kind": "stop"})
    kinds = [d.kind for d in case_documents(app.ctx.uow(), case_id=drv.now_case.id)]
    assert kinds == ["立案审批表", "责令停止违法行为通知书"]


def test_decision_without_remedy_statement_is_refused_with_the_article(
    real: tuple[App, FixedClock],
) -> None:
    app, clock = real
    drv = Driver(app, clock)
    P.to_decision(drv)
    before = len(case_documents(app.ctx.uow(), case_id=drv.now_case.id))
    with pytest.raises(GuardRefused) as refused:
        P.decide(drv, "demolition_decision", on="2026-02-10", rights=False)
    assert refused.value.article == "APL Art. 59"
    assert "救济" in refused.value.reason or "remedy" in refused.value.reason
    assert len(case_documents(app.ctx.uow(), case_id=drv.now_case.id)) == before
    assert drv.trail()[-1].action == "guard_refused"
    assert drv.trail()[-1].basis == "APL Art. 59"
    # A decision dated before today is refused too (no back-dating).
    with pytest.raises(GuardRefused) as past:
        P.decide(drv, "demolition_decision", on="2026-02-09")
    assert past.value.article == "APL Art. 59"


def test_public_notice_whose_demolition_date_is_the_notice_date_is_refused(
    real: tuple[App, FixedClock],
) -> None:
    app, clock = real
    drv = Driver(app, clock)
    forced_to_notice(drv)
    data = {
        "public_notice_at": "2026-03-25",
        "demolition_date": "2026-03-25",
        "belongings_deadline": "2026-03-25",
        "posted_at_site": True,
    }
    with pytest.raises(GuardRefused) as refused:
        drv.do("public_notice", data)
    assert refused.value.article == "ACL Art. 44"
    # A demolition date in the past is refused as well.
    with pytest.raises(GuardRefused) as past:
        drv.do("public_notice", {**data, "demolition_date": "2026-03-01"})
    assert past.value.article == "ACL Art. 44"
    P.public_notice(drv, "2026-03-25")
    assert "强制拆除公告" in [
        d.kind for d in case_documents(app.ctx.uow(), case_id=drv.now_case.id)
    ]


def forced_to_notice(drv: Driver) -> None:
    P.to_decision(drv)
    P.decide(drv, "demolition_decision", on="2026-02-10", days=10)
    P.serve(drv, "2026-02-10")
    drv.wait_until("compliance_deadline")
    drv.go(at("2026-03-10 09:00"))
    P.demand(drv, "2026-03-10")
    P.serve(drv, "2026-03-10")
    drv.wait_until("demand_period")
    drv.go(at("2026-03-25 09:00"))
    P.enforcement_decision(drv, "2026-03-25")
    P.serve(drv, "2026-03-25")


def test_eight_concurrent_issuings_get_eight_consecutive_numbers(
    real: tuple[App, FixedClock],
) -> None:
    app, _ = real
    ctx = app.ctx
    case_ids = [
        services.open_case(
            ctx.uow(), ctx=ctx, actor=OFFICER, process_key="enforcement", data=P.INTAKE
        ).id
        for _ in range(8)
    ]
    kind = ctx.documents.catalog.kinds["催告书"]
    data = {
        **P.INTAKE,
        "demand_issued_on": "2026-02-10",
        "performance_deadline_text": "十个工作日内",
        "performance_method": "自行拆除",
        "statement_rights_stated": True,
    }
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def one(case_id: int) -> None:
        try:
            barrier.wait()  # all start together; the database alone orders them
            with ctx.uow() as uow:
                case = uow.session.get(Case, case_id) if uow.session else None
                assert case is not None
                issue(
                    uow,
                    ctx=ctx,
                    case=case,
                    kind=kind,
                    data=data,
                    element_id="demand",
                    task_id=None,
                    actor=OFFICER,
                    now=ctx.clock.now(),
                )
                ctx.commit(uow)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(c,)) for c in case_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(d.number for c in case_ids for d in case_documents(ctx.uow(), case_id=c))
    assert numbers == [f"某城管催字〔2026〕第{i:04d}号" for i in range(1, 9)]


def test_verification_answers_404_for_anything_not_genuine(
    real: tuple[App, FixedClock],
) -> None:
    app, clock = real
    drv = Driver(app, clock)
    P.file_case(drv)
    from engine.errors import NotFound

    for key in ("0" * 64, "ABCDEF1234", "not-a-hash"):
        with pytest.raises(NotFound):
            verify_document(app.ctx.uow(), ctx=app.ctx, key=key)


def test_audit_verify_rehashes_the_stored_documents(real: tuple[App, FixedClock]) -> None:
    """A PDF altered (or removed) in the file store fails the case's verification, naming the
    event that recorded its hash."""
    app, clock = real
    drv = Driver(app, clock)
    P.file_case(drv)
    ctx = app.ctx
    case_id = drv.now_case.id
    assert services.verify_case(ctx.uow(), ctx=ctx, case_id=case_id).valid
    doc = case_documents(ctx.uow(), case_id=case_id)[0]
    root = ctx.settings.files.root
    assert root is not None
    path = root / doc.sha256[:2] / doc.sha256[2:4] / doc.sha256
    path.write_bytes(path.read_bytes() + b"%altered")
    report = services.verify_case(ctx.uow(), ctx=ctx, case_id=case_id)
    issuing = next(e for e in drv.trail() if e.element_id == "filing_approval")
    assert (report.valid, report.first_bad_seq) == (False, issuing.seq)
    assert doc.number in (report.reason or "")
    everything = services.verify_all(ctx.uow(), ctx=ctx)
    assert [(f.case_id, f.first_bad_seq) for f in everything] == [(case_id, issuing.seq)]
    path.unlink()
    assert not services.verify_case(ctx.uow(), ctx=ctx, case_id=case_id).valid
