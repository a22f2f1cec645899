"""Database engines: SQLite (embedded default, WAL) and PostgreSQL, configured for correctness.

SQLite write transactions start with BEGIN IMMEDIATE so two writers serialise at the start of
the transaction instead of failing half-way with "database is locked" on lock upgrade; the
optimistic `case_version` check then decides who wins.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

from engine.config import DatabaseSettings


def _json(value: Any) -> str:
    # Chinese stays readable in the database (and searchable with LIKE on SQLite).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def make_engine(settings: DatabaseSettings) -> Engine:
    if settings.is_sqlite:
        return _sqlite_engine(settings)
    return create_engine(
        settings.url,
        json_serializer=_json,
        echo=settings.echo,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        # No pre-ping: it costs a round trip per transaction; recycle instead.
        pool_recycle=1800,
    )


def _sqlite_engine(settings: DatabaseSettings) -> Engine:
    memory = settings.url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        settings.url,
        echo=settings.echo,
        connect_args={"check_same_thread": False, "timeout": 30},
        json_serializer=_json,
        poolclass=None if memory else NullPool,
    )
    if not memory:
        # A pool of reusable connections is faster than NullPool for SQLite files.
        engine = create_engine(
            settings.url,
            echo=settings.echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_serializer=_json,
            pool_size=settings.pool_size,
            max_overflow=settings.pool_size,
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine
