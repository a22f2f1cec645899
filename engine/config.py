"""Settings: every knob in one object, read from `QINGWEI_*` variables, checked at start-up.

One nested block per subsystem, so a misconfigured database fails before the first request
rather than in the middle of a case.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseModel):
    url: str = "sqlite:///./qingwei.db"
    echo: bool = False
    pool_size: int = Field(default=10, ge=1)

    @field_validator("url")
    @classmethod
    def _known_backend(cls, v: str) -> str:
        if not (v.startswith("sqlite") or v.startswith("postgresql")):
            raise ValueError("QINGWEI_DATABASE_URL must be sqlite:/// or postgresql+psycopg://")
        return v

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def files_root(self) -> Path:
        """Where files of record go when no root is set: beside an SQLite file, else ./."""
        prefix = "sqlite:///"
        if self.url.startswith(prefix) and ":memory:" not in self.url:
            return Path(self.url[len(prefix) :] + ".files")
        return Path("qingwei-files")


class SecuritySettings(BaseModel):
    """Sign-in. `token_minutes` is the access token's life, `session_minutes` the refresh
    token's (a working day); `user_cache_seconds` how long a process trusts its last look at a
    user's active flag, roles and sessions (a disable elsewhere takes effect within it).
    Throttling: `max_user_failures` wrong passwords for one username, or `max_address_failures`
    from one address, within `failure_window_seconds` lock that key for `lockout_seconds`.
    `login_concurrency` bounds the argon2 verifications running at once per process (64 MiB
    each). `audit_key` signs audit checkpoints (defaults to the secret key) and
    `checkpoint_file` is where each signed checkpoint is also appended, outside the database."""

    secret_key: str | None = None
    token_minutes: int = Field(default=15, ge=1)
    session_minutes: int = Field(default=600, ge=1)
    user_cache_seconds: float = Field(default=5.0, ge=0)
    max_user_failures: int = Field(default=5, ge=1)
    max_address_failures: int = Field(default=30, ge=1)
    failure_window_seconds: int = Field(default=900, ge=1)
    lockout_seconds: int = Field(default=900, ge=1)
    login_concurrency: int = Field(default=2, ge=1)
    audit_key: str | None = None
    checkpoint_file: Path | None = None

    @property
    def signing_key(self) -> str | None:
        return self.audit_key or self.secret_key


class ClockSettings(BaseModel):
    """`fake` makes the clock settable (demos, acceptance tests). It starts at `start`, a fixed
    working-day morning inside the years whose holiday schedule ships with the engine: starting
    at today's date would put ordinary deadlines in a year that has no schedule yet."""

    fake: bool = False
    start: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))


class CalendarSettings(BaseModel):
    """`holidays_file` fills years the database lacks (a bootstrap path); `refresh_seconds` is
    how stale another process's view of a newly loaded year may be before it re-reads it."""

    holidays_file: Path | None = None
    refresh_seconds: float = Field(default=5.0, ge=0)


