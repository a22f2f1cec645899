"""Rendering 文书 with the kept WeasyPrint state and the document font cut to GB 2312: a name
outside the cut font still prints (the full system font takes over), the same data renders the
same text every time, and the cut font is built once and then reused."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from engine import document_fonts
from engine.documents import DocumentCatalog
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("fc-match") is None,
    reason="make system-deps",
)


def text(data: bytes, tmp: Path) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True)
    return "".join(out.stdout.decode("utf-8").split())


def fonts(data: bytes, tmp: Path) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True).stdout.decode()


def context(party: str) -> dict[str, object]:
    return {
        "d": {"facts_and_evidence": "未经许可加盖", "penalty": "限期拆除", "compliance_days": 10},
        "kind": "限期拆除决定书",
        "title": "限期拆除决定书",
        "number": "某城管拆决字〔2026〕第0001号",
        "case_no": "QW-2026-000001",
        "agency": "某市某区城市管理综合行政执法局",
        "party": party,
        "address": "朝阳区望京街道某小区3号楼顶",
        "basis_text": "《中华人民共和国城乡规划法》第六十四条",
        "date_cn": "二〇二六年二月二十五日",
        "date_digits": "2026年2月25日",
        "verify_code": "ABCDEF1234",
        "verify_url": "http://127.0.0.1:8000/#/verify/ABCDEF1234",
        "remedy": "如不服本决定，可以在收到本决定书之日起六十日内申请行政复议。",
    }


def test_the_cut_font_prints_common_text_and_rare_names_fall_back(tmp_path: Path) -> None:
    path = document_fonts.subset_font()
    assert path is not None and path.stat().st_size < 3_000_000  # the source is 5 MB
    catalog = DocumentCatalog.load(ROOT / "documents")
    # 镕 and 堃 are in GBK, not GB 2312: not in the cut font.
    assert ord("镕") not in document_fonts.charset() and ord("张") in document_fonts.charset()
    pdf = catalog.pdf("限期拆除决定书", context("朱镕堃"))
    assert "朱镕堃" in text(pdf, tmp_path)
    assert "某城管拆决字〔2026〕第0001号" in text(pdf, tmp_path)
    used = fonts(pdf, tmp_path)
    assert "Qingwei-Hei" in used  # the cut font does the common text
    assert "WenQuanYi" in used or "Noto" in used  # the full font the rare characters


def test_same_data_same_text_and_the_font_is_cut_once(tmp_path: Path) -> None:
    catalog = DocumentCatalog.load(ROOT / "documents")
    first = catalog.pdf("限期拆除决定书", context("张某"))
    again = DocumentCatalog.load(ROOT / "documents").pdf("限期拆除决定书", context("张某"))
    assert text(first, tmp_path) == text(again, tmp_path)
    built = document_fonts.subset_font()
    assert built is not None
    stamp = built.stat().st_mtime_ns
    assert document_fonts.subset_font() == built and built.stat().st_mtime_ns == stamp
