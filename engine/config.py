"""Settings: every knob in one object, read from `QINGWEI_*` variables, checked at start-up.

One nested block per subsystem, so a misconfigured database fails before the first request
rather than in the middle of a case.
"""

from __future__ import annotations

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


class SecuritySettings(BaseModel):
    secret_key: str | None = None
    token_minutes: int = Field(default=480, ge=1)


class ClockSettings(BaseModel):
    fake: bool = False


class CalendarSettings(BaseModel):
    holidays_file: Path | None = None


class WorkerSettings(BaseModel):
    interval_seconds: float = Field(default=5.0, gt=0)
    batch_size: int = Field(default=100, ge=1)


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
    worker: WorkerSettings = WorkerSettings()
    paths: PathSettings = PathSettings()

    # The flat names of the public contract (API.md); folded into the blocks below.
    database_url: str | None = None
    secret_key: str | None = None
    fake_clock: bool = False
    holidays_file: Path | None = None
    processes_dir: Path | None = None
    forms_dir: Path | None = None

    def model_post_init(self, __context: object) -> None:
        if self.database_url:
            self.database = DatabaseSettings(url=self.database_url, echo=self.database.echo)
        if self.secret_key:
            self.security.secret_key = self.secret_key
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
