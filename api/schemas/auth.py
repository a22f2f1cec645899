from __future__ import annotations

from pydantic import BaseModel, Field


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    roles: list[str]
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class RefreshCreate(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class UserUpdate(BaseModel):
    """An admin's change to a user; absent fields stay as they are."""

    active: bool | None = None
    roles: list[str] | None = Field(default=None, max_length=16)
    password: str | None = Field(default=None, min_length=1, max_length=256)


class UserRead(BaseModel):
    username: str
    full_name: str
    roles: list[str]
    active: bool
