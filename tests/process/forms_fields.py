"""Field builders for the JSON Schema forms of forms/ (see forms_spec.py).

Field names follow API.md's data dictionary where one exists; titles are Chinese, descriptions
English. Dates are ISO dates; date-times carry their UTC offset (the pattern checks it, because
jsonschema checks "date-time" only with an optional package).
"""

from __future__ import annotations

from typing import Any

SCHEMA = "https://json-schema.org/draft/2020-12/schema"
DATE_TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

Prop = dict[str, Any]


def text(title: str, desc: str, max_length: int = 2000) -> Prop:
    return {"type": "string", "title": title, "description": desc, "maxLength": max_length}


def name(title: str, desc: str) -> Prop:
    return {"type": "string", "title": title, "description": desc, "minLength": 1, "maxLength": 200}


def day(title: str, desc: str) -> Prop:
    return {
        "type": "string",
        "format": "date",
        "pattern": DATE_PATTERN,
        "title": title,
        "description": desc,
    }


def instant(title: str, desc: str) -> Prop:
    return {
        "type": "string",
        "format": "date-time",
        "pattern": DATE_TIME_PATTERN,
        "title": title,
        "description": desc,
    }


def flag(title: str, desc: str, const: bool | None = None) -> Prop:
    prop: Prop = {"type": "boolean", "title": title, "description": desc}
    if const is not None:
        prop["const"] = const
    return prop


def amount(title: str, desc: str) -> Prop:
    return {"type": "number", "minimum": 0, "title": title, "description": desc}


def choice(title: str, desc: str, values: list[str]) -> Prop:
    return {"type": "string", "enum": values, "title": title, "description": desc}


def when(field: str, value: Any, required: list[str]) -> dict[str, Any]:
    """JSON Schema if/then: `required` when `field` equals `value`."""
    return {
        "if": {"properties": {field: {"const": value}}, "required": [field]},
        "then": {"required": required},
    }


def form(
    title: str,
    description: str,
    properties: dict[str, Prop],
    required: list[str],
    conditions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    for r in required:
        assert r in properties, r
    doc: dict[str, Any] = {
        "$schema": SCHEMA,
        "title": title,
        "description": description,
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": False,
    }
    if conditions:
        doc["allOf"] = conditions
    return doc


CLASSIFICATIONS = ["correctable", "not_correctable", "cannot_demolish", "no_violation", "crime"]
SERVICE_METHODS = ["direct", "left", "electronic", "post", "public_notice"]
CUTOFF_BASES = ["construction_site_supply", "safety_law_70", "local_regulation"]
REMARKS = text("备注", "Remarks.")
OPINION = text("意见", "Opinion of the approver.")
