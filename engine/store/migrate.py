"""Apply and check Alembic migrations programmatically (the CLI and tests use this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    """Apply migrations up to every head: parallel branches of work may each add a revision
    on top of the same parent; a merge revision joins them later."""
    command.upgrade(alembic_config(url), revision)


def check(url: str) -> None:
    """Raise if the ORM models and the migrations disagree (`alembic check`)."""
    command.check(alembic_config(url))
