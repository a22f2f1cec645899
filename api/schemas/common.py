"""Shapes shared by every resource: problem details."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class FieldProblem(BaseModel):
    loc: list[str | int]
    msg: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None
    article: str | None = None


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the problem bodies a route can return."""
    return {code: {"model": Problem, "content": {"application/problem+json": {}}} for code in codes}


Status = Literal["open", "suspended", "closed"]
Stage = Literal[
    "intake",
    "investigation",
    "legal_review",
    "notice",
    "hearing",
    "decision",
    "service",
    "compliance_period",
    "remedy_period",
    "demand",
    "enforcement_decision",
    "public_notice",
    "forced_demolition",
    "confiscation",
    "deferred",
    "litigation",
    "closed",
    "reinspection",
]
# Ids are 64-bit in the database; a larger number is simply not found-able, so refuse it (422).
CaseId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]
# Text that reaches SQL: no NUL (PostgreSQL rejects it in text) and bounded.
SafeText = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[^\x00]+$")]


def _finite(value: Any, path: str = "data") -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{path}: NaN and Infinity are not valid JSON numbers")
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(f"{path}: text may not contain NUL characters")
    if isinstance(value, dict):
        for k, v in value.items():
            if "\x00" in str(k):
                raise ValueError(f"{path}: keys may not contain NUL characters")
            _finite(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _finite(v, f"{path}[{i}]")
    return value


# A JSON object of form data: finite numbers and text the database can store.
FormData = Annotated[dict[str, Any], AfterValidator(_finite)]


SHANGHAI = ZoneInfo("Asia/Shanghai")
# Every instant the API returns is in Asia/Shanghai (+08:00), the time the law counts in: a
# deadline reads "2026-04-14T00:00:00+08:00" (24:00 of 04-13), the same in writes and reads.
LocalTime = Annotated[datetime, AfterValidator(lambda d: d.astimezone(SHANGHAI))]
