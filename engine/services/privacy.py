"""Least privilege over personal data and over which cases a role sees.

Who needs the party's identity number and phone (PROCEDURE: notices, hearings, service and
decisions name the party and reach them): officers, legal review, the head, the government
(it decides forced demolition against the named party), the court role and auditors (who
inspect whether the party was correctly identified and served). Everyone else sees them masked:
the utility (it cuts supply at an address, on a letter), admins and designers. The utility
also sees only the cases whose cutoff is addressed to it: a task waiting in its lane, or one
done there.
"""

from __future__ import annotations

from typing import Any

from engine.services.context import Actor, EngineContext
from engine.store.uow import UnitOfWork

PERSONAL_FIELDS = frozenset({"party_id_no", "party_phone"})
PERSONAL_DATA_ROLES = frozenset(
    {"officer", "legal_review", "head", "government", "court", "auditor"}
)
# Roles that see every case; a caller holding none of them but "utility" is confined.
ALL_CASES_ROLES = PERSONAL_DATA_ROLES | {"admin"}
UTILITY_LANE = "utility"


def sees_personal_data(actor: Actor) -> bool:
    return actor.has(*PERSONAL_DATA_ROLES)


def confined_to_utility(actor: Actor) -> bool:
    return actor.has(UTILITY_LANE) and not actor.has(*ALL_CASES_ROLES)


def _mask_text(value: str) -> str:
    keep = value[-4:] if len(value) > 7 else ""
    return "*" * max(len(value) - len(keep), 4) + keep


def mask_personal(value: Any, actor: Actor) -> Any:
    """`value` with every party_id_no / party_phone (at any depth) masked, unless the actor's
    roles need them; e.g. "110101199001011234" → "**************1234"."""
    if sees_personal_data(actor):
        return value
    return _mask(value)


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (_mask_text(str(v)) if k in PERSONAL_FIELDS and v not in (None, "") else _mask(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def visible_case_ids(uow: UnitOfWork, actor: Actor) -> list[int] | None:
    """The case ids the actor may read (None: all)."""
    if not confined_to_utility(actor):
        return None
    return uow.cases.addressed_to_lane(UTILITY_LANE, uow.processes.lane_elements(UTILITY_LANE))


def can_see_case(ctx: EngineContext, *, actor: Actor, case_id: int) -> bool:
    if not confined_to_utility(actor):
        return True
    with ctx.uow(read_only=True) as uow:
        ids = visible_case_ids(uow, actor)
        return ids is None or case_id in ids
