"""FastAPI dependencies: the wired engine, the unit of work, the current user, role checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer

from api.security import UserCache, read_token
from engine import services
from engine.bootstrap import App
from engine.clock import Clock, SystemClock
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


def auth_clock(request: Request) -> Clock:
    """Wall-clock time for tokens, sessions and throttling (tests put a FixedClock here)."""
    clock: Clock | None = getattr(request.app.state, "auth_clock", None)
    return clock if clock is not None else WALL_CLOCK


def user_cache(request: Request) -> UserCache:
    cache: UserCache | None = getattr(request.app.state, "user_cache", None)
    if cache is None:
        app: App = request.app.state.qingwei
        cache = UserCache(app.settings.security.user_cache_seconds)
        request.app.state.user_cache = cache
    return cache


async def current_user(
    request: Request,
    token: Annotated[str | None, Depends(oauth2)],
    app: Annotated[App, Depends(get_app)],
) -> Actor:
    """The signed-in user as the database knows them now: a token of a disabled or deleted
    user, of a revoked session or of an older epoch (password or roles changed) is refused.
    The answer is cached per process for `QINGWEI_SECURITY__USER_CACHE_SECONDS`."""
    secret = app.settings.security.secret_key
    if not token or not secret:
        raise HTTPException(status_code=401, detail="请先登录 sign in first (Bearer token)")
    now = auth_clock(request).now()
    claims = read_token(token, secret=secret, now=now)
    if claims is None:
        raise HTTPException(
            status_code=401, detail="令牌无效或已过期 the token is invalid or expired"
        )
    cache = user_cache(request)
    key = (claims.username, claims.session_id, claims.epoch)
    hit, actor = cache.get(key, now)
    if not hit:
        state = await run_in_threadpool(
            services.session_state,
            app.ctx,
            username=claims.username,
            session_id=claims.session_id,
            now=now,
        )
        actor = state.actor if state is not None and state.epoch == claims.epoch else None
        cache.put(key, actor, now)
    if actor is None:
        raise HTTPException(
            status_code=401, detail="登录已失效 the sign-in was revoked or the user disabled"
        )
    request.state.token_claims = claims
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

# The ledger is every case's summary: not for the utility (least privilege).
LEDGER_READERS = tuple(r for r in CASE_READERS if r != "utility")
LedgerReader = Annotated[Actor, Depends(require(*LEDGER_READERS))]


async def case_viewer(
    case_id: Annotated[int, Path(ge=1, le=2**63 - 1)], user: CaseReader, ctx: CtxDep
) -> Actor:
    """A case reader who may read this case: the utility only the cases addressed to it (404
    for the others, as if they did not exist)."""
    if not await run_in_threadpool(services.can_see_case, ctx, actor=user, case_id=case_id):
        raise HTTPException(status_code=404, detail=f"案件不存在 case {case_id} does not exist")
    return user


CaseViewer = Annotated[Actor, Depends(case_viewer)]
