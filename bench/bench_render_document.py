"""Render time per 文书 kind: HTML (Jinja2) + A4 PDF (WeasyPrint) + QR, as a step issues it.

Goal (issue 11): a decision (限期拆除决定书) in at most 300 ms on this machine. The first render
of a process pays for loading fonts and Pango (and, once per machine, for cutting the document
font, engine/document_fonts.py); the figures are the median and the worst of the warm renders
after it.  Run: .venv/bin/python bench/bench_render_document.py [rounds] [--profile]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

from engine.document_fonts import subset_font
from engine.documents import DocumentCatalog

ROOT = Path(__file__).resolve().parents[1]

DATA: dict[str, Any] = {
    "address": "朝阳区望京街道某小区3号楼顶",
    "description": "楼顶加盖彩钢板房",
    "area_m2": 45.0,
    "case_cause": "未批先建",
    "source": "hotline",
    "facts_and_evidence": "未经许可加盖",
    "legal_basis_text": "《城乡规划法》第六十四条",
    "penalty": "限期拆除",
    "compliance_days": 10,
    "intended_penalty": "限期拆除",
    "facts_and_reasons": "未取得规划许可",
    "hearing_place": "区城管执法局听证室",
    "chair_name": "李某",
    "recipient": "张某",
    "performance_deadline_text": "十个工作日内",
    "performance_method": "自行拆除",
    "reasons": "逾期不拆除",
    "basis": "《行政强制法》第三十七条",
    "method": "强制拆除",
    "defer_reason": "当事人无其他住房",
    "closing_summary": "已办结",
}


def context(kind: str) -> dict[str, Any]:
    return {
        "d": DATA,
        "kind": kind,
        "title": kind,
        "number": "某城管拆决字〔2026〕第0001号",
        "case_no": "QW-2026-000001",
        "agency": "某市某区城市管理综合行政执法局",
        "party": "张某",
        "address": DATA["address"],
        "basis_text": "《中华人民共和国城乡规划法》第六十四条",
        "date_cn": "二〇二六年二月二十五日",
        "date_digits": "2026年2月25日",
        "verify_code": "ABCDEF1234",
        "verify_url": "http://127.0.0.1:8000/verify/ABCDEF1234",
        "remedy": "如不服本决定，可以在收到本决定书之日起六十日内向某市某区人民政府申请行政复议，"
        "或者在六个月内直接向某市某区人民法院提起行政诉讼。",
        "decision_title": "限期拆除决定书",
        "decision_number": "某城管拆决字〔2026〕第0001号",
        "decision_date_cn": "2026年2月25日",
        "statement_deadline_cn": "2026年2月13日",
        "hearing_right": True,
        "hearing_date_cn": "2026年3月2日",
        "demolition_date_cn": "2026年4月14日",
        "own_deadline_cn": "2026年4月13日",
        "belongings_deadline_cn": "2026年4月4日",
        "served_title": "限期拆除决定书",
        "served_number": "某城管拆决字〔2026〕第0001号",
        "method_cn": "直接送达",
        "served_on_cn": "2026年2月25日",
    }


def profile(rounds: int) -> None:
    """Where a warm decision render spends its time (cProfile, cumulative, top 25)."""
    import cProfile
    import pstats

    catalog = DocumentCatalog.load(ROOT / "documents")
    catalog.pdf("限期拆除决定书", context("限期拆除决定书"))
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(rounds):
        catalog.pdf("限期拆除决定书", context("限期拆除决定书"))
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


def main(rounds: int = 10) -> int:
    t0 = time.perf_counter()
    font = subset_font()
    print(
        f"document font {font}: {(time.perf_counter() - t0) * 1000:.0f} ms (cut once per machine)"
    )
    catalog = DocumentCatalog.load(ROOT / "documents")
    t0 = time.perf_counter()
    catalog.pdf("限期拆除决定书", context("限期拆除决定书"))
    print(f"first render (fonts, Pango, CSS): {(time.perf_counter() - t0) * 1000:.0f} ms")
    print(f"{'kind':<14} {'median ms':>10} {'max ms':>8} {'KiB':>6}")
    decision_ms = 0.0
    for kind in catalog.kinds:
        times, size = [], 0
        for _ in range(rounds):
            t = time.perf_counter()
            size = len(catalog.pdf(kind, context(kind)))
            times.append((time.perf_counter() - t) * 1000)
        med = statistics.median(times)
        print(f"{kind:<14} {med:>10.0f} {max(times):>8.0f} {size / 1024:>6.0f}")
        if kind == "限期拆除决定书":
            decision_ms = med
    ok = decision_ms <= 300
    print(f"decision median {decision_ms:.0f} ms: {'within' if ok else 'OVER'} the 300 ms goal")
    return 0 if ok else 1


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 10
    if "--profile" in sys.argv:
        profile(n)
        sys.exit(0)
    sys.exit(main(n))
