"""Repositories: queries and writes for one aggregate each. They flush; they never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    String,
    Table,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from engine.errors import Conflict
from engine.store.models import (
    AuditCheckpoint,
    AuditEvent,
    AuthSession,
    Case,
    HolidayYear,
    LoginThrottle,
    ProcessVersion,
    ReadyTaskRow,
    SystemAuditEvent,
    TimerRow,
    TrailHead,
    User,
)

# Core tables for hot-path statements (typed as Table for Core insert/delete).
_TASKS: Table = ReadyTaskRow.__table__  # type: ignore[assignment]
_TIMERS: Table = TimerRow.__table__  # type: ignore[assignment]
_AUDIT: Table = AuditEvent.__table__  # type: ignore[assignment]

_CASES: Table = Case.__table__  # type: ignore[assignment]
_AUDIT_COLUMNS = tuple(c.name for c in _AUDIT.columns if c.name != "id")
_AUDIT_INSERT = insert(_AUDIT)


@lru_cache(maxsize=32)
def _case_update(columns: tuple[str, ...]) -> Any:
    return (
        update(_CASES)
        .where(_CASES.c.id == bindparam("b_id"), _CASES.c.case_version == bindparam("b_version"))
        .values({name: bindparam(name) for name in columns})
    )


class ProcessRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, row: ProcessVersion) -> ProcessVersion:
        self.s.add(row)
        self.s.flush()
        return row

    def by_id(self, version_id: int) -> ProcessVersion | None:
        return self.s.get(ProcessVersion, version_id)

    def get(self, key: str, version: int) -> ProcessVersion | None:
        return self.s.scalar(
            select(ProcessVersion).where(
                ProcessVersion.key == key, ProcessVersion.version == version
            )
        )

    def latest(self, key: str) -> ProcessVersion | None:
        return self.s.scalar(
            select(ProcessVersion)
            .where(ProcessVersion.key == key)
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        )

    def latest_head(self, key: str) -> tuple[int, int] | None:
        """(id, version) of the newest version of `key`, without its XML, serialized spec and
        elements (hundreds of KB): opening a case takes the spec (and its start form) from the
        runtime's cache, keyed by the immutable version id."""
        row = self.s.execute(
            select(ProcessVersion.id, ProcessVersion.version)
            .where(ProcessVersion.key == key)
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        ).first()
        return None if row is None else (row[0], row[1])

    def lane_elements(self, lane: str) -> list[str]:
        """The ids of the elements in `lane`, over every deployed version."""
        found: set[str] = set()
        for elements in self.s.scalars(select(ProcessVersion.elements_json)).all():
            found |= {
                k for k, e in elements.items() if isinstance(e, dict) and e.get("lane") == lane
            }
        return sorted(found)

    def by_sha(self, key: str, sha256: str) -> ProcessVersion | None:
        return self.s.scalar(
            select(ProcessVersion).where(ProcessVersion.key == key, ProcessVersion.sha256 == sha256)
        )

    def next_version(self, key: str) -> int:
        current = self.s.scalar(
            select(func.max(ProcessVersion.version)).where(ProcessVersion.key == key)
        )
        return int(current or 0) + 1

    def all(self) -> Sequence[ProcessVersion]:
        return self.s.scalars(
            select(ProcessVersion).order_by(ProcessVersion.key, ProcessVersion.version)
        ).all()

    def newest_at(self, keys: Sequence[str], moment: datetime) -> list[ProcessVersion]:
        """For each of `keys`, the version that was the newest at `moment` (a bundle deploys at
        one time), in the order of `keys`; one query."""
        rows = self.s.scalars(
            select(ProcessVersion)
            .where(ProcessVersion.key.in_(list(keys)), ProcessVersion.deployed_at <= moment)
            .order_by(ProcessVersion.id)
        ).all()
        newest = {row.key: row for row in rows}
        return [newest[k] for k in keys if k in newest]

    def latest_xml_by_file(self) -> dict[str, bytes]:
        """The newest XML of every key, used to resolve call activities at deploy time."""
        latest: dict[str, ProcessVersion] = {}
        for row in self.all():
            latest[row.key] = row
        return {f"{row.key}@{row.version}.bpmn": row.bpmn_xml for row in latest.values()}


class CaseRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, row: Case) -> Case:
        self.s.add(row)
        self.s.flush()
        return row

    def get(self, case_id: int) -> Case | None:
        return self.s.get(Case, case_id)

    def lock(self, case_id: int, *, nowait: bool = False) -> Case | None:
        """Load the case and hold its row until the transaction ends (PostgreSQL).

        Writers serialise here, so the loser sees the winner's `case_version` and fails cleanly
        before writing anything. With `nowait` a held row raises at once (the timer worker skips
        such a case rather than wait, which would risk a lock-order deadlock with a user).
        SQLite's BEGIN IMMEDIATE already gives one writer at a time.
        """
        if self.s.get_bind().dialect.name != "postgresql":
            return self.s.get(Case, case_id)
        try:
            return self.s.get(
                Case,
                case_id,
                with_for_update={"nowait": nowait},
                populate_existing=True,
            )
        except OperationalError as exc:
            raise Conflict(f"case {case_id} is being changed by someone else") from exc

    def by_no(self, case_no: str) -> Case | None:
        return self.s.scalar(select(Case).where(Case.case_no == case_no))

    def save_if_version(self, case_id: int, expected_version: int, values: dict[str, Any]) -> bool:
        """Write `values` only if nobody changed the case since we read it (optimistic lock).

        The statement is built once per set of columns and reused with bound parameters, so
        SQLAlchemy's compiled cache is hit instead of re-deriving a cache key from the values.
        """
        result = self.s.execute(
            _case_update(tuple(sorted(values))),
            {"b_id": case_id, "b_version": expected_version, **values},
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def tasks(self, case_id: int) -> Sequence[ReadyTaskRow]:
        return self.s.scalars(
            select(ReadyTaskRow)
            .where(ReadyTaskRow.case_id == case_id)
            .order_by(ReadyTaskRow.created_at, ReadyTaskRow.id)
        ).all()

    def task(self, task_id: str) -> ReadyTaskRow | None:
        return self.s.get(ReadyTaskRow, task_id)

    def task_records(self, case_id: int) -> list[Any]:
        """The case's ready-task rows as light records (one Core query, no ORM identity map)."""
        t = _TASKS
        return list(
            self.s.execute(
                select(t).where(t.c.case_id == case_id).order_by(t.c.created_at, t.c.id)
            ).all()
        )

    def sync_tasks(
        self, case_id: int, existing: Sequence[Any], wanted: Sequence[dict[str, Any]]
    ) -> list[Any]:
        """Make the projection equal `wanted` with at most one DELETE and one INSERT; returns
        the resulting rows in waiting order (kept rows keep their created_at)."""
        t = _TASKS
        wanted_ids = {w["id"] for w in wanted}
        have = {r.id: r for r in existing}
        stale = [i for i in have if i not in wanted_ids]
        if stale:
            self.s.execute(delete(t).where(t.c.id.in_(stale)))
        new = [w for w in wanted if w["id"] not in have]
        if new:
            self.s.execute(insert(t), new)
        kept: list[Any] = []
        for w in wanted:
            row = have.get(w["id"])
            if row is None:
                continue
            due = {k: w[k] for k in _DUE_FIELDS if k in w}
            if any(_same(getattr(row, k), v) is False for k, v in due.items()):
                # A deadline on a waiting task moved (set, lapsed or recomputed): keep the row
                # and its created_at, update only what is due.
                self.s.execute(update(t).where(t.c.id == row.id).values(**due))
                kept.append({**row._asdict(), **due})
            else:
                kept.append(row)
        return kept + new

    def overdue_duty_case_ids(self, now: datetime) -> set[int]:
        """Cases with a task whose agency deadline has passed (the duty lapsed, not done)."""
        query = select(ReadyTaskRow.case_id).where(ReadyTaskRow.due_at <= now).distinct()
        return {int(i) for i in self.s.scalars(query).all()}

    def set_due_flags(self, case_id: int, tasks: Sequence[Any]) -> None:
        """Refresh the 暂定 mark of the case's task deadlines (nothing else changes)."""
        t = _TASKS
        for task in tasks:
            self.s.execute(
                update(t)
                .where(t.c.id == task.task_id, t.c.case_id == case_id)
                .values(due_provisional=bool(task.due_provisional))
            )

    def search(
        self,
        *,
        status: str | None = None,
        stage: str | None = None,
        overdue_at: datetime | None = None,
        q: str | None = None,
        offset: int = 0,
        limit: int = 50,
        only_ids: Sequence[int] | None = None,
    ) -> tuple[Sequence[Case], int]:
        query = select(Case)
        if only_ids is not None:
            query = query.where(Case.id.in_(list(only_ids)))
        if status:
            query = query.where(Case.status == status)
        if stage:
            query = query.where(Case.stage == stage)
        if q:
            like = f"%{q}%"
            query = query.where(
                or_(
                    Case.case_no.ilike(like),
                    Case.process_key.ilike(like),
                    cast(Case.data, String).ilike(like),  # address, party, description...
                )
            )
        if overdue_at is not None:
            overdue = (
                select(TimerRow.case_id)
                .where(TimerRow.due_at <= overdue_at)
                .union(select(ReadyTaskRow.case_id).where(ReadyTaskRow.due_at <= overdue_at))
            )
            query = query.where(Case.id.in_(overdue))
        total = self.s.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.s.scalars(query.order_by(Case.id.desc()).offset(offset).limit(limit)).all()
        return rows, int(total)

    def ready_tasks_for_lanes(
        self, lanes: Iterable[str], *, offset: int = 0, limit: int | None = None
    ) -> Sequence[ReadyTaskRow]:
        return self.s.scalars(
            select(ReadyTaskRow)
            .where(ReadyTaskRow.lane.in_(list(lanes)))
            .order_by(ReadyTaskRow.created_at, ReadyTaskRow.id)
            .offset(offset)
            .limit(limit)
        ).all()

    def count_ready_tasks_for_lanes(self, lanes: Iterable[str]) -> int:
        query = select(func.count()).where(ReadyTaskRow.lane.in_(list(lanes)))
        return int(self.s.scalar(query) or 0)

    def ledger_rows(self) -> list[Any]:
        """(status, stage, data) of every case, for the ledger's counts and areas."""
        return list(self.s.execute(select(Case.status, Case.stage, Case.data)).all())

    def all_cases(self) -> Sequence[Case]:
        return self.s.scalars(select(Case).order_by(Case.id)).all()

    def addressed_to_lane(self, lane: str, elements: Sequence[str]) -> list[int]:
        """Cases with a task waiting in `lane`, or with an audit event of one of its elements."""
        waiting = select(ReadyTaskRow.case_id).where(ReadyTaskRow.lane == lane)
        done = select(AuditEvent.case_id).where(AuditEvent.element_id.in_(list(elements)))
        ids = self.s.scalars(waiting.union(done)).all()
        return sorted(int(i) for i in ids)

    def all_heads(self) -> dict[int, tuple[int, str]]:
        rows = self.s.execute(select(Case.id, Case.audit_seq, Case.audit_head)).all()
        return {int(r[0]): (int(r[1]), str(r[2])) for r in rows}

    def all_ids(self) -> list[int]:
        return [int(i) for i in self.s.scalars(select(Case.id).order_by(Case.id)).all()]


class TimerRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def for_case(self, case_id: int) -> Sequence[TimerRow]:
        return self.s.scalars(
            select(TimerRow).where(TimerRow.case_id == case_id).order_by(TimerRow.due_at)
        ).all()

    def get(self, timer_id: str) -> TimerRow | None:
        return self.s.get(TimerRow, timer_id)

    def delete(self, timer_id: str) -> None:
        self.s.execute(delete(_TIMERS).where(_TIMERS.c.id == timer_id))

    def records(self, case_id: int) -> list[Any]:
        t = _TIMERS
        return list(
            self.s.execute(select(t).where(t.c.case_id == case_id).order_by(t.c.due_at)).all()
        )

    def sync(
        self, case_id: int, wanted: Sequence[dict[str, Any]], *, unchanged: bool = False
    ) -> list[dict[str, Any]]:
        """Make the case's timer rows equal `wanted` (one query, then at most a DELETE and an
        INSERT); a timer whose due date changed is replaced. `unchanged` (the runtime saw the
        same waiting timers before and after the step) skips the database entirely."""
        if unchanged:
            return sorted(wanted, key=lambda w: w["due_at"])
        t = _TIMERS
        existing = {r.id: r for r in self.records(case_id)}
        want = {w["id"]: w for w in wanted}
        stale = [
            i
            for i, r in existing.items()
            if i not in want or _utc(r.due_at) != _utc(want[i]["due_at"])
        ]
        if stale:
            self.s.execute(delete(t).where(t.c.id.in_(stale)))
        new = [w for i, w in want.items() if i not in existing or i in stale]
        if new:
            self.s.execute(insert(t), new)
        return sorted(wanted, key=lambda w: w["due_at"])

    def claim_next_due(self, now: datetime, exclude: Iterable[str] = ()) -> TimerRow | None:
        """The earliest due timer nobody else holds. On PostgreSQL the row stays locked until
        this transaction ends (FOR UPDATE SKIP LOCKED), so concurrent workers never share it;
        SQLite's single writer gives the same guarantee through BEGIN IMMEDIATE."""
        query = select(TimerRow).where(TimerRow.due_at <= now)
        skip = list(exclude)
        if skip:
            query = query.where(TimerRow.id.not_in(skip))
        query = query.order_by(TimerRow.due_at, TimerRow.id).limit(1)
        if self.s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return self.s.scalar(query)

    def due_ids(self, now: datetime, limit: int) -> list[str]:
        return list(
            self.s.scalars(
                select(TimerRow.id)
                .where(TimerRow.due_at <= now)
                .order_by(TimerRow.due_at)
                .limit(limit)
            ).all()
        )

    def next_due_by_case(self) -> dict[int, datetime]:
        """The earliest due instant of each case that has a waiting timer."""
        due: dict[int, datetime] = {}
        for case_id, at in self.s.execute(
            select(TimerRow.case_id, TimerRow.due_at).order_by(TimerRow.due_at)
        ):
            due.setdefault(case_id, at)
        return due

    def overdue_case_count(self, now: datetime) -> int:
        """Cases with a deadline passed: a timer not yet fired, or an agency duty (a task's
        due date) still not done after its timer fired."""
        union = (
            select(TimerRow.case_id.label("case_id"))
            .where(TimerRow.due_at <= now)
            .union(select(ReadyTaskRow.case_id).where(ReadyTaskRow.due_at <= now))
            .subquery()
        )
        return int(self.s.scalar(select(func.count()).select_from(union)) or 0)

    def provisional_case_count(self) -> int:
        union = (
            select(TimerRow.case_id.label("case_id"))
            .where(TimerRow.provisional.is_(True))
            .union(select(ReadyTaskRow.case_id).where(ReadyTaskRow.due_provisional.is_(True)))
            .subquery()
        )
        return int(self.s.scalar(select(func.count()).select_from(union)) or 0)

    def cases_touching_year(self, year: int) -> list[int]:
        """Cases with a pending timer whose date the schedule of `year` decided (or may have:
        a timer from before the years were recorded that runs into that year)."""
        from datetime import UTC

        jan1 = datetime(year, 1, 1, tzinfo=UTC)
        query = (
            select(TimerRow.case_id)
            .where(
                or_(
                    TimerRow.years.like(f"%{year}%"),
                    and_(TimerRow.years.is_(None), TimerRow.due_at >= jan1),
                )
            )
            .distinct()
        )
        return sorted(int(i) for i in self.s.scalars(query).all())

    def provisional_rows(self) -> list[tuple[int, str | None]]:
        return [
            (int(r[0]), r[1])
            for r in self.s.execute(
                select(TimerRow.case_id, TimerRow.years).where(TimerRow.provisional.is_(True))
            ).all()
        ]

    def set_flags(self, case_id: int, timers: Sequence[Any]) -> None:
        """Refresh years and the 暂定 mark of the case's timers (their dates are unchanged)."""
        t = _TIMERS
        for timer in timers:
            self.s.execute(
                update(t)
                .where(t.c.id == timer.task_id, t.c.case_id == case_id)
                .values(
                    years=",".join(str(y) for y in timer.years) or None,
                    provisional_years=",".join(str(y) for y in timer.provisional_years) or None,
                    provisional=bool(timer.provisional_years),
                )
            )


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, row: AuditEvent) -> AuditEvent:
        """Insert with a Core statement: the hot path needs no ORM bookkeeping for the row."""
        values = {name: getattr(row, name) for name in _AUDIT_COLUMNS}
        self.s.execute(_AUDIT_INSERT, values)
        return row

    def chain(self, case_id: int) -> Sequence[AuditEvent]:
        return self.s.scalars(
            select(AuditEvent)
            .where(AuditEvent.case_id == case_id)
            .order_by(AuditEvent.seq, AuditEvent.id)
        ).all()

    def add_checkpoint(self, row: AuditCheckpoint) -> AuditCheckpoint:
        self.s.add(row)
        self.s.flush()
        return row

    def checkpoints(self) -> Sequence[AuditCheckpoint]:
        return self.s.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).all()

    # ---- the system trail ----------------------------------------------------------------
    def trail_head(self, name: str) -> tuple[int, str]:
        row = self.s.get(TrailHead, name)
        return (row.seq, row.hash) if row is not None else (0, "0" * 64)

    def lock_trail_head(self, name: str) -> tuple[int, str]:
        """The head, locked for this transaction (created at the genesis if missing)."""
        query = select(TrailHead).where(TrailHead.name == name)
        if self.s.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.s.scalar(query)
        if row is None:
            row = TrailHead(name=name, seq=0, hash="0" * 64)
            self.s.add(row)
            self.s.flush()
        return row.seq, row.hash

    def set_trail_head(self, name: str, seq: int, hash_: str) -> None:
        self.s.execute(update(TrailHead).where(TrailHead.name == name).values(seq=seq, hash=hash_))

    def add_system(self, row: SystemAuditEvent) -> SystemAuditEvent:
        self.s.add(row)
        self.s.flush()
        return row

    def system_chain(self) -> Sequence[SystemAuditEvent]:
        return self.s.scalars(
            select(SystemAuditEvent).order_by(SystemAuditEvent.seq, SystemAuditEvent.id)
        ).all()


