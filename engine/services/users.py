"""User accounts: argon2 password hashes and roles."""

from __future__ import annotations

from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engine import audit
from engine.errors import Conflict, FieldError, ValidationFailed
from engine.services.context import ROLES, SYSTEM, Actor, EngineContext
from engine.store.models import User
from engine.store.uow import UnitOfWork

_hasher = PasswordHasher()
# Verifying against this keeps the timing of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("qingwei-timing-equaliser")


def add_user(
    uow: UnitOfWork,
    *,
    ctx: EngineContext,
    username: str,
    password: str,
    roles: Sequence[str],
    full_name: str = "",
    by: Actor | None = None,
) -> Actor:
    errors: list[FieldError] = []
    if (
        not username
        or len(username) > 64
        or not username.replace("_", "").replace("-", "").isalnum()
    ):
        errors.append(FieldError(["username"], "1-64 letters, digits, '-' or '_'"))
    if len(password) < 4:
        errors.append(FieldError(["password"], "at least 4 characters"))
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        errors.append(FieldError(["roles"], f"roles must be among {', '.join(ROLES)}"))
    if errors:
        raise ValidationFailed(errors, "invalid user")
    with uow:
        if uow.users.by_username(username) is not None:
            raise Conflict(f"user '{username}' already exists")
        uow.users.add(
            User(
                username=username,
                full_name=full_name,
                password_hash=_hasher.hash(password),
                roles=sorted(set(roles)),
                active=True,
                created_at=ctx.clock.now(),
            )
        )
        who = by or SYSTEM
        audit.system_append(
            uow,
            at=ctx.clock.now(),
            actor=who.username,
            roles=who.roles,
            action="user_added",
            element_id=username,
            data={"username": username, "roles": sorted(set(roles)), "full_name": full_name},
        )
        ctx.commit(uow)
    return Actor(username, tuple(sorted(set(roles))))


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches the argon2 hash `stored`; with no hash (no such user, or
    disabled) a dummy hash is verified, so both take as long as a wrong password."""
    try:
        _hasher.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return stored is not None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(uow: UnitOfWork, *, username: str, password: str) -> Actor | None:
    with uow:
        user = uow.users.by_username(username)
        stored = user.password_hash if user is not None and user.active else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or not user.active:
            return None
        return Actor(user.username, tuple(user.roles))


def get_actor(uow: UnitOfWork, *, username: str) -> Actor | None:
    with uow:
        user = uow.users.by_username(username)
        if user is None or not user.active:
            return None
        return Actor(user.username, tuple(user.roles))
