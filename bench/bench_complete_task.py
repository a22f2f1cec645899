"""Benchmark: one user-task completion through Qingwei against a bare SpiffWorkflow cycle.

The operation is the first user task `investigate` of tests/fixtures/processes/mini_case.bpmn,
completed with {"classification": "not_correctable", "area_m2": 12}; the exclusive gateway then
leads to the next user task `decide`.

* bare-spiff: deserialize the workflow JSON (stock `BpmnWorkflowSerializer` with SPIFF_CONFIG,
  spec included, as a plain SpiffWorkflow user stores it) -> set the READY user task's data and
  `task.run()` -> `refresh_timers()` + `do_engine_steps()` -> serialize to JSON. Default script
  engine, no database.
* sqlite / postgresql: `engine.services.complete_task` through the real stack
  (`bootstrap.build`, FixedClock, forms from tests/fixtures/forms) on a freshly migrated SQLite
  file and on a scratch PostgreSQL database (created here, dropped at the end). All cases are
  opened first (untimed); each timed operation completes the task of a different case, and only
  the `complete_task` call is inside the timed region.

Two timing passes, in one process, after all setup (GC on, nothing else tuned):
* interleaved: rounds of one operation of each (order rotated). Background load, CPU frequency
  and the garbage collector weigh on the bare baseline exactly as on Qingwei; the headline table.
* blocked: blocks of --block back-to-back operations per backend, alternating. Each block runs
  with caches as warm as a tight loop gets (how a micro-benchmark of bare Spiff alone would see
  it). Neither pass is consistently the stricter on a busy machine: both are reported and the
  goal verdict takes the worse.

Usage:  .venv/bin/python bench/bench_complete_task.py [--n N] [--warmup W] [--block B]
                                                      [--pg-url URL] [--skip-pg] [--out PATH]
Prints a table and writes the figures as JSON to bench/results/latest.json.
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
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
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
# Tuesday 2026-02-10 09:00 Shanghai, the instant the test suite's clock uses.
BENCH_NOW = datetime(2026, 2, 10, 9, 0, tzinfo=SHANGHAI)
DEFAULT_PG_URL = os.environ.get(
    "QINGWEI_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
GOAL_RATIO = 3.0

Op = Callable[[int], None]  # runs operation number i (warm-up ops first), untimed checks outside


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


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
        "min_ms": round(ms[0], 4),
        "median_ms": round(statistics.median(ms), 4),
        "mean_ms": round(statistics.fmean(ms), 4),
        "p90_ms": round(percentile(ms, 90), 4),
        "p99_ms": round(percentile(ms, 99), 4),
        "max_ms": round(ms[-1], 4),
        # Single-threaded throughput of the timed region: operations / summed latency.
        "ops_per_s": round(len(ms) / total_s, 1) if total_s else None,
    }
    if bare is not None:
        out["median_ratio"] = round(out["median_ms"] / bare["median_ms"], 3)
        out["p99_ratio"] = round(out["p99_ms"] / bare["p99_ms"], 3)
    return out


# ---- bare SpiffWorkflow --------------------------------------------------------------------------
@contextmanager
def bare_spiff(total: int) -> Iterator[tuple[Op, dict[str, Any]]]:
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
    result: list[str] = []

    def op(i: int) -> None:
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
        result[:] = [serializer.serialize_json(wf)]

    # Sanity: the step lands on the next user task, as it does in Qingwei.
    op(0)
    after = serializer.deserialize_json(result[0])
    ready = [t.task_spec.bpmn_id for t in after.get_tasks(state=TaskState.READY, manual=True)]
    if ready != [NEXT_ELEMENT]:
        raise SystemExit(f"bare Spiff cycle ended at {ready}, expected [{NEXT_ELEMENT!r}]")
    yield op, {"state_bytes_in": len(stored.encode()), "state_bytes_out": len(result[0].encode())}


# ---- Qingwei -------------------------------------------------------------------------------------
@contextmanager
def qingwei(db_url: str, total: int) -> Iterator[tuple[Op, dict[str, Any]]]:
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
        # (case id, task id, case version) of every operation, warm-up ones first.
        todo: list[tuple[int, str, int]] = []
        for _ in range(total):
            view = services.open_case(
                ctx.uow(), ctx=ctx, actor=officer, process_key=PROCESS_KEY, data=INTAKE_DATA
            )
            (task,) = [t for t in view.tasks if t.element_id == TASK_ELEMENT]
            todo.append((view.id, task.id, view.case_version))

        def op(i: int) -> None:
            case_id, task_id, version = todo[i]
            services.complete_task(
                ctx.uow(),
                ctx=ctx,
                actor=officer,
                case_id=case_id,
                task_id=task_id,
                data=TASK_DATA,
                case_version=version,
            )

        info: dict[str, Any] = {}
        yield op, info
        # Sanity after the run (untimed): every case moved on to the next task.
        with ctx.uow(read_only=True) as uow:
            last = uow.cases.get(todo[-1][0])
            assert last is not None
            info["state_bytes_out"] = len(last.state.encode("utf-8"))
            for case_id, _, version in todo:
                tasks = [t.element_id for t in uow.cases.tasks(case_id)]
                case = uow.cases.get(case_id)
                if tasks != [NEXT_ELEMENT] or case is None or case.case_version != version + 1:
                    raise SystemExit(f"case {case_id} ended at {tasks}, expected {NEXT_ELEMENT}")
    finally:
        app.close()


@contextmanager
def sqlite_backend(total: int) -> Iterator[tuple[Op, dict[str, Any]]]:
    from engine.store.migrate import upgrade

    tmp = tempfile.mkdtemp(prefix="qw_bench_")
    try:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        with qingwei(url, total) as (op, info):
            info["database"] = "temporary file, WAL"
            yield op, info
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def pg_backend(admin_url: str, total: int) -> Iterator[tuple[Op, dict[str, Any]]]:
    from sqlalchemy import create_engine, text

    from engine.store.migrate import upgrade

    name = f"qw_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            version = c.execute(text("SHOW server_version")).scalar()
            c.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = admin_url.rsplit("/", 1)[0] + f"/{name}"
            upgrade(url)
            with qingwei(url, total) as (op, info):
                info["server_version"] = version
                info["database"] = f"scratch database {name}, dropped afterwards"
                yield op, info
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def pg_unreachable(admin_url: str) -> str | None:
    """None if PostgreSQL answers, else why not."""
    from sqlalchemy import create_engine, text

    try:
        eng = create_engine(admin_url, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as exc:  # any failure means "not reachable"
        first = str(exc).splitlines()[0] if str(exc) else ""
        return f"{exc.__class__.__name__}: {first}"


# ---- run -----------------------------------------------------------------------------------------
def warm_up(ops: dict[str, Op], warmup: int) -> None:
    for i in range(warmup):
        for op in ops.values():
            op(i)


def run_interleaved(ops: dict[str, Op], first: int, n: int) -> dict[str, list[int]]:
    """n rounds; each round runs one operation of every backend, the order rotated."""
    names = list(ops)
    samples: dict[str, list[int]] = {name: [] for name in names}
    gc.collect()  # start from a collected heap; the collector stays on while timing
    for r in range(n):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            t0 = time.perf_counter_ns()
            ops[name](first + r)
            samples[name].append(time.perf_counter_ns() - t0)
    return samples


def run_blocked(ops: dict[str, Op], first: int, n: int, block: int) -> dict[str, list[int]]:
    """n operations per backend in blocks of `block` back-to-back ones, backends alternating:
    each block runs with warm caches (a tight loop), the alternation spreads load drift."""
    names = list(ops)
    samples: dict[str, list[int]] = {name: [] for name in names}
    gc.collect()
    for start in range(0, n, block):
        for name in names:
            op = ops[name]
            for i in range(first + start, first + min(n, start + block)):
                t0 = time.perf_counter_ns()
                op(i)
                samples[name].append(time.perf_counter_ns() - t0)
    return samples


def report(samples: dict[str, list[int]], paired: bool) -> list[dict[str, Any]]:
    bare_row = summarize("bare-spiff", samples["bare-spiff"], None)
    rows = [bare_row] + [summarize(k, v, bare_row) for k, v in samples.items() if k != "bare-spiff"]
    if paired:
        for row in rows[1:]:
            # The same comparison paired by round (both ran within milliseconds of each
            # other): robust to load that drifts during the run.
            pairs = zip(samples[row["backend"]], samples["bare-spiff"], strict=True)
            row["paired_median_ratio"] = round(statistics.median(q / b for q, b in pairs), 3)
    return rows


def machine() -> dict[str, Any]:
    import SpiffWorkflow
    import sqlalchemy

    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "engine"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split("\n")
    except OSError:
        commit, dirty = "", []
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "spiffworkflow": getattr(SpiffWorkflow, "__version__", None),
        "git_commit": commit or None,
        "engine_uncommitted_files": [ln[3:] for ln in dirty if ln.strip()],
        "loadavg_start": None,
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
    ap = argparse.ArgumentParser(description="Qingwei complete_task vs bare SpiffWorkflow")
    ap.add_argument("--n", type=int, default=500, help="timed operations per backend")
    ap.add_argument("--warmup", type=int, default=20, help="untimed operations per backend first")
    ap.add_argument("--pg-url", default=DEFAULT_PG_URL, help="admin URL of a PostgreSQL server")
    ap.add_argument("--skip-pg", action="store_true", help="measure bare Spiff and SQLite only")
    ap.add_argument("--block", type=int, default=50, help="block size of the blocked pass")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    args = ap.parse_args(argv)
    if args.n < 2 or args.warmup < 0 or args.block < 1:
        ap.error("--n must be >= 2, --warmup >= 0 and --block >= 1")

    started = time.perf_counter()
    info = machine()
    info["loadavg_start"] = list(os.getloadavg())
    total = args.warmup + 2 * args.n  # one case per Qingwei operation, both passes
    pg_skipped: str | None = "--skip-pg" if args.skip_pg else pg_unreachable(args.pg_url)
    if pg_skipped is not None:
        log(f"[postgresql] skipped ({pg_skipped})")

    details: dict[str, Any] = {}
    with ExitStack() as stack:
        ops: dict[str, Op] = {}
        setups: list[tuple[str, Callable[[], Any]]] = [
            ("bare-spiff", lambda: bare_spiff(total)),
            ("sqlite", lambda: sqlite_backend(total)),
        ]
        if pg_skipped is None:
            setups.append(("postgresql", lambda: pg_backend(args.pg_url, total)))
        for name, make in setups:
            t0 = time.perf_counter()
            log(f"[{name}] setting up ({total} cases)" if name != "bare-spiff" else f"[{name}]")
            ops[name], details[name] = stack.enter_context(make())
            details[name]["setup_seconds"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        log(f"timing: {args.warmup} warm-up, {args.n} interleaved rounds, then {args.n} per")
        log(f"backend in alternating blocks of {args.block} ...")
        warm_up(ops, args.warmup)
        interleaved = run_interleaved(ops, args.warmup, args.n)
        blocked = run_blocked(ops, args.warmup + args.n, args.n, args.block)
        log(f"timed in {time.perf_counter() - t0:.1f}s")
    info["loadavg_end"] = list(os.getloadavg())

    rows = report(interleaved, paired=True)
    rows_blocked = report(blocked, paired=False)
    print("\ninterleaved (one operation of each per round; the headline figures)")
    print_table(rows)
    paired = ", ".join(f"{r['backend']} {r['paired_median_ratio']:.2f}x" for r in rows[1:])
    print(f"median of per-round ratios: {paired}")
    print(f"\nblocked ({args.block} back-to-back operations per backend, alternating)")
    print_table(rows_blocked)
    ratios = [
        next(r for r in table if r["backend"] == "sqlite")["median_ratio"]
        for table in (rows, rows_blocked)
    ]
    verdict = "meets" if max(ratios) <= GOAL_RATIO else "MISSES"
    print(
        f"\ngoal: SQLite median <= {GOAL_RATIO:.0f}x bare Spiff; measured {ratios[0]:.2f}x "
        f"interleaved, {ratios[1]:.2f}x blocked ({verdict} the goal)"
    )
    load = info["loadavg_end"][0]
    if load > 0.5 * (os.cpu_count() or 1):
        print(f"note: 1-min load average was {load:.2f} on {os.cpu_count()} CPUs; expect noise")

    result = {
        "machine": info,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "operation": {
            "process": str(BPMN_FILE.relative_to(ROOT)),
            "task": TASK_ELEMENT,
            "data": TASK_DATA,
            "next_task": NEXT_ELEMENT,
            "timing": "perf_counter_ns around one call; GC on; one process",
            "results": "interleaved rounds (one op of each backend per round, order rotated)",
            "results_blocked": f"blocks of {args.block} consecutive ops per backend, alternating",
        },
        "n": args.n,
        "warmup": args.warmup,
        "goal_median_ratio": GOAL_RATIO,
        "goal_met": max(ratios) <= GOAL_RATIO,
        "results": rows,
        "results_blocked": rows_blocked,
        "details": details,
        "postgresql_skipped": pg_skipped,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
