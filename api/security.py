"""Signed bearer tokens (HS256 JWT) with an expiry; passwords are checked by engine.services."""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt

from engine.services import Actor

ALGORITHM = "HS256"


def issue_token(actor: Actor, *, secret: str, minutes: int, now: datetime) -> str:
    claims = {
        "sub": actor.username,
        "roles": list(actor.roles),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=minutes)).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, *, secret: str, now: datetime) -> Actor | None:
    """The actor a token names, or None if it is forged, malformed or expired.

    `now` is wall-clock time, never the engine's (possibly fake) clock: moving a demo's clock
    two months ahead to pass a deadline must not sign everybody out.
    """
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"verify_exp": False})
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp")
    if not isinstance(exp, int) or now.timestamp() >= exp:
        return None
    roles = claims.get("roles")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not isinstance(roles, list):
        return None
    return Actor(sub, tuple(str(r) for r in roles))
