"""FastAPI dependencies: the wired engine, the unit of work, the current user, role checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer

from engine.bootstrap import App
from engine.clock import SystemClock
from engine.services import Actor, EngineContext
from engine.services.context import LANE_ROLES

WALL_CLOCK = SystemClock()  # token lifetimes are real time (see api/security.py)
oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

# Roles that work on cases (everyone but designers); auditors read but never change.
CASE_ACTORS = LANE_ROLES
CASE_READERS = (*LANE_ROLES, "auditor", "admin")


async def get_app(request: Request) -> App:
    app: App = request.app.state.qingwei
    return app


async def get_ctx(app: Annotated[App, Depends(get_app)]) -> EngineContext:
    return app.ctx


async def current_user(
    token: Annotated[str | None, Depends(oauth2)], app: Annotated[App, Depends(get_app)]
) -> Actor:
    secret = app.settings.security.secret_key
    if not token or not secret:
        raise HTTPException(status_code=401, detail="sign in first (Bearer token)")
    from api.security import read_token

    actor = read_token(token, secret=secret, now=WALL_CLOCK.now())
    if actor is None:
        raise HTTPException(status_code=401, detail="the token is invalid or expired")
    return actor


AppDep = Annotated[App, Depends(get_app)]
CtxDep = Annotated[EngineContext, Depends(get_ctx)]
CurrentUser = Annotated[Actor, Depends(current_user)]


def require(*roles: str) -> Callable[[Actor], Awaitable[Actor]]:
    """A dependency that lets through only callers holding one of `roles` (declared on routes).

    The dependencies are `async def`: they do no I/O, and each sync dependency would cost a
    thread-pool hop per request (the engine call in the route still runs in the pool)."""

    async def check(user: CurrentUser) -> Actor:
        if not user.has(*roles):
            raise HTTPException(
                status_code=403,
                detail=f"this needs one of the roles: {', '.join(roles)}",
            )
        return user

    return check


CaseReader = Annotated[Actor, Depends(require(*CASE_READERS))]
CaseActor = Annotated[Actor, Depends(require(*CASE_ACTORS))]
Officer = Annotated[Actor, Depends(require("officer"))]
MessageRecorder = Annotated[Actor, Depends(require("officer", "head"))]
Designer = Annotated[Actor, Depends(require("designer", "admin"))]
Admin = Annotated[Actor, Depends(require("admin"))]