class LegalSettings(BaseModel):
    """Values PROCEDURE.md marks (local) or (policy): they differ by city, defaults given there.

    Periods are statutory-calendar periods ("3 WD", "10 CD"); BPMN timers read them with
    `local("name")` so a city changes them here, not in the diagrams.
    """

    statement_period: str = "3 WD"
    demand_period: str = "10 WD"
    public_notice_period: str = "10 CD"
    party_unknown_notice_period: str = "10 CD"
    reinspection_period: str = "30 CD"
    night_start: str = "22:00"
    night_end: str = "06:00"
    enforcement_decision_issuer: str = "agency"
    # URPL Art. 68: the county government orders (责成) the demolition; 北京 Arts. 74, 78
    # empower the agency directly (set False there).
    government_order_required: bool = True
    immediate_demolition: bool = False
    arrival_target_hours: int = 1
    demolition_target_days: int = 3
    # The demolition record is made on the spot: its stated time may differ from the clock time
    # of the step by at most this many hours (ACL Art. 18(7)).
    demolition_record_max_delay_hours: int = Field(default=2, ge=0, le=24)
    # 北京 Art. 78 requires a safety appraisal before every forced demolition; elsewhere a case
    # sets safety_appraisal_required itself.
    safety_appraisal_required: bool = False
    # 浙江 Art. 20: defer demolition for a party left homeless until housing is secured.
    housing_guarantee_required: bool = False
    # CPL Art. 85 / SPC ALL interpretation Art. 48 (在途时间): a review or lawsuit mailed on the
    # last day is in time, so coercion can wait this many calendar days after the windows for
    # it to arrive. No statute fixes the number: 0 keeps the first lawful day; a city that
    # serves by post sets e.g. 5 (QINGWEI_LEGAL__POSTAL_DAYS).
    postal_days: int = Field(default=0, ge=0, le=30)

    @field_validator("enforcement_decision_issuer")
    @classmethod
    def _issuer(cls, v: str) -> str:
        if v not in ("agency", "government"):
            raise ValueError("enforcement_decision_issuer must be 'agency' or 'government'")
        return v

    def periods(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if k.endswith("_period")}

    def parameters(self) -> dict[str, object]:
        """Every local setting, as BPMN scripts read them with local("name")."""
        return dict(self.model_dump())


class LimitSettings(BaseModel):
    """Bounds on what one upload, request or script may cost (README "Security")."""

    script_seconds: float = Field(default=1.0, gt=0)  # one script, condition or timer expression
    step_seconds: float = Field(default=5.0, gt=0)  # all engine work of one step
    max_elements: int = Field(default=3000, ge=1)  # BPMN elements in one deployed process
    max_body_bytes: int = Field(default=1_000_000, ge=1024)  # a JSON request body
    max_upload_bytes: int = Field(default=26_214_400, ge=1024)  # a multipart upload (25 MiB)
    max_json_depth: int = Field(default=32, ge=2)
    max_string_chars: int = Field(default=100_000, ge=1)
    # The process's data segment (RLIMIT_DATA) for serve and worker, MiB; 0 = no limit. A script
    # past it fails its step with MemoryError instead of the OOM killer ending the process.
    memory_mib: int = Field(default=2048, ge=0)


class WorkerSettings(BaseModel):
    """The timer worker's pace, and what it does with a timer whose step fails (an incident):
    try it again after `incident_backoff_seconds`, doubling up to `incident_backoff_max_seconds`,
    and stop after `incident_max_attempts` failed attempts until an administrator acts."""

    interval_seconds: float = Field(default=5.0, gt=0)
    batch_size: int = Field(default=100, ge=1)
    incident_max_attempts: int = Field(default=5, ge=1)
    incident_backoff_seconds: float = Field(default=60.0, gt=0)
    incident_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    # A timer marked as being attempted that nobody holds is, after this long, an attempt whose
    # worker died inside the step (killed, out of memory): it counts as a failed attempt.
    abandoned_after_seconds: float = Field(default=60.0, ge=0)
    # `serve` restarts its worker thread after a crash, waiting this long (doubling, at most
    # 60 s) so a fault that repeats at once does not spin.
    restart_delay_seconds: float = Field(default=1.0, gt=0)


class S3Settings(BaseModel):
    """An S3-compatible object store (`QINGWEI_FILES__S3__ENDPOINT_URL` etc.). Credentials may
    also come from the usual AWS variables or instance profile when left unset."""

    endpoint_url: str | None = None
    bucket: str = "qingwei-files"
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = None
    prefix: str = ""


class FileSettings(BaseModel):
    """Files of record (issued 文书, evidence), stored content-addressed by sha256.

    `backend` names the store: "local" (a folder) or "s3" (an S3-compatible bucket, `s3`
    block; needs the optional boto3 dependency). `root` is the local store's folder. Unset, it
    sits beside an SQLite database file (`qingwei.db` -> `qingwei.db.files/`), so a scratch
    database never shares a store with another; with PostgreSQL it defaults to
    `./qingwei-files`. `staging_dir` is where an S3 store lands uploads before sending them
    (the local store stages inside its root). `max_attachment_bytes` bounds one evidence file
    (a site video: 200 MB by default); the multipart body limit follows it
    (`LimitSettings.multipart_limit`)."""

    backend: str = "local"
    root: Path | None = None
    staging_dir: Path | None = None
    s3: S3Settings = S3Settings()
    max_attachment_bytes: int = Field(default=200_000_000, ge=1024)

    @field_validator("backend")
    @classmethod
    def _backend(cls, v: str) -> str:
        if v not in ("local", "s3"):
            raise ValueError("QINGWEI_FILES__BACKEND must be 'local' or 's3'")
        return v


