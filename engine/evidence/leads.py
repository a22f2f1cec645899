"""Lead sheets (线索) for bulk intake: a spreadsheet (XLSX or CSV) or a 12345 hotline JSON
export, read row by row into intake data, each row with its source id and why it cannot be
imported (Chinese first). No database: engine/services/leads.py opens the cases.

Columns are recognised by their Chinese or English header (地址/address, 区县/district, 线索来源/
source, 情况描述/description, 面积/area, 举报人/reporter, 坐标/coordinates or 纬度+经度,
编号/source_id, and optionally 用途/use_type, 正在施工, 当事人). A lead says nothing of the
structure's use: unless a 用途 column says otherwise it is recorded `residential`, the value
under which no utility cutoff is ever lawful, to be corrected at the lead check.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ALIASES: dict[str, tuple[str, ...]] = {
    "source_id": (
        "source_id",
        "id",
        "编号",
        "来源编号",
        "工单编号",
        "工单号",
        "线索编号",
        "ticket_no",
    ),
    "address": ("address", "地址", "详细地址", "诉求地址", "事发地址", "发生地址"),
    "district": ("district", "区县", "街道", "区县/街道", "所属区域", "区域", "所属街道"),
    "source": ("source", "来源", "线索来源"),
    "description": ("description", "描述", "情况描述", "诉求内容", "问题描述", "内容"),
    "area": ("area", "area_m2", "面积", "面积（平方米）", "面积(平方米)", "面积(㎡)", "建筑面积"),
    "reporter": ("reporter", "举报人", "来电人", "反映人", "报告人"),
    "coordinates": ("coordinates", "坐标", "经纬度", "location"),
    "lat": ("lat", "latitude", "纬度"),
    "lon": ("lon", "lng", "longitude", "经度"),
    "use_type": ("use_type", "用途"),
    "construction_ongoing": ("construction_ongoing", "正在施工", "仍在施工"),
    "party_name": ("party_name", "当事人"),
}
_HEADER = {alias.lower(): key for key, aliases in ALIASES.items() for alias in aliases}

SOURCES = {
    "hotline": "hotline",
    "12345": "hotline",
    "12345热线": "hotline",
    "热线": "hotline",
    "举报": "hotline",
    "patrol": "patrol",
    "巡查": "patrol",
    "日常巡查": "patrol",
    "satellite": "satellite",
    "卫星": "satellite",
    "卫片": "satellite",
    "遥感": "satellite",
    "无人机": "satellite",
    "referral": "referral",
    "移交": "referral",
    "移送": "referral",
    "self_report": "self_report",
    "自查": "self_report",
    "自报": "self_report",
}
USE_TYPES = {
    "residential": "residential",
    "住宅": "residential",
    "居住": "residential",
    "business": "business",
    "经营": "business",
    "商业": "business",
    "production": "production",
    "生产": "production",
    "public": "public",
    "公共": "public",
    "construction_site": "construction_site",
    "工地": "construction_site",
    "在建工地": "construction_site",
}
YES = {"是", "yes", "true", "1", "y", "正在施工"}
NO = {"否", "no", "false", "0", "n", ""}


class SheetUnreadable(ValueError):
    """The file is not a sheet or export this reader understands (nothing is imported)."""


@dataclass
class Lead:
    """One row: its number in the file (1 = the first data row), its source id, the intake
    data it maps to, and why it cannot be imported (empty when it can)."""

    row: int
    source_id: str
    data: dict[str, Any]
    problems: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "").replace("㎡", "").replace("平方米", "").strip())
    except ValueError:
        return None
    return value if value == value and abs(value) < 1e9 else None  # NaN and absurd refused


def _coordinates(raw: Mapping[str, str]) -> tuple[dict[str, float] | None, str | None]:
    text = raw.get("coordinates", "")
    if text:
        parts = [p for p in text.replace("，", ",").replace(" ", ",").split(",") if p]
        if len(parts) != 2:
            return None, f"坐标格式错误：{text}，应为“纬度,经度” (coordinates must be lat,lon)"
        lat, lon = _number(parts[0]), _number(parts[1])
    elif raw.get("lat") or raw.get("lon"):
        lat, lon = _number(raw.get("lat", "")), _number(raw.get("lon", ""))
        text = f"{raw.get('lat', '')},{raw.get('lon', '')}"
    else:
        return None, None
    if lat is None or lon is None:
        return None, f"坐标格式错误：{text}，应为“纬度,经度” (coordinates must be lat,lon)"
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, f"坐标超出范围：{text} (latitude ±90, longitude ±180)"
    return {"lat": lat, "lon": lon}, None


def to_lead(row: int, raw: Mapping[str, str], *, default_source: str | None = None) -> Lead:
    """Map one row (keys already canonical) to intake data and its problems."""
    problems: list[str] = []
    address, district = raw.get("address", ""), raw.get("district", "")
    if not address:
        problems.append("缺少地址 (address missing)")
    if not district:
        problems.append("缺少区县/街道 (district missing)")
    source_text = raw.get("source", "") or (default_source or "")
    source = SOURCES.get(source_text.lower()) if source_text else None
    if source is None:
        problems.append(
            f"线索来源无法识别：{source_text or '（空）'}，"
            "应为热线/巡查/卫片/移交/自查 (unknown source)"
        )
    use_text = raw.get("use_type", "")
    use_type = USE_TYPES.get(use_text.lower()) if use_text else "residential"
    if use_type is None:
        problems.append(f"用途无法识别：{use_text} (unknown use type)")
    ongoing_text = raw.get("construction_ongoing", "").lower()
    if ongoing_text not in YES | NO:
        problems.append(f"“正在施工”应为是或否：{ongoing_text} (yes or no)")
    data: dict[str, Any] = {
        "address": address,
        "district": district,
        "source": source or source_text,
        "use_type": use_type or use_text,
        "construction_ongoing": ongoing_text in YES,
        "party_known": bool(raw.get("party_name")),
    }
    if raw.get("party_name"):
        data["party_name"] = raw["party_name"]
    if raw.get("description"):
        data["description"] = raw["description"]
    if raw.get("reporter"):
        data["reporter"] = raw["reporter"]
    if raw.get("area"):
        area = _number(raw["area"])
        if area is None or area < 0:
            problems.append(f"面积不是有效数字：{raw['area']} (area must be a number ≥ 0)")
        else:
            data["area_m2"] = area
    location, problem = _coordinates(raw)
    if problem:
        problems.append(problem)
    elif location:
        data["location"] = location
    source_id = raw.get("source_id", "")
    if not source_id:
        # No id in the file: the row's own content names it, so the same row imported again
        # is recognised (an edited row is a new lead).
        basis = "|".join((address, district, raw.get("description", ""), raw.get("reporter", "")))
        source_id = "row:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
    elif len(source_id) > 128:
        problems.append("来源编号超过 128 个字符 (source id too long)")
        source_id = source_id[:128]
    return Lead(row, source_id, data, problems)


def _canonical(header: list[str]) -> list[str | None]:
    return [_HEADER.get(_text(h).lower()) for h in header]


def _rows_from_table(rows: Iterator[list[Any]], default_source: str | None) -> Iterator[Lead]:
    try:
        header = next(rows)
    except StopIteration:
        raise SheetUnreadable("表格为空 (the sheet is empty)") from None
    keys = _canonical([_text(h) for h in header])
    if "address" not in keys:
        raise SheetUnreadable(
            "表头中没有“地址”列 (no address column in the header row: 地址 or address)"
        )
    number = 0
    for values in rows:
        cells = [_text(v) for v in values]
        if not any(cells):
            continue
        number += 1
        raw = {k: cells[i] for i, k in enumerate(keys) if k and i < len(cells) and cells[i]}
        yield to_lead(number, raw, default_source=default_source)


def read_csv(data: bytes) -> Iterator[Lead]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes every byte string
        raise SheetUnreadable("CSV 编码无法识别 (not UTF-8 or GB18030)")
    return _rows_from_table(iter(list(csv.reader(io.StringIO(text)))), None)


def read_xlsx(path: Path) -> Iterator[Lead]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise SheetUnreadable(f"无法读取 XLSX 文件 (not a readable XLSX file: {exc})") from exc
    try:
        sheet = book.worksheets[0]
        rows = (list(r) for r in sheet.iter_rows(values_only=True))
        yield from _rows_from_table(rows, None)
    finally:
        book.close()


def read_hotline_json(data: bytes) -> Iterator[Lead]:
    """A 12345 hotline export: a list of work orders, or an object holding it under
    records/data/items/list. Every lead's source is the hotline."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SheetUnreadable(f"不是有效的 JSON (not valid JSON: {exc})") from exc
    if isinstance(doc, dict):
        doc = next(
            (
                doc[k]
                for k in ("records", "data", "items", "list", "工单")
                if isinstance(doc.get(k), list)
            ),
            None,
        )
    if not isinstance(doc, list):
        raise SheetUnreadable("JSON 中没有工单列表 (no list of work orders in the JSON)")
    for number, record in enumerate(doc, start=1):
        if not isinstance(record, dict):
            yield Lead(number, f"row:{number}", {}, ["工单不是对象 (a record is not an object)"])
            continue
        raw: dict[str, str] = {}
        for key, value in record.items():
            canonical = _HEADER.get(str(key).strip().lower())
            if canonical and _text(value):
                raw[canonical] = _text(value)
        yield to_lead(number, raw, default_source="hotline")


def read_leads(path: Path, data: bytes | None = None) -> Iterator[Lead]:
    """The leads of a file, by its extension (.xlsx, .csv, .json)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(path)
    if suffix == ".csv":
        return read_csv(data if data is not None else path.read_bytes())
    if suffix == ".json":
        return read_hotline_json(data if data is not None else path.read_bytes())
    raise SheetUnreadable(
        f"不支持的文件类型 {suffix or '（无扩展名）'}：请用 .xlsx、.csv 或 12345 导出的 .json"
        " (use .xlsx, .csv or a 12345 .json export)"
    )
