"""Issued documents and their number counters (the only writer of both)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.store.models import DocumentCounter, DocumentRow


class DocumentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def next_seq(self, agency: str, code: str, year: int) -> int:
        """The next number of (agency, code, year), taken inside the caller's transaction.

        The counter row is created if missing (a concurrent creator wins, the other does
        nothing), then locked: FOR UPDATE on PostgreSQL; on SQLite the transaction already
        holds the write lock (BEGIN IMMEDIATE). Whoever commits first keeps the lower number;
        a rollback returns the number, so there is never a gap."""
        dialect = self.session.get_bind().dialect.name
        ins = pg_insert if dialect == "postgresql" else sqlite_insert
        self.session.execute(
            ins(DocumentCounter)
            .values(agency=agency, code=code, year=year, last=0)
            .on_conflict_do_nothing()
        )
        row = self.session.execute(
            select(DocumentCounter)
            .where(
                DocumentCounter.agency == agency,
                DocumentCounter.code == code,
                DocumentCounter.year == year,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
        row.last += 1
        self.session.flush()
        return row.last

    def add(self, row: DocumentRow) -> DocumentRow:
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, doc_id: int, *, lock: bool = False) -> DocumentRow | None:
        """One document; `lock` re-reads it FOR UPDATE (a withdrawal, once)."""
        if not lock:
            return self.session.get(DocumentRow, doc_id)
        return self.session.scalars(
            select(DocumentRow)
            .where(DocumentRow.id == doc_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()

    def for_case(self, case_id: int) -> Sequence[DocumentRow]:
        return self.session.scalars(
            select(DocumentRow).where(DocumentRow.case_id == case_id).order_by(DocumentRow.id)
        ).all()

    def by_sha256(self, sha256: str) -> DocumentRow | None:
        return self.session.scalars(select(DocumentRow).where(DocumentRow.sha256 == sha256)).first()

    def by_code(self, code: str) -> DocumentRow | None:
        return self.session.scalars(
            select(DocumentRow).where(DocumentRow.verify_code == code)
        ).first()
