"""The basis table: an article a `basis` cites must exist in the statutes the project ships."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from engine import statutes
from engine.bootstrap import App
from engine.statutes import check_basis
from tests.conftest import ROOT
from tests.validation.helpers import errors_of, variant

SHARED = Path("/work/shared/legal/statutes")
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}property"


@pytest.mark.parametrize(
    "basis",
    [
        "APL Art. 64",
        "ACL Art. 56, 58",
        "APL Art. 61; CPL Art. 87-95",
        "ACL Art. 43(2); 安全生产法 Art. 70",
        "APL Art. 61, 85 (处罚决定书; policy for other documents)",
        "SPC ALL interpretation Art. 64",
        "北京 Art. 78",
        "URPL Art. 68; 上海 Art. 10; 浙江 Art. 16",
        "行政强制法 Art. 71",
        "policy: re-inspection (回头看)",
        "PROCEDURE §2.3 (lead check 15 CD)",
        "住房和城乡建设行政处罚程序规定 (lead check 15 CD)",
        "住建部令第55号; APL Art. 54",
    ],
)
def test_real_bases_pass(basis: str) -> None:
    assert check_basis(basis) == []


@pytest.mark.parametrize(
    ("basis", "zh", "en"),
    [
        ("XYZ Art. 999", "未知法律法规「XYZ」", "unknown statute 'XYZ'"),
        ("APL Art. 999", "没有第 999 条", "APL has no article 999 (it has 86)"),
        ("APL Art. 64; ACL Art. 72", "没有第 72 条", "ACL has no article 72 (it has 71)"),
        ("CPL Art. 300-310", "没有第 300-310 条", "CPL has no article 300-310"),
        ("APL 64", "无法识别", "cannot read 'APL 64'"),
        ("PROCEDURE §2.18", "没有第 2.18", "PROCEDURE.md has no section or step 2.18"),
        ("PROCEDURE §14", "没有第 14", "no section or step 14"),
        (
            "行政处罚法 (a shipped statute needs its article)",
            "无法识别",
            "cannot read '行政处罚法'",
        ),
    ],
)
def test_unknown_statutes_and_articles_fail(basis: str, zh: str, en: str) -> None:
    problems = check_basis(basis)
    assert problems, basis
    assert any(zh in p.zh for p in problems), [p.zh for p in problems]
    assert any(en in p.en for p in problems), [p.en for p in problems]


def test_chinese_numerals() -> None:
    assert [
        statutes.cn_number(t) for t in ("一", "十", "十五", "二十", "一百零三", "三百零六")
    ] == [
        1,
        10,
        15,
        20,
        103,
        306,
    ]


@pytest.mark.skipif(not SHARED.is_dir(), reason="the statute texts are not on this machine")
def test_the_shipped_table_is_what_the_statute_texts_say() -> None:
    rebuilt = statutes.build(SHARED)
    shipped = json.loads(statutes.TABLE.read_text(encoding="utf-8"))
    assert rebuilt == shipped
    assert {e["source"] for e in shipped["statutes"].values() if e.get("text_shipped", True)} == {
        p.name for p in SHARED.glob("*.md")
    }
    # A regulation cited by name whose text is not shipped lists no articles to check.
    unshipped = [e for e in shipped["statutes"].values() if not e.get("text_shipped", True)]
    assert [e["title"] for e in unshipped] == ["住房和城乡建设行政处罚程序规定"]
    assert all(e["articles"] == [] for e in unshipped)


def test_a_timer_citing_a_missing_article_is_refused_naming_it(app: App) -> None:
    errors = errors_of(app, variant(('value="ARL Art. 20"', 'value="XYZ Art. 999"')))
    assert len(errors) == 1, errors
    line = errors[0]
    assert "元素 element compliance_timer「复议期限 Review window」" in line
    assert "XYZ Art. 999" in line and "rule basis" in line
    errors = errors_of(app, variant(('value="ARL Art. 20"', 'value="APL Art. 999"')))
    assert len(errors) == 1 and "APL has no article 999" in errors[0], errors


def test_a_task_basis_is_checked_too(app: App) -> None:
    prop = '<spiffworkflow:property name="stage" value="decision" />'
    xml = variant((prop, prop + '<spiffworkflow:property name="basis" value="URPL Art. 99" />'))
    errors = errors_of(app, xml)
    assert len(errors) == 1 and "元素 element decide" in errors[0], errors
    assert "URPL has no article 99" in errors[0]


def test_every_basis_in_the_shipped_processes_passes() -> None:
    failing = []
    for path in sorted((ROOT / "processes").glob("*.bpmn")):
        for prop in etree.parse(str(path)).getroot().iter(SPIFF):
            if prop.get("name") == "basis" and check_basis(prop.get("value", "")):
                owner = prop.getparent().getparent().getparent()
                failing.append((path.name, owner.get("id"), prop.get("value")))
    assert failing == []
