"""Signed bearer tokens (HS256 JWT) with an expiry, and the per-process cache of user checks.

Passwords, sessions and throttling are engine.services' business (engine/services/signin.py).
An access token names its session (`sid`) and the user's token epoch (`ep`); the roles it
carries are informational: each request takes the roles the database holds now.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from engine.services import Actor

ALGORITHM = "HS256"


@dataclass(frozen=True)
class TokenClaims:
    username: str
    roles: tuple[str, ...]
    session_id: str
    epoch: int


def issue_token(
    actor: Actor, *, secret: str, minutes: int, now: datetime, session_id: str, epoch: int
) -> str:
    claims = {
        "sub": actor.username,
        "roles": list(actor.roles),
        "sid": session_id,
        "ep": epoch,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=minutes)).timestamp()),
        # Every token is distinct, even two issued in the same second of a fixed clock: a
        # renewed token never equals the one it replaces.
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, *, secret: str, now: datetime) -> TokenClaims | None:
    """The claims of a token, or None if it is forged, malformed or expired.

    `now` is wall-clock time, never the engine's (possibly fake) clock: moving a demo's clock
    two months ahead to pass a deadline must not sign everybody out.
    """
    try:
        # Expiry is checked below against `now`; PyJWT would check exp and iat on its own clock.
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp")
    if not isinstance(exp, int) or now.timestamp() >= exp:
        return None
    roles = claims.get("roles")
    sub = claims.get("sub")
    sid = claims.get("sid")
    ep = claims.get("ep")
    if (
        not isinstance(sub, str)
        or not isinstance(roles, list)
        or not isinstance(sid, str)
        or not isinstance(ep, int)
    ):
        return None
    return TokenClaims(sub, tuple(str(r) for r in roles), sid, ep)


class UserCache:
    """The last database answer per (user, session, epoch), trusted for `seconds`.

    A change made through this process (logout, disable, roles) forgets the user at once; a
    change made elsewhere (another API process, the CLI) takes effect within `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._hits: dict[tuple[str, str, int], tuple[Actor | None, datetime]] = {}

    def get(self, key: tuple[str, str, int], now: datetime) -> tuple[bool, Actor | None]:
        with self._lock:
            hit = self._hits.get(key)
        if hit is None or not (hit[1] <= now < hit[1] + timedelta(seconds=self.seconds)):
            return False, None
        return True, hit[0]

    def put(self, key: tuple[str, str, int], actor: Actor | None, now: datetime) -> None:
        with self._lock:
            if len(self._hits) > 10_000:
                self._hits.clear()
            self._hits[key] = (actor, now)

    def forget(self, username: str) -> None:
        with self._lock:
            for key in [k for k in self._hits if k[0] == username]:
                del self._hits[key]
