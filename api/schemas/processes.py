from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class ProcessRead(BaseModel):
    key: str
    version: int
    name: str
    sha256: str
    deployed_at: datetime
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
