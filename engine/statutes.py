"""The statutes a `basis` property may cite, and the check that a cited article exists.

A timer's or task's `basis` is what an officer, a reviewer or a court reads to see why the engine
waits or acts; an article that does not exist ("XYZ Art. 999") is worse than none. The table in
`engine/data/statutes.json` lists, per statute the project relies on (PROCEDURE.md's list and the
texts in the shared `legal/statutes/` folder), its abbreviation, Chinese title, the file it was
derived from and the article numbers that exist — numbers only, never the text. `python -m
engine.statutes DIR` rebuilds it from the statute texts (every line that starts with 第…条).

What a basis may say (documented in README.md, "Validation rules"):

- one or more citations separated by ";": `APL Art. 64`, `ACL Art. 56, 58`, `CPL Art. 87-95`,
  `ACL Art. 43(2)` (a paragraph: only the article is checked), `北京 Art. 78`,
  `SPC ALL interpretation Art. 64`; a trailing remark in parentheses is free text;
- `policy: …`: an explicit marker that the period is a local campaign target, not law (PROCEDURE.md
  "(policy)"): accepted, never checked against the table;
- `PROCEDURE §2.17`: the project's domain specification, a numbered step of one of its sections;
  accepted when the section and step exist (the table lists the numbers), for what no statute
  says (closure, the ledger's close-out). Prefer an article where there is one.
- a statute whose text the project does not ship (`"text_shipped": false` in the table, e.g.
  《住房和城乡建设行政处罚程序规定》, 住房和城乡建设部令第55号, which sets the 15-day lead check
  and its 10-day extension): cited by its name alone (`住房和城乡建设行政处罚程序规定 (lead check
  15 CD)`), so a basis can name the regulation a rule comes from without an article number no
  one here can verify. Such an entry lists no articles; `NAME Art. N` is accepted unchecked, and
  `build` leaves the entry as it is. A shipped statute cited without an article is refused.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("data") / "statutes.json"
CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
CN_DIGIT |= {"八": 8, "九": 9}
CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_ARTICLE_LINE = re.compile(r"^第([零〇一二三四五六七八九十百千]+)条")
_CITATION = re.compile(r"^(?P<statute>.+?)\s+Art\.\s*(?P<articles>.+)$")
_ARTICLE = re.compile(r"^(?P<first>\d+)(?:\(\d+\))?(?:\s*-\s*(?P<last>\d+)(?:\(\d+\))?)?$")
_PROCEDURE = re.compile(r"^PROCEDURE\s*§\s*(?P<section>\d+)(?:\.(?P<step>\d+))?$")


def cn_number(text: str) -> int:
    """一百零三 → 103: the numerals statute texts number their articles with."""
    total, digit = 0, 0
    for ch in text:
        if ch in CN_DIGIT:
            digit = CN_DIGIT[ch]
        elif ch in CN_UNIT:
            total += (digit or 1) * CN_UNIT[ch]
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text}")
    return total + digit


def articles_in(text: str) -> list[int]:
    """The article numbers a statute text defines (lines that start with 第…条)."""
    found = {
        cn_number(m.group(1)) for line in text.splitlines() if (m := _ARTICLE_LINE.match(line))
    }
    return sorted(found)


@dataclass(frozen=True)
class Statute:
    key: str
    title: str
    aliases: tuple[str, ...]
    articles: frozenset[int]
    # False for a regulation whose text the project does not ship: its articles cannot be checked.
    shipped: bool = True


@dataclass(frozen=True)
class BasisProblem:
    """One citation in a basis that does not hold, in Chinese and English."""

    citation: str
    zh: str
    en: str


@cache
def _table() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(TABLE.read_text(encoding="utf-8"))
    return loaded


@cache
def statutes() -> dict[str, Statute]:
    """Every name a citation may use (abbreviation, alias, Chinese title) → its statute."""
    raw = _table()["statutes"]
    assert isinstance(raw, dict)
    out: dict[str, Statute] = {}
    for key, entry in raw.items():
        statute = Statute(
            key=key,
            title=entry["title"],
            aliases=tuple(entry.get("aliases", ())),
            articles=frozenset(_expand(entry["articles"])),
            shipped=bool(entry.get("text_shipped", True)),
        )
        for name in (key, statute.title, *statute.aliases):
            out[name] = statute
    return out


@cache
def procedure_steps() -> frozenset[str]:
    """`2`, `2.3`, …: the sections and numbered steps of PROCEDURE.md a basis may cite."""
    raw = _table()["procedure"]
    assert isinstance(raw, dict)
    steps = {str(section) for section in raw}
    steps |= {f"{section}.{n}" for section, count in raw.items() for n in range(1, int(count) + 1)}
    return frozenset(steps)


def _expand(ranges: list[list[int]]) -> list[int]:
    return [n for first, last in ranges for n in range(first, last + 1)]


def _ranges(numbers: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for n in numbers:
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def strip_remarks(basis: str) -> str:
    """The basis without its parenthesised remarks ("(period: local setting)"); a paragraph
    number such as "43(2)" is kept, it follows a digit."""
    out: list[str] = []
    depth = 0
    for i, ch in enumerate(basis):
        if ch in "(（" and (depth or not (i and basis[i - 1].isdigit())):
            depth += 1
            continue
        if ch in ")）" and depth:
            depth -= 1
            continue
        if not depth:
            out.append(ch)
    return "".join(out).strip()


def check_basis(basis: str) -> list[BasisProblem]:
    """What is wrong with a basis; [] when every citation names an existing article."""
    text = basis.strip()
    if text.lower().startswith("policy:"):
        return []  # an explicit non-statutory marker (PROCEDURE.md "(policy)")
    problems: list[BasisProblem] = []
    known = statutes()
    for part in (p.strip() for p in strip_remarks(text).split(";")):
        if not part or part.lower().startswith("policy:"):
            continue
        proc = _PROCEDURE.match(part)
        if proc:
            ref = proc.group("section") + (f".{proc.group('step')}" if proc.group("step") else "")
            if ref not in procedure_steps():
                problems.append(
                    BasisProblem(
                        part,
                        f"PROCEDURE.md 没有第 {ref} 节/步",
                        f"PROCEDURE.md has no section or step {ref}",
                    )
                )
            continue
        unshipped = known.get(part)
        if unshipped is not None and not unshipped.shipped:
            continue  # a regulation cited by name: its text is not here to check an article
        match = _CITATION.match(part)
        if not match:
            problems.append(
                BasisProblem(
                    part,
                    f"无法识别的依据「{part}」，应写作「简称 Art. 条号」（如 APL Art. 64）",
                    f"cannot read '{part}': write 'ABBREVIATION Art. N' (e.g. APL Art. 64)",
                )
            )
            continue
        name = match.group("statute").strip()
        statute = known.get(name)
        if statute is None:
            problems.append(
                BasisProblem(
                    part,
                    f"未知法律法规「{name}」（已知：{known_names()}）",
                    f"unknown statute '{name}' (known: {known_names()})",
                )
            )
            continue
        if not statute.shipped:
            continue  # no text to check the article numbers against
        for item in (a.strip() for a in match.group("articles").split(",")):
            art = _ARTICLE.match(item)
            if not art:
                problems.append(
                    BasisProblem(
                        part,
                        f"条号「{item}」无法识别，应为数字（如 64、43(2)、87-95）",
                        f"article '{item}' is not a number (e.g. 64, 43(2), 87-95)",
                    )
                )
                continue
            first = int(art.group("first"))
            last = int(art.group("last") or first)
            missing = [n for n in range(first, last + 1) if n not in statute.articles]
            if missing or last < first:
                top = max(statute.articles)
                problems.append(
                    BasisProblem(
                        part,
                        f"《{statute.title}》没有第 {item} 条（共 {top} 条）",
                        f"{statute.key} has no article {item} (it has {top})",
                    )
                )
    return problems


def known_names() -> str:
    raw = _table()["statutes"]
    assert isinstance(raw, dict)
    return ", ".join(raw)


def build(folder: Path, previous: Path = TABLE) -> dict[str, object]:
    """Re-derive the article numbers of every statute in the table from the texts in `folder`
    (the `source` of each entry names its file); titles and aliases are kept."""
    table: dict[str, object] = json.loads(previous.read_text(encoding="utf-8"))
    raw = table["statutes"]
    assert isinstance(raw, dict)
    for entry in raw.values():
        if not entry.get("text_shipped", True):
            continue  # no text to derive its articles from
        text = (folder / entry["source"]).read_text(encoding="utf-8")
        entry["articles"] = _ranges(articles_in(text))
    return table


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    rebuilt = build(Path(sys.argv[1]))
    TABLE.write_text(json.dumps(rebuilt, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{TABLE}: {len(rebuilt['statutes'])} statutes")  # type: ignore[arg-type]
