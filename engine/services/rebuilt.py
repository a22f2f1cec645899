"""A structure rebuilt after closure (复建, found at 回头看) opens a new, linked case.

The closure part of the process only ends a re-inspected case with `rebuilt_found` in its data;
the service layer opens the new case, in the same transaction as the step that found the
rebuild: the site and the party copied, the source `reinspection`, `parent_case_id` the old
case. Both trails record it (`case_opened` with the parent on the new case,
`linked_case_opened` on the old one), and the ledger counts the new case as a rebuild.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from engine import audit
from engine.audit import ChainHead
from engine.services.context import Actor, EngineContext
from engine.store.models import Case
from engine.store.uow import UnitOfWork

REBUILT_MESSAGE = "rebuilt_found"
# What describes the site and the party, copied to the new case when the old one has it.
COPIED = (
    "address",
    "district",
    "village",
    "location",
    "use_type",
    "party_known",
    "party_name",
    "party_id_no",
    "party_phone",
    "legal_basis",
    "area_m2",
)


def is_rebuilt(data: Mapping[str, Any]) -> bool:
    """The case data says the structure was rebuilt: `rebuilt_found` true (the closure script
    sets it; a delivered message leaves its payload, a mapping, under the same name)."""
    value = data.get(REBUILT_MESSAGE)
    return value is True or isinstance(value, Mapping)


def child_data(
    parent: Mapping[str, Any], payload: Mapping[str, Any], parent_case_no: str
) -> dict[str, Any]:
    """The new case's intake: the old site and party, what the re-inspection saw."""
    data = {k: parent[k] for k in COPIED if k in parent and parent[k] is not None}
    data["source"] = "reinspection"
    data["construction_ongoing"] = bool(payload.get("construction_ongoing", False))
    data.setdefault("party_known", bool(data.get("party_name")))
    area = payload.get("area_m2")
    if isinstance(area, int | float) and not isinstance(area, bool) and area >= 0:
        data["area_m2"] = area
    note = payload.get("description") or payload.get("notes")
    text = f"回头看发现复建，原案 {parent_case_no}。Rebuilt after closure of {parent_case_no}."
    data["description"] = f"{text} {note}"[:2000] if isinstance(note, str) and note else text
    return data


def open_linked(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    actor: Actor,
    case: Case,
    head: ChainHead,
    data: Mapping[str, Any],
    payload: Mapping[str, Any],
    now: datetime,
) -> int:
    """Open the linked case through the open-case step and record it on the old case's chain
    (`head`, which the caller writes with the old case's row). Returns the new case's id."""
    from engine.services.cases import open_in  # cases imports this module

    child, _ = open_in(
        uow,
        ctx=ctx,
        actor=actor,
        process_key=case.process_key,
        data=child_data(data, payload, case.case_no),
        parent_case_id=case.id,
        now=now,
        reason="rebuilt_found",
    )
    audit.append(
        uow,
        head,
        at=now,
        actor=actor.username,
        roles=actor.roles,
        action="linked_case_opened",
        data={"case_id": child.id, "case_no": child.case_no, "reason": REBUILT_MESSAGE},
        basis="PROCEDURE §2.17 (回头看)",
    )
    return child.id
