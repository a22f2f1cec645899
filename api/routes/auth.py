from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import WALL_CLOCK, AppDep
from api.schemas.auth import TokenRead
from api.schemas.common import problems
from api.security import issue_token
from engine import services

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=TokenRead, responses=problems(401, 422))
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], app: AppDep) -> TokenRead:
    """OAuth2 password flow: username + password → a signed bearer token with the roles."""
    actor = None
    if "\x00" not in form.username and len(form.username) <= 64:
        actor = services.authenticate(
            app.ctx.uow(read_only=True), username=form.username, password=form.password
        )
    secret = app.settings.security.secret_key
    if actor is None or not secret:
        raise HTTPException(status_code=401, detail="wrong username or password")
    minutes = app.settings.security.token_minutes
    return TokenRead(
        access_token=issue_token(actor, secret=secret, minutes=minutes, now=WALL_CLOCK.now()),
        roles=list(actor.roles),
        expires_in=minutes * 60,
    )
