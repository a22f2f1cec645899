"""Revocable sign-in: sessions with rotating refresh tokens, login throttling, user changes.

An access token is short-lived and names its session (`sid`) and the user's token epoch; every
request re-checks both against the database (the API caches the answer for a few seconds). A
refresh token is `sid.secret`; only the secret's sha256 is stored, and it rotates on each
refresh, so a stolen refresh token used after its owner refreshed revokes the whole session.

Time here is the caller's `now`: wall-clock time for tokens and throttling (moving the demo's
fake clock must neither sign people out nor lift a lockout); the system trail keeps the
engine's clock like every other event.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine import audit
from engine.errors import FieldError, LoginLocked, NotFound, ValidationFailed
from engine.services.context import ROLES, Actor, EngineContext
from engine.services.users import hash_password, verify_password
from engine.store.models import AuthSession, LoginThrottle
from engine.store.uow import UnitOfWork

ANONYMOUS = Actor("anonymous", ())


@dataclass(frozen=True)
class SignIn:
    actor: Actor
    session_id: str
    refresh_token: str
    epoch: int
    refresh_expires_at: datetime


@dataclass(frozen=True)
class SessionState:
    """What a request may rely on: the user's current roles and token epoch."""

    actor: Actor
    epoch: int


@dataclass(frozen=True)
class UserView:
    username: str
    full_name: str
    roles: list[str]
    active: bool


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _keys(username: str, address: str) -> list[tuple[str, str]]:
    return [("user", f"user:{username}"), ("address", f"addr:{address}")]


def _locked_for(row: LoginThrottle | None, now: datetime) -> int:
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0
    return max(1, int((row.locked_until - now).total_seconds() + 0.999))


def lockout_remaining(ctx: EngineContext, *, username: str, address: str, now: datetime) -> int:
    """Seconds until this username and this address may try again (0: now)."""
    with ctx.uow(read_only=True) as uow:
        return max(_locked_for(uow.users.throttle(k), now) for _, k in _keys(username, address))


def sign_in(
    ctx: EngineContext, *, username: str, password: str, address: str, now: datetime
) -> SignIn | None:
    """Check the password and open a session; None for a wrong name or password.

    Raises LoginLocked (before any hashing) while the username or the address is locked out,
    and when this failure locks one of them. Failures are counted per username and per address;
    each lockout, and each burst of failures from one address, is recorded in the system trail.
    """
    retry = lockout_remaining(ctx, username=username, address=address, now=now)
    if retry:
        raise LoginLocked(retry)
    with ctx.uow(read_only=True) as uow:
        user = uow.users.by_username(username)
        stored = user.password_hash if user is not None and user.active else None
    ok = verify_password(stored, password)
    uow = ctx.uow()
    with uow:
        if not ok:
            locked = _count_failure(uow, ctx, username=username, address=address, now=now)
            ctx.commit(uow)
            if locked:
                raise LoginLocked(locked)
            return None
        row = uow.users.by_username(username)
        if row is None or not row.active:
            return None
        user_key = uow.users.throttle(f"user:{username}", lock=True)
        if user_key is not None:
            user_key.failures = 0
        result = _open_session(
            uow, ctx, Actor(row.username, tuple(row.roles)), row.token_epoch, now
        )
        ctx.commit(uow)
        return result


def _count_failure(
    uow: UnitOfWork, ctx: EngineContext, *, username: str, address: str, now: datetime
) -> int:
    """Count one failure against both keys; the lockout in seconds if one now locks, else 0."""
    sec = ctx.settings.security
    window = timedelta(seconds=sec.failure_window_seconds)
    limits = {"user": sec.max_user_failures, "address": sec.max_address_failures}
    locked = 0
    uow.users.purge_throttles(now - window, now)
    for kind, key in _keys(username, address):
        row = uow.users.throttle_for_update(key, now)
        if now - row.window_start > window:
            row.failures = 0
            row.window_start = now
        row.failures += 1
        failures = row.failures
        event = None
        if failures >= limits[kind]:
            row.locked_until = now + timedelta(seconds=sec.lockout_seconds)
            row.failures = 0
            row.window_start = now
            locked = max(locked, sec.lockout_seconds)
            event = "login_locked"
        elif failures % sec.max_user_failures == 0:
            event = "login_failures"  # a burst from one address, short of its lockout
        if event is not None:
            audit.system_append(
                uow,
                at=ctx.clock.now(),
                actor=ANONYMOUS.username,
                roles=ANONYMOUS.roles,
                action=event,
                element_id=key,
                data={
                    "key": kind,
                    "username": username,
                    "address": address,
                    "failures": failures,
                    "window_seconds": sec.failure_window_seconds,
                    "locked_until": row.locked_until.isoformat()
                    if event == "login_locked" and row.locked_until
                    else None,
                },
            )
    return locked


