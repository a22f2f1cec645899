"""The unit of work: one transaction per use case; only `commit()` here ever commits.

Repositories below it only `flush()`, so a case row, its task and timer projections and its audit
events land together or not at all.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from engine.errors import Conflict
from engine.store.documents_repo import DocumentRepository
from engine.store.ledger_repo import CampaignRepository, LedgerRepository
from engine.store.repositories import (
    AuditRepository,
    CalendarRepository,
    CaseRepository,
    ProcessRepository,
    TimerRepository,
    UserRepository,
)


class UnitOfWork:
    """`with uow:` opens a transaction; leaving without `commit()` rolls it back."""

    def __init__(self, session_factory: sessionmaker[Session], *, read_only: bool = False) -> None:
        self._factory = session_factory
        self._read_only = read_only
        bind = session_factory.kw.get("bind")
        # Identifies the database, e.g. to key caches of immutable rows per database.
        self.engine_url = str(bind.url) if bind is not None else ""
        self.session: Session | None = None

    def __enter__(self) -> Self:
        self.session = self._factory()
        if self._read_only and self.session.get_bind().dialect.name == "sqlite":
            # Readers in WAL mode need no write lock: start a deferred transaction.
            self.session.connection(execution_options={"sqlite_begin": "DEFERRED"})
        s = self.session
        self.processes = ProcessRepository(s)
        self.cases = CaseRepository(s)
        self.timers = TimerRepository(s)
        self.audit = AuditRepository(s)
        self.users = UserRepository(s)
        self.calendar = CalendarRepository(s)
        self.documents = DocumentRepository(s)
        self.ledger = LedgerRepository(s)
        self.campaigns = CampaignRepository(s)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.session is not None
        try:
            self.session.rollback()
        finally:
            self.session.close()
            self.session = None

    def flush(self) -> None:
        assert self.session is not None
        self.session.flush()

    def commit(self) -> None:
        assert self.session is not None
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        try:
            self.session.commit()
        except OperationalError as exc:
            # A serialisation failure or lock timeout: nothing was written; the caller retries.
            raise Conflict("the database refused the write; retry") from exc

    def rollback(self) -> None:
        assert self.session is not None
        self.session.rollback()


class UnitOfWorkFactory:
    """Builds units of work bound to one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.sessions, read_only=read_only)
