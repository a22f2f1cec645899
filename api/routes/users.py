"""User administration (admin): disable or enable, change roles, set a password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from api.deps import Admin, AppDep, auth_clock, user_cache
from api.schemas.auth import UserRead, UserUpdate
from api.schemas.common import problems
from engine import services

router = APIRouter(prefix="/users", tags=["users"])
UserPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.patch("/{username}", response_model=UserRead, responses=problems(401, 403, 404, 422))
def update_user(
    username: UserPath, body: UserUpdate, request: Request, app: AppDep, admin: Admin
) -> UserRead:
    """Disabling, a role change or a new password revoke every token of the user (at once in
    this process, within `user_cache_seconds` in others); each change is in the system trail."""
    v = services.update_user(
        app.ctx,
        username=username,
        by=admin,
        now=auth_clock(request).now(),
        active=body.active,
        roles=body.roles,
        password=body.password,
    )
    user_cache(request).forget(username)
    return UserRead(username=v.username, full_name=v.full_name, roles=v.roles, active=v.active)
