"""The tables. Workflow state is opaque JSON text plus its serializer version (DESIGN.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite has no BIGINT autoincrement; keep 64-bit ids on PostgreSQL.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on both backends (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime reached the database")
        from datetime import UTC

        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        from datetime import UTC

        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ProcessVersion(Base):
    __tablename__ = "process_versions"
    __table_args__ = (
        UniqueConstraint("key", "version", name="uq_process_versions_key_version"),
        UniqueConstraint("key", "sha256", name="uq_process_versions_key_sha256"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(256))
    file_name: Mapped[str] = mapped_column(String(256))
    sha256: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[bytes] = mapped_column(LargeBinary)
    spec_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    elements_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    deployed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deployed_by: Mapped[str] = mapped_column(String(128))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(128), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    roles: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Bumped when the user is disabled, changes password or roles: every token issued before
    # names an older epoch and is refused.
    token_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AuthSession(Base):
    """A sign-in: the refresh token's hash (rotated on each refresh), revoked on logout,
    disable or password change. Access tokens name their session (`sid`)."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class LoginThrottle(Base):
    """Failed sign-ins per key ("user:NAME" or "addr:IP") in the current window, and the lockout."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    process_key: Mapped[str] = mapped_column(String(128), index=True)
    process_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    stage: Mapped[str] = mapped_column(String(32), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(32))
    case_version: Mapped[int] = mapped_column(Integer)
    audit_seq: Mapped[int] = mapped_column(Integer, default=0)
    audit_head: Mapped[str] = mapped_column(String(64))
    completed_elements: Mapped[list[str]] = mapped_column(JSON)
    active_elements: Mapped[list[str]] = mapped_column(JSON)
    waiting_messages: Mapped[list[str]] = mapped_column(JSON)
    parent_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReadyTaskRow(Base):
    __tablename__ = "ready_tasks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(256))
    lane: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    form_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    stage: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The agency's (or court's) deadline for this task, from a timer on it or on a call
    # activity around it; it stays after the timer fired, so a lapsed duty shows as overdue.
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    due_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    due_basis: Mapped[str | None] = mapped_column(String(128), nullable=True)
    due_provisional: Mapped[bool] = mapped_column(default=False)


class TimerRow(Base):
    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due_at", "due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(256))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    period: Mapped[str | None] = mapped_column(String(16), nullable=True)
    basis: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # What the deadline was computed from (recorded start and period), whose deadline it is
    # (party | agency | court), and the years whose schedule decided it ("2026,2027"): a year
    # loaded later recomputes exactly the timers that name it.
    start_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    holder: Mapped[str | None] = mapped_column(String(16), nullable=True)
    years: Mapped[str | None] = mapped_column(String(64), nullable=True)
    provisional_years: Mapped[str | None] = mapped_column(String(64), nullable=True)
    provisional: Mapped[bool] = mapped_column(default=False, index=True)
    # Committed by the worker before it runs the timer's step, cleared with the step's outcome:
    # a mark nobody holds is an attempt whose worker died inside the step (services.timers).
    attempt_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class HolidayYear(Base):
    """A State Council holiday schedule (放假安排) as loaded: rest days and make-up working days
    (调休), each date -> name; the notice it comes from; who loaded it and when."""

    __tablename__ = "holiday_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rest_days: Mapped[dict[str, str]] = mapped_column(JSON)
    work_days: Mapped[dict[str, str]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(256))
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SystemAuditEvent(Base):
    """The system trail: what belongs to no one case (calendar loads, users, deploys, clock),
    chained exactly like a case's trail; its head is kept in `trail_heads`."""

    __tablename__ = "system_audit_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    roles: Mapped[list[str]] = mapped_column(JSON)
    action: Mapped[str] = mapped_column(String(64))
    element_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    basis: Mapped[str | None] = mapped_column(String(128), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class TrailHead(Base):
    """The head of a trail that has no case row to hold it (today only "system")."""

    __tablename__ = "trail_heads"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_audit_events_case_seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    roles: Mapped[list[str]] = mapped_column(JSON)
    action: Mapped[str] = mapped_column(String(64))
    element_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    basis: Mapped[str | None] = mapped_column(String(128), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    heads: Mapped[dict[str, Any]] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(String(64))


class DocumentCounter(Base):
    """The last 文号 sequence issued per agency, kind code and year. Allocation locks this row
    (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers), inside the
    transaction that issues the document: a rolled-back issue gives its number back, so the
    numbers stay gapless and never repeat."""

    __tablename__ = "document_counters"

    agency: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class DocumentRow(Base):
    """An issued 文书: its number, the sha256 of its PDF bytes (in the file store) and the data it
    was rendered from (re-rendering that data gives the same text; the bytes stay the record).
    A 送达回证 points at the document it proves served (`serves_id`); the served document gets
    its service method, recipient and date."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("agency", "code", "year", "seq", name="uq_documents_agency_seq"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(128))
    agency: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    element_id: Mapped[str] = mapped_column(String(128))
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    verify_code: Mapped[str] = mapped_column(String(16), unique=True)
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    serves_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), nullable=True)
    served_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    service_method: Mapped[str | None] = mapped_column(String(16), nullable=True)
    recipient: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # Withdrawn with a reason, never deleted (the withdrawal is in the case's audit chain).
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


# ---- campaigns (专项行动) and the ledger projection (issue 13) ------------------------------


class Campaign(Base):
    """A campaign: dates, districts (with their villages and responsible units), phases and
    targets. A case belongs to it when its district is one of the campaign's and it was opened
    within the campaign's dates (API.md), so membership needs no table of its own."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    districts: Mapped[list[str]] = mapped_column(JSON)
    villages: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    units: Mapped[dict[str, str]] = mapped_column(JSON)
    targets: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    phases: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    reinspection_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LedgerEntry(Base):
    """One row per case with what the ledger (台账) filters, sums and exports: written in the
    same transaction as the case row by every step, so the ledger never reads the cases' JSON
    and a campaign's progress at a million cases is an indexed aggregate."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        # The campaign index: a campaign selects districts and an opening period, and every
        # column its sums group or add is in the index, so they are index-only scans.
        Index(
            "ix_ledger_entries_district_opened",
            "district",
            "opened_at",
            "village",
            "status",
            "stage",
            "mode",
            "area_m2",
            "demolished_m2",
            "next_due_at",
            "parent_case_id",
            "found_on",
            "closed_on",
            "demolished_on",
        ),
        Index("ix_ledger_entries_opened_at", "opened_at"),
        Index("ix_ledger_entries_status_stage", "status", "stage"),
        Index("ix_ledger_entries_parent_case_id", "parent_case_id"),
        # A campaign's daily figures near today and at its edges (the weeks the kept counts
        # cannot split by day), read by the day of the event within the campaign's districts.
        Index("ix_ledger_entries_district_closed", "district", "closed_on", "opened_at"),
        Index(
            "ix_ledger_entries_district_demolished",
            "district",
            "demolished_on",
            "opened_at",
            "demolished_m2",
        ),
        Index("ix_ledger_entries_district_found", "district", "found_on", "opened_at"),
        # The open cases waiting longest: the open rows in the order they were opened, walked
        # until ten of the campaign's districts are found (a few rows for a large campaign).
        Index(
            "ix_ledger_entries_open_opened",
            "opened_at",
            "case_id",
            postgresql_where=text("closed_on IS NULL"),
            sqlite_where=text("closed_on IS NULL"),
        ),
        # Overdue depends on "now", so it cannot be counted ahead: only rows with a pending
        # deadline are in this index, read per district up to now.
        Index(
            "ix_ledger_entries_district_due",
            "district",
            "next_due_at",
            "opened_at",
            postgresql_where=text("next_due_at IS NOT NULL"),
            sqlite_where=text("next_due_at IS NOT NULL"),
        ),
    )

    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    case_no: Mapped[str] = mapped_column(String(32))
    parent_case_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(32))
    district: Mapped[str] = mapped_column(String(200))
    village: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    address: Mapped[str] = mapped_column(String(200))
    party: Mapped[str | None] = mapped_column(String(200), nullable=True)
    officer: Mapped[str | None] = mapped_column(String(64), nullable=True)  # who opened it
    area_m2: Mapped[float] = mapped_column(Float)
    demolished_m2: Mapped[float] = mapped_column(Float)
    mode: Mapped[str | None] = mapped_column(String(32), nullable=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    found_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    filed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    decided_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    demolished_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_out_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The earliest pending deadline (a party's period or an agency duty): overdue once passed.
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LedgerCount(Base):
    """The ledger's counts kept as cases change: cases, closed, rebuilt and the areas found and
    demolished of the cases opened in one month (grain "M") or one year (grain "Y", Beijing
    dates) in a district, split by one dimension at a time — `dim` is village, status, stage or
    mode and `value` its value ('' when absent) — so a city-wide campaign sums a few thousand
    rows. Each step applies the change of its case's ledger row here in its own transaction."""

    __tablename__ = "ledger_counts"

    district: Mapped[str] = mapped_column(String(200), primary_key=True)
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    opened_on: Mapped[date] = mapped_column(Date, primary_key=True)  # first day of the bucket
    dim: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    cases: Mapped[int] = mapped_column(BigInteger)
    closed: Mapped[int] = mapped_column(BigInteger)
    rebuilt: Mapped[int] = mapped_column(BigInteger)
    found_m2: Mapped[float] = mapped_column(Float)
    demolished_m2: Mapped[float] = mapped_column(Float)


class LedgerWeekCount(Base):
    """The weekly series a campaign's trend draws (cases found, cases closed, m² demolished),
    by the week (Monday) of the event, kept per district and opening bucket like LedgerCount."""

    __tablename__ = "ledger_week_counts"

    district: Mapped[str] = mapped_column(String(200), primary_key=True)
    grain: Mapped[str] = mapped_column(String(1), primary_key=True)
    opened_on: Mapped[date] = mapped_column(Date, primary_key=True)
    series: Mapped[str] = mapped_column(String(16), primary_key=True)  # found, closed, demolished
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    cases: Mapped[int] = mapped_column(BigInteger)
    m2: Mapped[float] = mapped_column(Float)


# The ledger's 暂定 filter looks up the cases with a provisional task deadline: without this index
# that is a scan of every ready task (ix_timers_provisional serves the timers' side).
Index("ix_ready_tasks_due_provisional", ReadyTaskRow.due_provisional, ReadyTaskRow.case_id)


class AttachmentRow(Base):
    """Evidence (证据材料) on a case: a photo, video, scan or recording, stored content-addressed
    (`sha256` names the bytes in the file store; `thumb_sha256` a JPEG preview of an image).
    Rows are never deleted or replaced: a wrong upload is withdrawn with a reason, and the
    upload and the withdrawal are both events of the case's audit chain (`audit_seq`)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    thumb_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    element_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    message: Mapped[str | None] = mapped_column(String(128), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    audit_seq: Mapped[int] = mapped_column(Integer)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class LeadImportRow(Base):
    """A lead (线索) imported in bulk: its source id (the 12345 ticket number, the sheet's own
    id, or a hash of the row) maps to the case it opened, so a second import skips it. Written
    in the transaction that opens the case: a lead is never imported twice, nor half."""

    __tablename__ = "lead_imports"

    source_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    batch: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    imported_by: Mapped[str] = mapped_column(String(64))


class TimerIncident(Base):
    """A timer whose firing step failed (a script error, the step budget, bad data): the worker
    records it here instead of dying or trying it again on every pass, like a Camunda incident.

    `status` is `open` (retried at `next_attempt_at`, backing off), `failed` (stopped after the
    configured number of attempts, waiting for an administrator) or `resolved` (fired at last,
    the timer gone, or closed by an administrator with a reason). A resolved incident no longer
    holds its timer back; a later failure opens a new one."""

    __tablename__ = "timer_incidents"
    __table_args__ = (Index("ix_timer_incidents_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    timer_id: Mapped[str] = mapped_column(String(36), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[str] = mapped_column(String(128))
    timer_name: Mapped[str] = mapped_column(String(256))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    error_kind: Mapped[str] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_failed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
