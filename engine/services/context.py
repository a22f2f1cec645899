"""What every use case needs besides its unit of work: runtime, clock, forms, settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.clock import Clock
from engine.config import Settings
from engine.forms import FormCatalog
from engine.runtime import ProcessRuntime
from engine.store.uow import UnitOfWork

if TYPE_CHECKING:
    from engine.services.calendars import CalendarBook
    from engine.services.documents import DocumentDesk

ROLES = (
    "officer",
    "legal_review",
    "head",
    "government",
    "utility",
    "court",
    "auditor",
    "designer",
    "admin",
)
# Lanes that name a role acting on case tasks (court acts through an officer recording it).
LANE_ROLES = ("officer", "legal_review", "head", "government", "utility", "court")


@dataclass(frozen=True)
class Actor:
    """Who does something, and in which roles; recorded on every audit event."""

    username: str
    roles: tuple[str, ...]

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)


SYSTEM = Actor("system", ("system",))


@dataclass
class EngineContext:
    settings: Settings
    clock: Clock
    runtime: ProcessRuntime
    forms: FormCatalog
    uow: Callable[..., UnitOfWork]
    calendars: CalendarBook = field(default=None)  # type: ignore[assignment]
    documents: DocumentDesk = field(default=None)  # type: ignore[assignment]
    # Hook for tests: called after everything is written and flushed, before commit.
    before_commit: list[Callable[[UnitOfWork], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.calendars is None:
            from engine.services.calendars import CalendarBook

            ttl = self.settings.calendar.refresh_seconds
            self.calendars = CalendarBook(self.runtime.calendar, lambda: self.runtime, ttl)
        if self.documents is None:
            from engine.services.documents import DocumentDesk

            self.documents = DocumentDesk.build(self.settings)

    def commit(self, uow: UnitOfWork) -> None:
        uow.flush()
        for hook in self.before_commit:
            hook(uow)
        uow.commit()
