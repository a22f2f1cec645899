"""Domain errors: what a use case can refuse, independent of HTTP or the CLI.

The API maps each class to one status code (see api/errors.py); the CLI to an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class QingweiError(Exception):
    """Base of every refusal the engine makes on purpose."""


class NotFound(QingweiError):
    """The case, task, process or user does not exist."""


class Conflict(QingweiError):
    """The request is valid but does not fit the case as it is now (409)."""


class StaleCaseVersion(Conflict):
    """Another change landed first; the caller must reload and retry."""


class TaskNotReady(Conflict):
    """The task is not (or no longer) waiting for a person."""


class NotWaitingForMessage(Conflict):
    """The case is not waiting for this message."""


@dataclass
class FieldError:
    """One bad field: where (`loc`, a JSON path as a list) and why."""

    loc: list[str | int]
    msg: str

    def as_dict(self) -> dict[str, Any]:
        return {"loc": list(self.loc), "msg": self.msg}


@dataclass
class ValidationFailed(QingweiError):
    """Input does not satisfy its schema; every bad field is listed, not just the first."""

    errors: list[FieldError] = field(default_factory=list)
    message: str = "invalid input"

    def __str__(self) -> str:
        parts = "; ".join(f"{'/'.join(map(str, e.loc)) or '(root)'}: {e.msg}" for e in self.errors)
        return f"{self.message}: {parts}" if parts else self.message


@dataclass
class DeploymentRejected(QingweiError):
    """A BPMN upload failed parsing or lint; nothing was deployed."""

    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "deployment rejected: " + "; ".join(self.errors)


class PermissionDenied(QingweiError):
    """The actor's roles do not allow this (a lane, or segregation of duties)."""


@dataclass
class GuardRefused(Conflict):
    """The law forbids the step; `article` names the provision (e.g. 'ACL Art. 44')."""

    article: str
    reason: str
    rule: str = "guard"

    def __str__(self) -> str:
        return f"{self.article}: {self.reason}"


@dataclass
class DutyConflict(PermissionDenied):
    """Segregation of duties: this person may not perform this step (403, names the rule)."""

    article: str
    reason: str
    rule: str = "segregation_of_duties"

    def __str__(self) -> str:
        return f"{self.rule} ({self.article}): {self.reason}"


class ProcessFault(QingweiError):
    """The process itself failed (a script raised, a condition matched nothing): a design defect,
    not the user's fault; the case is left unchanged."""


class CalendarUnavailable(Conflict):
    """A deadline falls in a year whose holiday schedule is not loaded: the step cannot be
    taken until an administrator loads it (QINGWEI_HOLIDAYS_FILE); nothing was changed."""


@dataclass
class LoginLocked(QingweiError):
    """Too many failed sign-ins for this username or address: wait `retry_after` seconds (429)."""

    retry_after: int
    message: str = "登录失败次数过多，请稍后再试 Too many failed sign-ins; try again later"

    def __str__(self) -> str:
        return f"{self.message} ({self.retry_after} s)"