def _open_session(
    uow: UnitOfWork, ctx: EngineContext, actor: Actor, epoch: int, now: datetime
) -> SignIn:
    uow.users.purge_sessions(actor.username, now)
    sid = secrets.token_hex(16)
    secret = secrets.token_urlsafe(32)
    expires = now + timedelta(minutes=ctx.settings.security.session_minutes)
    uow.users.add_session(
        AuthSession(
            id=sid,
            username=actor.username,
            token_hash=_digest(secret),
            created_at=now,
            expires_at=expires,
        )
    )
    return SignIn(actor, sid, f"{sid}.{secret}", epoch, expires)


def refresh(ctx: EngineContext, *, refresh_token: str, now: datetime) -> SignIn | None:
    """A new refresh token (the old one stops working) for a live session; None otherwise.
    Presenting an already rotated refresh token revokes the session (it was copied)."""
    sid, _, secret = refresh_token.partition(".")
    if len(sid) != 32 or not secret or len(secret) > 128:
        return None
    uow = ctx.uow()
    with uow:
        row = uow.users.session(sid, lock=True)
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            return None
        if not hmac.compare_digest(row.token_hash, _digest(secret)):
            row.revoked_at = now
            ctx.commit(uow)
            return None
        user = uow.users.by_username(row.username)
        if user is None or not user.active:
            return None
        new_secret = secrets.token_urlsafe(32)
        row.token_hash = _digest(new_secret)
        result = SignIn(
            Actor(user.username, tuple(user.roles)),
            sid,
            f"{sid}.{new_secret}",
            user.token_epoch,
            row.expires_at,
        )
        ctx.commit(uow)
        return result


def logout(ctx: EngineContext, *, session_id: str, now: datetime) -> None:
    """End one session: its refresh token and every access token naming it stop working."""
    uow = ctx.uow()
    with uow:
        row = uow.users.session(session_id, lock=True)
        if row is not None and row.revoked_at is None:
            row.revoked_at = now
            ctx.commit(uow)


def session_state(
    ctx: EngineContext, *, username: str, session_id: str, now: datetime
) -> SessionState | None:
    """The user's current roles and epoch if the user is active and the session live."""
    with ctx.uow(read_only=True) as uow:
        user = uow.users.by_username(username)
        if user is None or not user.active:
            return None
        row = uow.users.session(session_id)
        if (
            row is None
            or row.username != username
            or row.revoked_at is not None
            or row.expires_at <= now
        ):
            return None
        return SessionState(Actor(user.username, tuple(user.roles)), user.token_epoch)


def update_user(
    ctx: EngineContext,
    *,
    username: str,
    by: Actor,
    now: datetime,
    active: bool | None = None,
    roles: Sequence[str] | None = None,
    password: str | None = None,
) -> UserView:
    """Disable or enable a user, change roles or set a password. Disabling, a role change and a
    new password revoke every session and token of the user; each change is in the system trail.
    """
    errors: list[FieldError] = []
    if roles is not None and (not roles or any(r not in ROLES for r in roles)):
        errors.append(FieldError(["roles"], f"角色须为 roles must be among {', '.join(ROLES)}"))
    if password is not None and len(password) < 4:
        errors.append(FieldError(["password"], "密码至少 4 个字符 at least 4 characters"))
    if errors:
        raise ValidationFailed(errors, "invalid user change")
    new_hash = hash_password(password) if password is not None else None
    uow = ctx.uow()
    with uow:
        user = uow.users.lock(username)
        if user is None:
            raise NotFound(f"用户不存在 user '{username}' does not exist")
        events: list[tuple[str, dict[str, object]]] = []
        revoke = False
        if active is not None and active != user.active:
            user.active = active
            events.append(("user_disabled" if not active else "user_enabled", {}))
            revoke = revoke or not active
        if roles is not None and sorted(set(roles)) != sorted(user.roles):
            before = list(user.roles)
            user.roles = sorted(set(roles))
            events.append(("user_roles_changed", {"before": before, "after": user.roles}))
            revoke = True
        if new_hash is not None:
            user.password_hash = new_hash
            events.append(("user_password_changed", {}))
            revoke = True
        revoked = 0
        if revoke:
            user.token_epoch += 1
            revoked = uow.users.revoke_sessions(username, now)
        for action, data in events:
            audit.system_append(
                uow,
                at=ctx.clock.now(),
                actor=by.username,
                roles=by.roles,
                action=action,
                element_id=username,
                data={"username": username, **data, "sessions_revoked": revoked},
            )
        view = UserView(user.username, user.full_name, list(user.roles), user.active)
        if events:
            ctx.commit(uow)
        return view