class DocumentSettings(BaseModel):
    """Who issues the 文书 and how they are numbered: words of the agency, not of templates.

    A 文号 reads `{number_prefix}{code}字〔{year}〕第{seq:04d}号`
    (e.g. 某城管拆决字〔2026〕第0012号);
    `code` per kind from documents/catalog.json. `verify_base_url` is what the QR code on each
    PDF points to (the public verification page)."""

    templates_dir: Path = Path("documents")
    agency_name: str = "某市某区城市管理综合行政执法局"
    number_prefix: str = "某城管"
    government_name: str = "某市某区人民政府"
    review_body: str = "某市某区人民政府"
    court_name: str = "某市某区人民法院"
    agency_address: str = "某市某区某路1号"
    verify_base_url: str = "http://127.0.0.1:8000/#/verify"


class PathSettings(BaseModel):
    processes_dir: Path = Path("processes")
    forms_dir: Path = Path("forms")


class Settings(BaseSettings):
    """The whole configuration. Flat API.md names are mapped onto the nested blocks."""

    model_config = SettingsConfigDict(
        env_prefix="QINGWEI_", env_nested_delimiter="__", extra="ignore"
    )

    database: DatabaseSettings = DatabaseSettings()
    security: SecuritySettings = SecuritySettings()
    clock: ClockSettings = ClockSettings()
    calendar: CalendarSettings = CalendarSettings()
    legal: LegalSettings = LegalSettings()
    worker: WorkerSettings = WorkerSettings()
    limits: LimitSettings = LimitSettings()
    paths: PathSettings = PathSettings()
    files: FileSettings = FileSettings()
    documents: DocumentSettings = DocumentSettings()

    # The flat names of the public contract (API.md); folded into the blocks below.
    database_url: str | None = None
    secret_key: str | None = None
    audit_key: str | None = None
    checkpoint_file: Path | None = None
    fake_clock: bool = False
    holidays_file: Path | None = None
    processes_dir: Path | None = None
    forms_dir: Path | None = None
    # `serve --demo` also plays the demo campaign (~300 cases) in the background; tests that
    # need a quiet server turn it off (QINGWEI_DEMO_CAMPAIGN=false).
    demo_campaign: bool = True

    def multipart_body_limit(self) -> int:
        """The largest multipart request body: an evidence file at its limit plus the form's
        other fields (1 MiB), or `limits.max_upload_bytes` if that is larger. The input limits
        and the attachment upload read this one number, so they never disagree."""
        return max(self.limits.max_upload_bytes, self.files.max_attachment_bytes + 1_048_576)

    def model_post_init(self, __context: object) -> None:
        if self.database_url:
            self.database = self.database.model_copy(update={"url": self.database_url})
            DatabaseSettings.model_validate(self.database.model_dump())  # re-check the URL
        if self.secret_key:
            self.security.secret_key = self.secret_key
        if self.audit_key:
            self.security.audit_key = self.audit_key
        if self.checkpoint_file:
            self.security.checkpoint_file = self.checkpoint_file
        if self.fake_clock:
            self.clock.fake = True
        if self.holidays_file:
            self.calendar.holidays_file = self.holidays_file
        if self.processes_dir:
            self.paths.processes_dir = self.processes_dir
        if self.forms_dir:
            self.paths.forms_dir = self.forms_dir
        hf = self.calendar.holidays_file
        if hf is not None and not hf.is_file():
            raise ValueError(f"QINGWEI_HOLIDAYS_FILE: {hf} does not exist")
