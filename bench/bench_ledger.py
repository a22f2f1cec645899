"""Benchmark: a campaign's progress and a filtered ledger page at N cases (default 1,000,000),
on PostgreSQL and SQLite, with the query plans; the XLSX export's time and peak memory.

Each database is migrated and seeded by bench/seed_ledger.py (bulk inserts of what the engine
writes; see there). Then, through the real services (`engine.services.campaigns`,
`engine.services.ledger`, the same code the API runs):

* campaign: `get_campaign` of a campaign over 3 of the 120 towns for 2026 (the seed's busiest
  year) — totals, targets with projection, district and village ranking, modes, stages,
  overdue, weekly trend, cases waiting longest;
* campaign-30: the same over 30 towns (a quarter of the city) for 2026;
* campaign-all: the same over all 120 towns and three years (every case);
* ledger page: `ledger_page` filtered by district + status + opened range (page 1 and page 50),
  and by district + demolition mode + closed range;
* ledger stats: `ledger_stats` of one district;
* XLSX: `ledger_xlsx` of one town's cases closed since September, of the 3-town campaign's
  closed cases and of the 30-town campaign's: time, rows and peak Python memory (tracemalloc);
  constant memory shows as a peak that stops growing with the rows (it is bounded by one batch
  of 2,000 rows read from the database).

Timings: one warm-up call, then the median and max of --repeat calls. The plans: every SQL
statement one `get_campaign` and one ledger page run is captured and replayed under
`EXPLAIN (ANALYZE, BUFFERS)` (PostgreSQL) or `EXPLAIN QUERY PLAN` (SQLite).
Goal: campaign progress and a filtered ledger page ≤ 200 ms on PostgreSQL at 1 M cases.

Usage:  .venv/bin/python bench/bench_ledger.py [--cases N] [--repeat R] [--pg-url URL]
                                                [--skip-pg] [--skip-sqlite] [--reuse]
Writes bench/results/ledger.json and bench/results/ledger-plans.txt.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, text  # noqa: E402

from bench.seed_ledger import DISTRICTS, seed  # noqa: E402
from engine.bootstrap import build  # noqa: E402
from engine.clock import FixedClock  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.services import Actor  # noqa: E402
from engine.services.campaigns import (  # noqa: E402
    CampaignSpec,
    TargetSpec,
    as_dict,
    create_campaign,
    get_campaign,
    list_campaigns,
)
from engine.services.ledger import (  # noqa: E402
    LedgerQuery,
    ledger_page,
    ledger_stats,
    ledger_xlsx,
)
from engine.store.migrate import upgrade  # noqa: E402

RESULTS = Path(os.environ.get("QINGWEI_BENCH_RESULTS", ROOT / "bench" / "results"))
CN = timezone(timedelta(hours=8))
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=CN)
HEAD = Actor("head1", ("head",))
PG_ADMIN = os.environ.get(
    "QINGWEI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _timed(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def _database(kind: str, n: int, reuse: bool, pg_admin: str) -> tuple[str, bool]:
    """(url, freshly created)."""
    if kind == "sqlite":
        path = RESULTS / f"ledger-{n}.db"
        if path.exists() and reuse:
            return f"sqlite:///{path}", False
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        upgrade(url)
        return url, True
    name = f"qw_bench_ledger_{n}"
    admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        exists = c.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if exists and not reuse:
            c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        if not exists or not reuse:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = pg_admin.rsplit("/", 1)[0] + f"/{name}"
    if not exists or not reuse:
        upgrade(url)
    return url, not exists or not reuse


def _capture(engine: Any) -> tuple[list[tuple[str, Any]], Callable[[], None]]:
    seen: list[tuple[str, Any]] = []

    def listen(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", listen)
    return seen, lambda: event.remove(engine, "before_cursor_execute", listen)


def _plans(engine: Any, statements: list[tuple[str, Any]], kind: str) -> str:
    out = []
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if kind == "postgresql" else "EXPLAIN QUERY PLAN "
    with engine.connect() as c:
        raw = c.connection.dbapi_connection
        for statement, params in statements:
            cur = raw.cursor()
            cur.execute(prefix + statement, params)
            rows = cur.fetchall()
            plan = "\n".join(str(r[0]) if kind == "postgresql" else str(r[-1]) for r in rows)
            out.append(f"-- {statement.strip()[:300]}\n-- params {params}\n{plan}\n")
    return "\n".join(out)


def upsert_cost(url: str, n: int = 300) -> dict[str, float]:
    """What keeping the counts adds to a step: `n` open cases' ledger rows rewritten with the
    next stage, (a) by the row's upsert alone (before the counts), (b) by
    `LedgerRepository.upsert` (the old row read FOR UPDATE, the upsert, the count and week
    deltas). Median ms per row; each variant in a transaction that is rolled back."""
    from sqlalchemy import select
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    from sqlalchemy.orm import Session

    from engine.store.ledger_repo import LedgerRepository
    from engine.store.models import LedgerEntry

    engine = create_engine(url)
    table: Any = LedgerEntry.__table__
    cols = [c.name for c in table.columns]
    out: dict[str, float] = {}
    with Session(engine) as s:
        rows = s.scalars(select(LedgerEntry).where(LedgerEntry.closed_on.is_(None)).limit(n)).all()
        values = [
            {c: getattr(r, c) for c in cols}
            | {"stage": "demand" if r.stage != "demand" else "notice"}
            for r in rows
        ]
        s.expunge_all()
    ins = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    for label in ("row_only", "row_and_counts"):
        times = []
        with Session(engine) as s:
            repo = LedgerRepository(s)
            for v in values:
                t = time.perf_counter()
                if label == "row_only":
                    stmt = ins(table).values(v)
                    s.execute(
                        stmt.on_conflict_do_update(
                            index_elements=["case_id"],
                            set_={k: stmt.excluded[k] for k in v if k != "case_id"},
                        )
                    )
                else:
                    repo.upsert(v)
                times.append((time.perf_counter() - t) * 1000)
            s.rollback()
        out[f"{label}_ms"] = round(statistics.median(times), 2)
    engine.dispose()
    return out


def run_backend(
    kind: str,
    n: int,
    repeat: int,
    reuse: bool,
    pg_admin: str,
    *,
    verify: bool = False,
    skip_xlsx: bool = False,
) -> dict[str, Any]:
    url, fresh = _database(kind, n, reuse, pg_admin)
    result: dict[str, Any] = {"backend": kind, "cases": n}
    if not fresh:  # a database seeded by an earlier tree: migrate it (0013 back-fills counts)
        t = time.perf_counter()
        upgrade(url)
        result["upgrade_s"] = round(time.perf_counter() - t, 1)
        # statistics and the visibility map of the tables the migration just filled (what
        # autovacuum would do): the planner's estimates, index-only scans without heap fetches
        eng = create_engine(url, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            for table in ("ledger_counts", "ledger_week_counts", "ledger_entries"):
                c.execute(text(("VACUUM ANALYZE " if kind == "postgresql" else "ANALYZE ") + table))
        eng.dispose()
    if fresh:
        print(f"[{kind}] seeding {n:,} cases …")
        result["seed_s"] = round(seed(url, n), 1)
    settings = Settings(database_url=url, secret_key="bench")
    settings.files.root = RESULTS / "files"
    app = build(settings, FixedClock(NOW))
    ctx = app.ctx
    try:
        campaigns = {c.name: c.id for c in list_campaigns(ctx.uow(read_only=True), ctx=ctx)}

        def make(
            name: str, districts: list[str], start: date, end: date = date(2026, 12, 31)
        ) -> int:
            if name in campaigns:
                return campaigns[name]
            spec = CampaignSpec(
                name=name,
                starts_on=start,
                ends_on=end,
                districts=districts,
                targets=[
                    TargetSpec("area_demolished_m2", 400_000.0, min(end, date(2026, 12, 20))),
                    TargetSpec("share_demolished", 0.6, min(end, date(2026, 12, 20))),
                    TargetSpec("cases_closed", 60_000, end),
                ],
            )
            return create_campaign(ctx.uow(), ctx=ctx, actor=HEAD, spec=spec).id

        three = make("三镇清违行动 2026", DISTRICTS[:3], date(2026, 1, 1))
        thirty = make("三十镇清违行动 2026", DISTRICTS[:30], date(2026, 1, 1))
        everything = make("全市三年", list(DISTRICTS), date(2024, 1, 1))
        # dates off the month boundaries: the partial months are read from the rows
        edges = make(
            "三十镇 2025-03-15 至 2026-12-20",
            DISTRICTS[30:60],
            date(2025, 3, 15),
            date(2026, 12, 20),
        )

        def progress(cid: int, scan: bool = False) -> Any:
            return get_campaign(ctx.uow(read_only=True), ctx=ctx, campaign_id=cid, scan=scan)

        if verify:
            # The counts against the scan of every row they stand for (the former query).
            checked: dict[str, dict[str, Any]] = {}
            for label, cid in (("3", three), ("30", thirty), ("all", everything), ("edges", edges)):
                t = time.perf_counter()
                scanned = as_dict(progress(cid, scan=True))
                scan_ms = round((time.perf_counter() - t) * 1000, 1)
                counted = as_dict(progress(cid))
                checked[label] = {"equal": counted == scanned, "scan_ms": scan_ms}
                if counted != scanned:
                    diff = [k for k in counted if counted[k] != scanned[k]]
                    checked[label]["differs_in"] = diff
            result["verify"] = checked
            print(f"[{kind}] counts == scan: {checked}")
        view = get_campaign(ctx.uow(read_only=True), ctx=ctx, campaign_id=three)
        result["campaign_cases"] = view.totals["cases"]
        result["campaign"] = _timed(
            lambda: get_campaign(ctx.uow(read_only=True), ctx=ctx, campaign_id=three), repeat
        )
        result["campaign_30_cases"] = get_campaign(
            ctx.uow(read_only=True), ctx=ctx, campaign_id=thirty
        ).totals["cases"]
        result["campaign_30"] = _timed(
            lambda: get_campaign(ctx.uow(read_only=True), ctx=ctx, campaign_id=thirty), repeat
        )
        result["campaign_all"] = _timed(
            lambda: get_campaign(ctx.uow(read_only=True), ctx=ctx, campaign_id=everything),
            repeat,
        )
        result["campaign_all_cases"] = progress(everything).totals["cases"]
        result["campaign_edges"] = _timed(lambda: progress(edges), repeat)
        result["campaign_edges_cases"] = progress(edges).totals["cases"]
        page_q = LedgerQuery(
            district=DISTRICTS[0],
            status="open",
            opened_from=date(2026, 1, 1),
            opened_to=date(2026, 11, 30),
        )
        result["ledger_page_1"] = _timed(
            lambda: ledger_page(
                ctx.uow(read_only=True), ctx=ctx, query=page_q, page=1, page_size=20
            ),
            repeat,
        )
        result["ledger_page_50"] = _timed(
            lambda: ledger_page(
                ctx.uow(read_only=True), ctx=ctx, query=page_q, page=50, page_size=20
            ),
            repeat,
        )
        mode_q = LedgerQuery(
            district=DISTRICTS[1],
            mode="forced",
            closed_from=date(2025, 1, 1),
            closed_to=date(2025, 12, 31),
        )
        result["ledger_page_mode"] = _timed(
            lambda: ledger_page(
                ctx.uow(read_only=True), ctx=ctx, query=mode_q, page=1, page_size=20
            ),
            repeat,
        )
        result["ledger_page_campaign_overdue"] = _timed(
            lambda: ledger_page(
                ctx.uow(read_only=True),
                ctx=ctx,
                query=LedgerQuery(campaign_id=three, overdue=True),
                page=1,
                page_size=20,
            ),
            repeat,
        )
        result["ledger_stats_district"] = _timed(
            lambda: ledger_stats(
                ctx.uow(read_only=True), ctx=ctx, query=LedgerQuery(district=DISTRICTS[2])
            ),
            repeat,
        )

        def xlsx(query: LedgerQuery) -> dict[str, Any]:
            """Timed without tracing, then once more under tracemalloc for the peak."""
            t = time.perf_counter()
            out = io.BytesIO()
            rows = ledger_xlsx(ctx.uow(read_only=True), ctx=ctx, query=query, out=out)
            seconds = time.perf_counter() - t
            tracemalloc.start()
            ledger_xlsx(ctx.uow(read_only=True), ctx=ctx, query=query, out=io.BytesIO())
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            return {
                "rows": rows,
                "seconds": round(seconds, 2),
                "peak_mib": round(peak / 2**20, 1),
                "bytes": out.getbuffer().nbytes,
            }

        full = LedgerQuery(campaign_id=three, status="closed")
        quarter = LedgerQuery(district=DISTRICTS[3], status="closed", closed_from=date(2026, 9, 1))
        if not skip_xlsx:
            result["xlsx_quarter"] = xlsx(quarter)
            result["xlsx"] = xlsx(full)
            result["xlsx_large"] = xlsx(LedgerQuery(campaign_id=thirty, status="closed"))

        result["upsert"] = upsert_cost(url)
        engine = create_engine(url)
        seen, stop = _capture(app.engine)
        get_campaign(ctx.uow(read_only=True), ctx=ctx, campaign_id=three)
        get_campaign(ctx.uow(read_only=True), ctx=ctx, campaign_id=everything)
        get_campaign(ctx.uow(read_only=True), ctx=ctx, campaign_id=edges)
        ledger_page(ctx.uow(read_only=True), ctx=ctx, query=page_q, page=1, page_size=20)
        stop()
        if kind == "postgresql":
            with engine.connect() as c:
                result["sizes_mb"] = {
                    t: round(
                        c.execute(text(f"SELECT pg_total_relation_size('{t}')")).scalar_one()
                        / 2**20,
                        1,
                    )
                    for t in ("ledger_entries", "ledger_counts", "ledger_week_counts")
                }
        with engine.connect() as c:
            result["count_rows"] = {
                t: c.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                for t in ("ledger_counts", "ledger_week_counts")
            }
        RESULTS.mkdir(parents=True, exist_ok=True)
        with (RESULTS / "ledger-plans.txt").open("a", encoding="utf-8") as f:
            f.write(f"===== {kind}, {n:,} cases =====\n")
            f.write(_plans(engine, seen, kind))
        engine.dispose()
    finally:
        app.close()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--pg-url", default=PG_ADMIN)
    ap.add_argument("--skip-pg", action="store_true")
    ap.add_argument("--skip-sqlite", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="keep a database seeded by a former run")
    ap.add_argument(
        "--verify",
        action="store_true",
        help="check every campaign's progress from the counts against the scan of its rows",
    )
    ap.add_argument("--skip-xlsx", action="store_true", help="do not time the XLSX exports")
    args = ap.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ledger-plans.txt").write_text("", encoding="utf-8")
    results = []
    for kind in ("postgresql", "sqlite"):
        if (kind == "postgresql" and args.skip_pg) or (kind == "sqlite" and args.skip_sqlite):
            continue
        r = run_backend(
            kind,
            args.cases,
            args.repeat,
            args.reuse,
            args.pg_url,
            verify=args.verify,
            skip_xlsx=args.skip_xlsx,
        )
        results.append(r)
        print(json.dumps(r, ensure_ascii=False, indent=2))
    meta = {
        "at": datetime.now(CN).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "load": os.getloadavg(),
        "cpus": os.cpu_count(),
    }
    (RESULTS / "ledger.json").write_text(
        json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=2), "utf-8"
    )
    for r in results:
        ok = r["campaign"]["median_ms"] <= 200 and r["ledger_page_1"]["median_ms"] <= 200
        if r["backend"] == "postgresql":
            print(
                f"PostgreSQL goal (≤ 200 ms campaign and ledger page): {'met' if ok else 'NOT met'}"
            )


if __name__ == "__main__":
    main()