class CalendarRepository:
    """The holiday schedules loaded (holiday_years)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def signature(self) -> tuple[int, str]:
        """(count, newest load): changes whenever a year is loaded; one cheap query."""
        count, newest = self.s.execute(select(func.count(), func.max(HolidayYear.loaded_at))).one()
        return int(count or 0), str(newest)

    def all(self) -> Sequence[HolidayYear]:
        return self.s.scalars(select(HolidayYear).order_by(HolidayYear.year)).all()

    def get(self, year: int) -> HolidayYear | None:
        return self.s.get(HolidayYear, year)

    def put(self, row: HolidayYear) -> None:
        existing = self.s.get(HolidayYear, row.year)
        if existing is None:
            self.s.add(row)
        else:
            existing.rest_days = row.rest_days
            existing.work_days = row.work_days
            existing.source = row.source
            existing.loaded_by = row.loaded_by
            existing.loaded_at = row.loaded_at
        self.s.flush()


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, row: User) -> User:
        self.s.add(row)
        self.s.flush()
        return row

    def by_username(self, username: str) -> User | None:
        return self.s.scalar(select(User).where(User.username == username))

    def all(self) -> Sequence[User]:
        return self.s.scalars(select(User).order_by(User.username)).all()

    def lock(self, username: str) -> User | None:
        """The user row, locked for update (PostgreSQL): role and epoch changes serialise."""
        return self.s.scalar(select(User).where(User.username == username).with_for_update())

    # Sign-in sessions (refresh tokens) and login throttling.
    def add_session(self, row: AuthSession) -> AuthSession:
        self.s.add(row)
        self.s.flush()
        return row

    def session(self, session_id: str, *, lock: bool = False) -> AuthSession | None:
        query = select(AuthSession).where(AuthSession.id == session_id)
        return self.s.scalar(query.with_for_update() if lock else query)

    def revoke_sessions(self, username: str, at: datetime) -> int:
        result = self.s.execute(
            update(AuthSession)
            .where(AuthSession.username == username, AuthSession.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def purge_sessions(self, username: str, now: datetime) -> None:
        """Forget the user's ended sessions (a missing session is as refused as a revoked one)."""
        self.s.execute(
            delete(AuthSession).where(
                AuthSession.username == username,
                or_(AuthSession.expires_at <= now, AuthSession.revoked_at.is_not(None)),
            )
        )

    def purge_throttles(self, stale_before: datetime, now: datetime) -> None:
        """Forget counters whose window ended before `stale_before` and that lock nothing."""
        self.s.execute(
            delete(LoginThrottle).where(
                LoginThrottle.window_start < stale_before,
                or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
            )
        )

    def throttle(self, key: str, *, lock: bool = False) -> LoginThrottle | None:
        query = select(LoginThrottle).where(LoginThrottle.key == key)
        return self.s.scalar(query.with_for_update() if lock else query)

    def throttle_for_update(self, key: str, now: datetime) -> LoginThrottle:
        """The key's row, locked; created (empty) if missing, also when another sign-in
        creates it concurrently (the loser of the insert re-reads the winner's row)."""
        row = self.throttle(key, lock=True)
        if row is None:
            try:
                with self.s.begin_nested():
                    self.s.add(LoginThrottle(key=key, failures=0, window_start=now))
                    self.s.flush()
            except IntegrityError:
                pass
            row = self.throttle(key, lock=True)
            assert row is not None
        return row


_DUE_FIELDS = ("due_at", "due_name", "due_basis", "due_provisional")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return _utc(a) == _utc(b)
    return bool(a == b)


def _utc(value: datetime) -> datetime:
    from datetime import UTC

    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
