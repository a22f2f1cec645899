"""文书 as files: the catalog of documents/ (what each kind must state), the check, the rendering.

The templates and their declared contents live in `documents/` beside `processes/` and `forms/`
so that a city's legal office can read and change them without reading Python. This module
knows nothing of the database: given the case data and the settings it says whether the law's
required contents are there (a Refusal naming the article) and turns a stored context into HTML
and A4 PDF bytes (WeasyPrint, autoescaped Jinja2). The same context renders the same text, so
a stored document's data can be re-rendered to check it; the stored bytes remain the record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
import segno

from engine.guards import Refusal

CN_DIGITS = "〇一二三四五六七八九"
BASIS_TEXT = {
    "URPL64": "《中华人民共和国城乡规划法》第六十四条",
    "URPL65": "《中华人民共和国城乡规划法》第六十五条",
    "LAL77": "《中华人民共和国土地管理法》第七十七条",
    "LAL78": "《中华人民共和国土地管理法》第七十八条",
}
METHOD_CN = {
    "direct": "直接送达",
    "left": "留置送达",
    "electronic": "电子送达",
    "post": "邮寄送达",
    "public_notice": "公告送达",
}
# What a remedy statement must name (APL Art. 59(5), ACL Art. 37(3)).
REMEDY_TEXT = (
    "如不服本决定，可以在收到本决定书之日起{review_period}内向{review_body}申请行政复议，"
    "或者在{lawsuit_period}内直接向{lawsuit_court}提起行政诉讼。"
    "行政复议和行政诉讼期间，本决定不停止执行，法律另有规定的除外。"
)


def cn_date(value: date | str | None) -> str:
    """2026年8月26日: how a deadline is written in the body of a Chinese document."""
    if value is None or value == "":
        return ""
    d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{d.year}年{d.month}月{d.day}日"


def _cn_number(n: int) -> str:
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return f"{head}十{CN_DIGITS[ones] if ones else ''}"


def cn_date_numerals(d: date) -> str:
    """二〇二六年三月二日: how the date under the agency's name (落款) is written."""
    year = "".join(CN_DIGITS[int(c)] for c in str(d.year))
    return f"{year}年{_cn_number(d.month)}月{_cn_number(d.day)}日"


def _as_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _present(value: Any) -> bool:
    return value not in (None, "", False, [], {})


@dataclass(frozen=True)
class Requirement:
    field: str
    what: str


@dataclass(frozen=True)
class After:
    field: str
    than: str
    days: int
    what: str


@dataclass(frozen=True)
class Kind:
    """One 文书 kind as documents/catalog.json declares it."""

    name: str
    template: str
    code: str
    basis: str
    requires: tuple[Requirement, ...] = ()
    remedy: str | None = None
    not_past: tuple[str, ...] = ()
    after: tuple[After, ...] = ()
    when: Mapping[str, Any] | None = None
    elements: tuple[str, ...] = ()
    date_field: str | None = None

    def applies(self, element_id: str, data: Mapping[str, Any]) -> bool:
        """Whether the task issues this kind with this data (e.g. the correction order only
        when correction was chosen, not a stop order alone)."""
        if self.elements and element_id not in self.elements:
            return False
        if self.when is not None:
            return data.get(str(self.when["field"])) in list(self.when["in"])
        return True

    def refusal(self, data: Mapping[str, Any], today: date) -> Refusal | None:
        """The first content the statute requires that the data lacks, as a Refusal."""
        for r in self.requires:
            if not _present(data.get(r.field)):
                return self._refuse(
                    f"{self.name}须载明{r.what}（{r.field}）/ the document must state it"
                )
        if self.remedy is not None and data.get(self.remedy) is not True:
            return self._refuse(
                f"{self.name}须告知申请行政复议、提起行政诉讼的途径和期限（{self.remedy}）"
                " / the remedy statement is missing"
            )
        for name in self.not_past:
            d = _as_date(data.get(name))
            if d is not None and d < today:
                return self._refuse(
                    f"{self.name}的日期{cn_date(d)}早于今日{cn_date(today)}（{name}）"
                    " / a date of the document is in the past"
                )
        for a in self.after:
            later, earlier = _as_date(data.get(a.field)), _as_date(data.get(a.than))
            if later is not None and earlier is not None and later < earlier + timedelta(a.days):
                return self._refuse(
                    f"{a.what}：{cn_date(later)}须不早于{cn_date(earlier + timedelta(a.days))}"
                    f"（{a.field}）/ too early"
                )
        return None

    def _refuse(self, reason: str) -> Refusal:
        return Refusal(self.basis, "document_content", reason)


def _kind(name: str, raw: Mapping[str, Any]) -> Kind:
    return Kind(
        name=name,
        template=str(raw["template"]),
        code=str(raw["code"]),
        basis=str(raw["basis"]),
        requires=tuple(
            Requirement(str(r["field"]), str(r["what"])) for r in raw.get("requires", ())
        ),
        remedy=raw.get("remedy"),
        not_past=tuple(raw.get("not_past", ())),
        after=tuple(
            After(str(a["field"]), str(a["than"]), int(a["days"]), str(a["what"]))
            for a in raw.get("after", ())
        ),
        when=raw.get("when"),
        elements=tuple(raw.get("elements", ())),
        date_field=raw.get("date"),
    )


@dataclass
class DocumentCatalog:
    """The kinds of documents/ and their templates; loaded once per process."""

    root: Path
    kinds: dict[str, Kind] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> DocumentCatalog:
        path = root / "catalog.json"
        if not path.is_file():
            return cls(root)  # no templates: tasks list document names only, as before
        raw = json.loads(path.read_text(encoding="utf-8"))
        kinds = {k: _kind(k, v) for k, v in raw.items() if not k.startswith("$")}
        for kind in kinds.values():
            if not (root / kind.template).is_file():
                raise ValueError(f"documents/catalog.json: {kind.name}: no {kind.template}")
        return cls(root, kinds)

    def for_task(
        self, element_id: str, names: tuple[str, ...], data: Mapping[str, Any]
    ) -> list[Kind]:
        """The kinds a task issues: those it lists that have a template and whose condition
        holds, in the task's order."""
        return [
            self.kinds[n]
            for n in names
            if n in self.kinds and self.kinds[n].applies(element_id, data)
        ]

    @cached_property
    def _env(self) -> jinja2.Environment:
        return jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.root)),
            autoescape=True,
            undefined=jinja2.ChainableUndefined,
            keep_trailing_newline=True,
        )

    @cached_property
    def _css(self) -> str:
        css = self.root / "document.css"
        return css.read_text(encoding="utf-8") if css.is_file() else ""

    def html(self, kind: str, context: Mapping[str, Any]) -> str:
        """The document's HTML: the stored context plus its QR code (derived, not stored)."""
        qr = segno.make(str(context.get("verify_url", "")), error="m")
        template = self._env.get_template(self.kinds[kind].template)
        return template.render(**context, css=self._css, qr=qr.svg_data_uri(border=1))

    def pdf(self, kind: str, context: Mapping[str, Any]) -> bytes:
        """The A4 PDF; WeasyPrint is imported lazily (it loads Pango and fonts once)."""
        import weasyprint

        html = weasyprint.HTML(string=self.html(kind, context), base_url=str(self.root))
        data: bytes = html.write_pdf()
        return data
