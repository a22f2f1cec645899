"""Sign-in: the OAuth2 password flow, refresh, logout; throttled per username and address."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import AppDep, CurrentUser, auth_clock, user_cache
from api.schemas.auth import RefreshCreate, TokenRead
from api.schemas.common import problems
from api.security import issue_token
from engine import services
from engine.bootstrap import App

router = APIRouter(prefix="/auth", tags=["auth"])
WRONG = "用户名或密码错误 wrong username or password"


def _login_gate(request: Request, app: App) -> asyncio.Semaphore:
    """At most `login_concurrency` argon2 verifications at once per process (each takes 64 MiB
    and a core); the others wait here without holding a worker thread."""
    gate: asyncio.Semaphore | None = getattr(request.app.state, "login_gate", None)
    if gate is None:
        gate = asyncio.Semaphore(app.settings.security.login_concurrency)
        request.app.state.login_gate = gate
    return gate


def _tokens(app: App, signed: services.SignIn, request: Request) -> TokenRead:
    secret = app.settings.security.secret_key
    assert secret
    now = auth_clock(request).now()
    minutes = app.settings.security.token_minutes
    return TokenRead(
        access_token=issue_token(
            signed.actor,
            secret=secret,
            minutes=minutes,
            now=now,
            session_id=signed.session_id,
            epoch=signed.epoch,
        ),
        roles=list(signed.actor.roles),
        expires_in=minutes * 60,
        refresh_token=signed.refresh_token,
        refresh_expires_in=max(0, int((signed.refresh_expires_at - now).total_seconds())),
    )


@router.post("/token", response_model=TokenRead, responses=problems(401, 422, 429))
async def token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], app: AppDep
) -> TokenRead:
    """OAuth2 password flow: username + password → a short-lived bearer token with the roles,
    and a refresh token. Repeated failures lock the username or the address out (429)."""
    if not app.settings.security.secret_key:
        raise HTTPException(status_code=401, detail=WRONG)
    if "\x00" in form.username or len(form.username) > 64 or len(form.password) > 1024:
        raise HTTPException(status_code=401, detail=WRONG)
    address = request.client.host if request.client else "unknown"
    async with _login_gate(request, app):
        signed = await run_in_threadpool(
            services.sign_in,
            app.ctx,
            username=form.username,
            password=form.password,
            address=address,
            now=auth_clock(request).now(),
        )
    if signed is None:
        raise HTTPException(status_code=401, detail=WRONG)
    return _tokens(app, signed, request)


@router.post("/refresh", response_model=TokenRead, responses=problems(401, 422))
def refresh(body: RefreshCreate, request: Request, app: AppDep) -> TokenRead:
    """A new access token (and a new refresh token: the old one stops working)."""
    signed = services.refresh(
        app.ctx, refresh_token=body.refresh_token, now=auth_clock(request).now()
    )
    if signed is None or not app.settings.security.secret_key:
        raise HTTPException(status_code=401, detail="登录已失效 the sign-in has ended")
    return _tokens(app, signed, request)


@router.post("/logout", status_code=204, response_class=Response, responses=problems(401))
def logout(request: Request, user: CurrentUser, app: AppDep) -> Response:
    """End this sign-in: its access and refresh tokens stop working at once."""
    claims = request.state.token_claims
    services.logout(app.ctx, session_id=claims.session_id, now=auth_clock(request).now())
    user_cache(request).forget(user.username)
    return Response(status_code=204)
