"""Benchmark: one user-task completion through Qingwei against a bare SpiffWorkflow cycle.

The operation measured is the first user task `investigate` of
tests/fixtures/processes/mini_case.bpmn, completed with
{"classification": "not_correctable", "area_m2": 12}; the exclusive gateway then leads to the
next user task `decide`.

* bare Spiff: deserialize the workflow JSON (stock `BpmnWorkflowSerializer` with SPIFF_CONFIG,
  spec included, as a plain SpiffWorkflow user stores it) -> set the READY user task's data and
  `task.run()` -> `refresh_timers()` + `do_engine_steps()` -> serialize to JSON. Default script
  engine, no database.
* Qingwei: `engine.services.complete_task` through the real stack (`bootstrap.build`, FixedClock,
  forms from tests/fixtures/forms) on a freshly migrated SQLite file and on a scratch PostgreSQL
  database. N cases are opened first (not timed); then one completion per case is timed, and
  only the `complete_task` call is inside the timed region.

Usage:  .venv/bin/python bench/bench_complete_task.py [--n N] [--warmup W] [--pg-url URL]
                                                      [--skip-pg] [--out PATH]
Results are printed as a table and written as JSON to bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
BPMN_FILE = FIXTURES / "processes" / "mini_case.bpmn"
FORMS_DIR = FIXTURES / "forms"
PROCESS_KEY = "mini_case"
TASK_ELEMENT = "investigate"
NEXT_ELEMENT = "decide"
TASK_DATA: dict[str, Any] = {"classification": "not_correctable", "area_m2": 12}
INTAKE_DATA: dict[str, Any] = {"address": "测试路 1 号", "reported_by": "巡查"}
SHANGHAI = timezone(timedelta(hours=8))
# Tuesday 2026-02-10 09:00 Shanghai, the same instant the test suite uses.
BENCH_NOW = datetime(2026, 2, 10, 9, 0, tzinfo=SHANGHAI)
DEFAULT_PG_URL = os.environ.get(
    "QINGWEI_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
GOAL_RATIO = 3.0


# ---- statistics --------------------------------------------------------------------------------
def percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, math.ceil(q / 100.0 * len(sorted_ms)))
    return sorted_ms[rank - 1]


def summarize(name: str, samples_ns: list[int], bare: dict[str, Any] | None) -> dict[str, Any]:
    ms = sorted(s / 1e6 for s in samples_ns)
    total_s = sum(samples_ns) / 1e9
    out: dict[str, Any] = {
        "backend": name,
        "n": len(ms),
        "min_ms": ms[0],
        "median_ms": statistics.median(ms),
        "mean_ms": statistics.fmean(ms),
        "p90_ms": percentile(ms, 90),
        "p99_ms": percentile(ms, 99),
        "max_ms": ms[-1],
        "stdev_ms": statistics.stdev(ms) if len(ms) > 1 else 0.0,
        # Single-threaded throughput of the timed region: operations / summed latency.
        "ops_per_s": len(ms) / total_s if total_s else float("inf"),
    }
    if bare is not None:
        out["median_ratio"] = out["median_ms"] / bare["median_ms"]
        out["p99_ratio"] = out["p99_ms"] / bare["p99_ms"]
    return out


@contextmanager
def quiet_gc() -> Iterator[None]:
    """Start each timed phase from a collected heap; the collector stays on while timing."""
    gc.collect()
    yield


# ---- bare SpiffWorkflow --------------------------------------------------------------------------
def bare_spiff_samples(n: int, warmup: int) -> tuple[list[int], dict[str, Any]]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(BPMN_FILE))
    spec = parser.get_spec(PROCESS_KEY)
    subprocess_specs = parser.get_subprocess_specs(PROCESS_KEY)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    workflow = BpmnWorkflow(spec, subprocess_specs)
    workflow.task_tree.data.update(INTAKE_DATA)
    start = workflow.get_next_task(state=TaskState.READY)
    if start is not None:
        start.data.update(INTAKE_DATA)
    workflow.refresh_timers()
    workflow.do_engine_steps()
    stored = serializer.serialize_json(workflow)

    def cycle() -> str:
        wf = serializer.deserialize_json(stored)
        task = next(
            t
            for t in wf.get_tasks(state=TaskState.READY, manual=True)
            if t.task_spec.bpmn_id == TASK_ELEMENT
        )
        task.data.update(TASK_DATA)
        task.run()
        wf.refresh_timers()
        wf.do_engine_steps()
        return str(serializer.serialize_json(wf))

    # Sanity: the step lands on the next user task, as it does in Qingwei.
    after = serializer.deserialize_json(cycle())
    ready = [t.task_spec.bpmn_id for t in after.get_tasks(state=TaskState.READY, manual=True)]
    if ready != [NEXT_ELEMENT]:
        raise SystemExit(f"bare Spiff cycle ended at {ready}, expected [{NEXT_ELEMENT!r}]")

    for _ in range(warmup):
        cycle()
    samples: list[int] = []
    with quiet_gc():
        for _ in range(n):
            t0 = time.perf_counter_ns()
            cycle()
            samples.append(time.perf_counter_ns() - t0)
    info = {"state_bytes": len(stored.encode("utf-8")), "result_bytes": len(cycle().encode())}
    return samples, info


# ---- Qingwei -------------------------------------------------------------------------------------
def qingwei_samples(db_url: str, n: int, warmup: int) -> tuple[list[int], dict[str, Any]]:
    from engine import services
    from engine.bootstrap import build
    from engine.clock import FixedClock
    from engine.config import Settings
    from engine.services import Actor

    designer = Actor("designer1", ("designer",))
    officer = Actor("officer1", ("officer",))
    settings = Settings(database_url=db_url, forms_dir=FORMS_DIR, secret_key="bench")
    app = build(settings, FixedClock(BENCH_NOW))
    ctx = app.ctx
    try:
        services.deploy_process(
            ctx.uow(), ctx=ctx, files={BPMN_FILE.name: BPMN_FILE.read_bytes()}, actor=designer
        )
        # (case id, task id, case version) for every completion, warm-up ones first.
        todo: list[tuple[int, str, int]] = []
        for _ in range(warmup + n):
            view = services.open_case(
                ctx.uow(), ctx=ctx, actor=officer, process_key=PROCESS_KEY, data=INTAKE_DATA
            )
            (task,) = [t for t in view.tasks if t.element_id == TASK_ELEMENT]
            todo.append((view.id, task.id, view.case_version))

        def complete(item: tuple[int, str, int]) -> int:
            case_id, task_id, version = item
            uow = ctx.uow()
            t0 = time.perf_counter_ns()
            view = services.complete_task(
                uow,
                ctx=ctx,
                actor=officer,
                case_id=case_id,
                task_id=task_id,
                data=TASK_DATA,
                case_version=version,
            )
            elapsed = time.perf_counter_ns() - t0
            if [t.element_id for t in view.tasks] != [NEXT_ELEMENT]:
                raise SystemExit(f"case {case_id} ended at {view.tasks}, expected {NEXT_ELEMENT}")
            return elapsed

        for item in todo[:warmup]:
            complete(item)
        with quiet_gc():
            samples = [complete(item) for item in todo[warmup:]]

        with ctx.uow(read_only=True) as uow:
            state_bytes = len(uow.cases.get(todo[-1][0]).state.encode("utf-8"))  # type: ignore[union-attr]
        return samples, {"state_bytes": state_bytes}
    finally:
        app.close()


def sqlite_run(n: int, warmup: int) -> tuple[list[int], dict[str, Any]]:
    from engine.store.migrate import upgrade

    tmp = tempfile.mkdtemp(prefix="qw_bench_")
    try:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        return qingwei_samples(url, n, warmup)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def pg_run(admin_url: str, n: int, warmup: int) -> tuple[list[int], dict[str, Any]]:
    from sqlalchemy import create_engine, text

    from engine.store.migrate import upgrade

    name = f"qw_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = admin_url.rsplit("/", 1)[0] + f"/{name}"
            upgrade(url)
            samples, info = qingwei_samples(url, n, warmup)
            with admin.connect() as c:
                info["server_version"] = c.execute(text("SHOW server_version")).scalar()
            return samples, info
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def pg_reachable(admin_url: str) -> str | None:
    """None if PostgreSQL answers, else the reason it does not."""
    from sqlalchemy import create_engine, text

    try:
        eng = create_engine(admin_url, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"{exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


# ---- report --------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    import SpiffWorkflow
    import sqlalchemy

    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "spiffworkflow": getattr(SpiffWorkflow, "__version__", "3.2"),
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    head = f"{'backend':<12}{'n':>6}{'median ms':>11}{'p99 ms':>9}{'ops/s':>9}"
    head += f"{'median/bare':>13}{'p99/bare':>10}"
    print(head)
    print("-" * len(head))
    for r in rows:
        mr = f"{r['median_ratio']:.2f}x" if "median_ratio" in r else "1.00x"
        pr = f"{r['p99_ratio']:.2f}x" if "p99_ratio" in r else "1.00x"
        print(
            f"{r['backend']:<12}{r['n']:>6}{r['median_ms']:>11.3f}{r['p99_ms']:>9.3f}"
            f"{r['ops_per_s']:>9.0f}{mr:>13}{pr:>10}"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=500, help="timed completions per backend")
    ap.add_argument("--warmup", type=int, default=20, help="untimed completions first")
    ap.add_argument("--pg-url", default=DEFAULT_PG_URL, help="admin URL of a PostgreSQL server")
    ap.add_argument("--skip-pg", action="store_true", help="measure bare Spiff and SQLite only")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    args = ap.parse_args(argv)
    if args.n < 1 or args.warmup < 0:
        ap.error("--n must be >= 1 and --warmup >= 0")

    started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    extra: dict[str, Any] = {}

    def phase(label: str, fn: Callable[[], tuple[list[int], dict[str, Any]]]) -> None:
        t0 = time.perf_counter()
        print(f"[{label}] {args.warmup} warm-up + {args.n} timed ...", file=sys.stderr, flush=True)
        samples, info = fn()
        bare = rows[0] if rows else None
        rows.append(summarize(label, samples, bare))
        extra[label] = info
        print(f"[{label}] done in {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)

    phase("bare-spiff", lambda: bare_spiff_samples(args.n, args.warmup))
    phase("sqlite", lambda: sqlite_run(args.n, args.warmup))
    pg_skipped: str | None = "--skip-pg" if args.skip_pg else pg_reachable(args.pg_url)
    if pg_skipped is None:
        phase("postgresql", lambda: pg_run(args.pg_url, args.n, args.warmup))
    else:
        print(f"[postgresql] skipped ({pg_skipped})", file=sys.stderr)

    print()
    print_table(rows)
    sqlite_row = next(r for r in rows if r["backend"] == "sqlite")
    verdict = "meets" if sqlite_row["median_ratio"] <= GOAL_RATIO else "MISSES"
    print(
        f"\nGoal: SQLite median <= {GOAL_RATIO:.0f}x bare Spiff -> {sqlite_row['median_ratio']:.2f}x"
        f" ({verdict} the goal)"
    )

    result = {
        "machine": machine(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "operation": {
            "process": str(BPMN_FILE.relative_to(ROOT)),
            "task": TASK_ELEMENT,
            "data": TASK_DATA,
            "next_task": NEXT_ELEMENT,
        },
        "n": args.n,
        "warmup": args.warmup,
        "goal_median_ratio": GOAL_RATIO,
        "results": rows,
        "details": extra,
        "postgresql_skipped": pg_skipped,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
