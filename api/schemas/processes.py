from __future__ import annotations

from pydantic import BaseModel

from api.schemas.common import LocalTime


class ProcessRead(BaseModel):
    key: str
    version: int
    name: str
    sha256: str
    deployed_at: LocalTime
    latest: bool


class DeployedVersion(BaseModel):
    key: str
    version: int


class DeployedRead(BaseModel):
    key: str
    version: int
    processes: list[DeployedVersion] | None = None


class ValidationRead(BaseModel):
    valid: bool
    errors: list[str]
    warnings: list[str]
