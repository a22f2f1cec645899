"""Timer incidents: the rows, and the claim that leaves a failing timer alone while it waits.

The claim lives here, not in `TimerRepository.claim_next_due`, because it is the incident table
that decides which due timers are held back: a timer with an `open` incident whose next attempt
is still ahead, or with a `failed` one (no attempts left), is not claimed. Every worker reads the
same rows, so a restarted worker, or another one, does not run into the same poisoned timer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from engine.store.models import Case, TimerIncident, TimerRow

ACTIVE = ("open", "failed")


class IncidentRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def claim_next_due(
        self,
        now: datetime,
        exclude: Iterable[str] = (),
        *,
        abandoned_after: timedelta | None = None,
    ) -> TimerRow | None:
        """The earliest due timer that nobody else holds and no incident holds back. On
        PostgreSQL the row stays locked until the transaction ends (FOR UPDATE SKIP LOCKED).

        A timer whose attempt was marked started (`attempt_started_at`) is left alone for
        `abandoned_after` (by default not at all): the worker that marked it is between its mark
        and its step's transaction, or it died; after that long the claimer counts it as dead.
        A mark in the future by more than that (a clock set back) counts as old too."""
        held = exists().where(
            TimerIncident.timer_id == TimerRow.id,
            or_(
                TimerIncident.status == "failed",
                and_(TimerIncident.status == "open", TimerIncident.next_attempt_at > now),
            ),
        )
        query = select(TimerRow).where(TimerRow.due_at <= now, ~held)
        if abandoned_after:
            mark = TimerRow.attempt_started_at
            query = query.where(
                or_(
                    mark.is_(None),
                    mark <= now - abandoned_after,
                    mark > now + abandoned_after,
                )
            )
        skip = list(exclude)
        if skip:
            query = query.where(TimerRow.id.not_in(skip))
        query = query.order_by(TimerRow.due_at, TimerRow.id).limit(1)
        if self.s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=TimerRow)
        return self.s.scalar(query)

    def mark_attempt(self, timer_id: str, at: datetime | None) -> None:
        """Set (a step is about to run) or clear (it ended, one way or another) the timer's
        attempt mark; a plain UPDATE, harmless when the step deleted the row (it fired)."""
        self.s.execute(
            update(TimerRow)
            .where(TimerRow.id == timer_id)
            .values(attempt_started_at=at)
            .execution_options(synchronize_session=False)
        )

    def claim(self, timer_id: str, *, wait: bool = False) -> TimerRow | None:
        """One timer by id, held for this transaction unless another worker holds it; `wait`
        waits for the lock instead (a timer this worker marked: another worker's claim query
        may hold its row for an instant while it rechecks the mark, and must not make this
        worker give the attempt up and leave its mark to be taken for a death)."""
        query = select(TimerRow).where(TimerRow.id == timer_id)
        if self.s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=not wait)
        return self.s.scalar(query)

    def active_for_timer(self, timer_id: str, *, lock: bool = False) -> TimerIncident | None:
        """The timer's open or failed incident; `lock` holds it (PostgreSQL) so that an
        administrator's retry and a worker's failure count never overwrite each other."""
        query = (
            select(TimerIncident)
            .where(TimerIncident.timer_id == timer_id, TimerIncident.status.in_(ACTIVE))
            .order_by(TimerIncident.id.desc())
            .limit(1)
        )
        if lock and self.s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        return self.s.scalar(query)

    def get(self, incident_id: int, *, lock: bool = False) -> TimerIncident | None:
        query = select(TimerIncident).where(TimerIncident.id == incident_id)
        if lock and self.s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        return self.s.scalar(query)

    def add(self, incident: TimerIncident) -> None:
        self.s.add(incident)
        self.s.flush()

    def page(
        self,
        *,
        statuses: Sequence[str] = (),
        case_id: int | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[tuple[TimerIncident, str, bool]], int]:
        """(incident, case number, whether its timer still waits), newest first, and the total."""
        where: list[ColumnElement[bool]] = []
        if statuses:
            where.append(TimerIncident.status.in_(list(statuses)))
        if case_id is not None:
            where.append(TimerIncident.case_id == case_id)
        total = self.s.scalar(select(func.count()).select_from(TimerIncident).where(*where))
        waiting = exists().where(TimerRow.id == TimerIncident.timer_id)
        rows = self.s.execute(
            select(TimerIncident, Case.case_no, waiting)
            .join(Case, Case.id == TimerIncident.case_id)
            .where(*where)
            .order_by(TimerIncident.last_failed_at.desc(), TimerIncident.id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        return [(r[0], str(r[1]), bool(r[2])) for r in rows], int(total or 0)

    def case_no(self, case_id: int) -> str:
        return str(self.s.scalar(select(Case.case_no).where(Case.id == case_id)) or "")

    def timer_waiting(self, timer_id: str) -> bool:
        return self.s.scalar(select(TimerRow.id).where(TimerRow.id == timer_id)) is not None

    def active_for_case(self, case_id: int) -> list[TimerIncident]:
        return list(
            self.s.scalars(
                select(TimerIncident)
                .where(TimerIncident.case_id == case_id, TimerIncident.status.in_(ACTIVE))
                .order_by(TimerIncident.id)
            )
        )

    def orphans(self) -> list[TimerIncident]:
        """Active incidents whose timer is gone (the case moved on by another path)."""
        query = select(TimerIncident).where(
            TimerIncident.status.in_(ACTIVE),
            ~exists().where(TimerRow.id == TimerIncident.timer_id),
        )
        if self.s.get_bind().dialect.name == "postgresql":
            # Two workers sweeping at once: each closes the ones the other does not hold.
            query = query.with_for_update(skip_locked=True, of=TimerIncident)
        return list(self.s.scalars(query))
