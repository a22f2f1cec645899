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
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
import segno

from engine.calendar import TZ as _TZ
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
CUTOFF_BASIS_TEXT = {
    "safety_law_70": "《中华人民共和国安全生产法》第七十条",
    "construction_site_supply": "《北京市城乡规划条例》第六十五条等关于施工用水、用电的规定",
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


def cn_datetime(value: Any) -> str:
    """2026年2月11日9时30分 (local time) for an instant with its offset; a bare date as cn_date."""
    if value in (None, ""):
        return ""
    text = str(value)
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return cn_date(text) if len(text) >= 10 else text
    if instant.tzinfo is not None:
        instant = instant.astimezone(_TZ)
    minutes = f"{instant.minute}分" if instant.minute else ""
    return f"{cn_date(instant.date())}{instant.hour}时{minutes}"


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


def _as_instant(value: Any) -> datetime | None:
    """A date-time with its offset (a date alone is not precise enough for hours)."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _holds(cond: Mapping[str, Any] | None, data: Mapping[str, Any]) -> bool:
    """A catalog condition {"field", "in": [values]}; no condition always holds."""
    return cond is None or data.get(str(cond["field"])) in list(cond["in"])


@dataclass(frozen=True)
class Requirement:
    field: str
    what: str
    basis: str | None = None  # another article than the kind's (e.g. one basis of a cutoff)
    when: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class After:
    field: str
    than: str
    days: int
    what: str
    hours: int = 0  # with hours both fields are date-times with offsets (24 h notice)
    basis: str | None = None


@dataclass(frozen=True)
class Prior:
    """A document of the case this one rests on (the approval a decision cites, the decision a
    hand-over executes, the letter a restoration lifts): issued and not withdrawn."""

    kind: str
    what: str
    basis: str | None = None
    when: Mapping[str, Any] | None = None


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
    title: str | None = None
    checked_at: tuple[str, ...] = ()
    prior: tuple[Prior, ...] = ()

    @property
    def heading(self) -> str:
        """What the document is titled (the kind is the name tasks list)."""
        return self.title or self.name

    def applies(self, element_id: str, data: Mapping[str, Any]) -> bool:
        """Whether the task issues this kind with this data (e.g. the correction order only
        when correction was chosen, not a stop order alone)."""
        if self.elements and element_id not in self.elements:
            return False
        return _holds(self.when, data)

    def refusal(
        self,
        data: Mapping[str, Any],
        today: date,
        issued: Mapping[str, date] | None = None,
        *,
        drafting: bool = False,
    ) -> Refusal | None:
        """The first content the statute requires that the data lacks, as a Refusal.

        `issued` maps the kinds already issued in the case (and not withdrawn) to the date of
        the latest; None skips the checks of prior documents (the caller has no case). A kind
        drafted in one task and issued in another (`checked_at`) has its dates checked against
        today where it is drafted only: by the approval they may have passed, and the approver
        cannot change them (the document then states the issue time instead)."""
        for r in self.requires:
            if _holds(r.when, data) and not _present(data.get(r.field)):
                return self._refuse(
                    f"{self.heading}须载明{r.what}（{r.field}）/ the document must state it",
                    r.basis,
                )
        if self.remedy is not None and data.get(self.remedy) is not True:
            return self._refuse(
                f"{self.heading}须告知申请行政复议、提起行政诉讼的途径和期限（{self.remedy}）"
                " / the remedy statement is missing"
            )
        for name in self.not_past if drafting or not self.checked_at else ():
            d = _as_date(data.get(name))
            if d is not None and d < today:
                return self._refuse(
                    f"{self.heading}的日期{cn_date(d)}早于今日{cn_date(today)}（{name}）"
                    " / a date of the document is in the past"
                )
        for a in self.after:
            refusal = self._after(a, data)
            if refusal is not None:
                return refusal
        if issued is not None:
            for p in self.prior:
                refusal = self._prior(p, data, issued)
                if refusal is not None:
                    return refusal
        return None

    def _after(self, a: After, data: Mapping[str, Any]) -> Refusal | None:
        if a.hours:
            late, early = _as_instant(data.get(a.field)), _as_instant(data.get(a.than))
            if late is not None and early is not None and late < early + timedelta(hours=a.hours):
                return self._refuse(
                    f"{a.what}：{a.field}须不早于{a.than}后{a.hours}小时 / too early", a.basis
                )
            return None
        later, earlier = _as_date(data.get(a.field)), _as_date(data.get(a.than))
        if later is not None and earlier is not None and later < earlier + timedelta(a.days):
            return self._refuse(
                f"{a.what}：{cn_date(later)}须不早于{cn_date(earlier + timedelta(a.days))}"
                f"（{a.field}）/ too early",
                a.basis,
            )
        return None

    def _prior(
        self, p: Prior, data: Mapping[str, Any], issued: Mapping[str, date]
    ) -> Refusal | None:
        if _holds(p.when, data) and p.kind not in issued:
            return self._refuse(
                f"{self.heading}须依据已作出的{p.what}（{p.kind}），本案尚无 / none was issued",
                p.basis,
            )
        return None

    def _refuse(self, reason: str, basis: str | None = None) -> Refusal:
        return Refusal(basis or self.basis, "document_content", reason)


def _kind(name: str, raw: Mapping[str, Any]) -> Kind:
    return Kind(
        name=name,
        template=str(raw["template"]),
        code=str(raw["code"]),
        basis=str(raw["basis"]),
        requires=tuple(
            Requirement(str(r["field"]), str(r["what"]), r.get("basis"), r.get("when"))
            for r in raw.get("requires", ())
        ),
        remedy=raw.get("remedy"),
        not_past=tuple(raw.get("not_past", ())),
        after=tuple(
            After(
                str(a["field"]),
                str(a["than"]),
                int(a.get("days", 0)),
                str(a["what"]),
                int(a.get("hours", 0)),
                a.get("basis"),
            )
            for a in raw.get("after", ())
        ),
        when=raw.get("when"),
        elements=tuple(raw.get("elements", ())),
        date_field=raw.get("date"),
        title=raw.get("title"),
        checked_at=tuple(raw.get("checked_at", ())),
        prior=tuple(
            Prior(
                kind=str(p["kind"]),
                what=str(p["what"]),
                basis=p.get("basis"),
                when=p.get("when"),
            )
            for p in raw.get("prior", ())
        ),
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

    def checked_at(self, element_id: str, names: tuple[str, ...]) -> list[Kind]:
        """Kinds a task drafts but does not issue: its data is checked against the law here,
        where the officer can still change it (the letter to the utility is checked when it is
        written and issued when the head approves it)."""
        return [
            self.kinds[n]
            for n in names
            if n in self.kinds and element_id in self.kinds[n].checked_at
        ]

    @cached_property
    def _env(self) -> jinja2.Environment:
        # auto_reload off: each template is read and compiled once per process, not stat()ed
        # on every render; a changed template needs a restart, as a changed process does.
        return jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.root)),
            autoescape=True,
            undefined=jinja2.ChainableUndefined,
            keep_trailing_newline=True,
            auto_reload=False,
            cache_size=-1,
        )

    @cached_property
    def _css(self) -> str:
        css = self.root / "document.css"
        return css.read_text(encoding="utf-8") if css.is_file() else ""

    @cached_property
    def _printer(self) -> _Printer:
        return _Printer.build(self.root, self._css)

    def html(self, kind: str, context: Mapping[str, Any], *, inline_css: bool = True) -> str:
        """The document's HTML: the stored context plus its QR code (derived, not stored). The
        stylesheet is inlined for a standalone page; the PDF gets it parsed once instead."""
        qr = segno.make(str(context.get("verify_url", "")), error="m")
        template = self._env.get_template(self.kinds[kind].template)
        css = self._css if inline_css else ""
        return template.render(**context, css=css, qr=qr.svg_data_uri(border=1))

    def pdf(self, kind: str, context: Mapping[str, Any]) -> bytes:
        """The A4 PDF (WeasyPrint): the same bytes for the same context in one process."""
        return self._printer.pdf(self.html(kind, context, inline_css=False))


@dataclass
class _Printer:
    """WeasyPrint's state kept between renders: the font configuration (fontconfig and Pango
    look the fonts up once), the parsed document.css and the Chinese font cut once to the
    characters documents use (engine.document_fonts). Profiling showed most of a render spent
    re-parsing the stylesheet, re-resolving fonts and subsetting the 5 MB system font. Renders
    take a lock: Pango's font map is shared and not safe to use from two threads at once."""

    base_url: str
    fonts: Any
    css: Any
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, root: Path, css: str) -> _Printer:
        import weasyprint  # lazily: it loads Pango and the fonts
        from weasyprint.text.fonts import FontConfiguration

        from engine.document_fonts import font_face_css

        fonts = FontConfiguration()
        sheet = weasyprint.CSS(string=font_face_css() + css, base_url=str(root), font_config=fonts)
        return cls(str(root), fonts, sheet)

    def pdf(self, html: str) -> bytes:
        import weasyprint

        with self.lock:
            doc = weasyprint.HTML(string=html, base_url=self.base_url)
            data: bytes = doc.write_pdf(stylesheets=[self.css], font_config=self.fonts)
        return data
