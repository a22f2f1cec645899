"""Soak: HTTP load and two timer workers, first with healthy timers only, then with poisoned ones
(issue 14, "must show": every other timer fires and the p99 stays where it was).

Setup: a scratch PostgreSQL database; `qingwei serve --workers 1` (its supervised worker thread is
the first timer worker) and one `qingwei worker` process (the second), both on the wall clock;
the fixture processes (mini_case, timer_only) plus four hostile copies of timer_only whose timer
leads to `raise SystemExit`, `while True: pass`, `10**10**10` or `float('inf')`.

Each phase (--minutes long) runs at once:
- C HTTP clients (keep-alive, one thread each): open a mini_case case (POST /cases), complete its
  `investigate` task; the latency of each call is recorded;
- a feeder that opens --rate timer_only cases per second in-process on a clock in the past (their
  one-day deadline has passed for the wall clock, so the workers see them due at once), and in the
  `poisoned` phase also hostile cases, as --poison says:
  * `one-process` (the default, what the issue asks): ONE hostile process is deployed (the kind
    --poison-kind, `spin` by default: the costliest, a whole script budget per attempt) and
    --poison-cases cases of it are opened, spread evenly over the phase;
  * `every-second`: all four kinds are deployed and one hostile case is opened every second,
    the kinds in turn (the earlier, much harsher mode).
After each phase the feeder stops and the script waits (at most 120 s) for every healthy timer to
have fired; the lag of each (its `timer_fired` event's time minus the wall time it was opened)
and the incidents are read from the database.

Usage:  .venv/bin/python bench/soak_timers.py [--minutes 10] [--clients 4] [--rate 4]
            [--poison one-process|every-second] [--poison-kind spin] [--poison-cases 5]
            [--pg-url URL] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_complete_task import (  # noqa: E402
    BENCH_NOW,
    DEFAULT_PG_URL,
    FORMS_DIR,
    INTAKE_DATA,
    PROCESS_KEY,
    TASK_DATA,
    percentile,
)
from bench.bench_http_load import (  # noqa: E402
    OFFICER,
    add_officer,
    free_port,
    log,
    scratch_database,
    server,
    stop_server,
)

HOSTILE = {
    "exit": "raise SystemExit",
    "spin": "while True:\n    pass",
    "bomb": "x = 10**10**10",
    "inf": "x = float('inf')",
}


@dataclass
class Phase:
    name: str
    create_ms: list[float] = field(default_factory=list)
    complete_ms: list[float] = field(default_factory=list)
    errors: int = 0
    opened: dict[int, float] = field(default_factory=dict)  # good timer case -> wall time
    hostile: list[int] = field(default_factory=list)


class SignIn:
    """The officer's access token, signed in again when it expires: access tokens live
    `security.token_minutes` (15 by default), shorter than two 10-minute phases."""

    def __init__(self, base: str, password: str) -> None:
        self.base, self.password = base, password
        self.lock = threading.Lock()
        self.token = ""
        self.renew("")

    def renew(self, stale: str) -> str:
        import httpx

        with self.lock:
            if self.token == stale:
                r = httpx.post(
                    f"{self.base}/api/v1/auth/token",
                    data={"username": OFFICER, "password": self.password},
                    timeout=60,
                )
                r.raise_for_status()
                self.token = str(r.json()["access_token"])
            return self.token


def client_loop(base: str, auth: SignIn, stop: threading.Event, phase: Phase) -> None:
    import httpx

    token = auth.token
    with httpx.Client(base_url=base + "/api/v1", timeout=60) as c:
        while not stop.is_set():
            c.headers["Authorization"] = f"Bearer {token}"
            t0 = time.perf_counter()
            r = c.post("/cases", json={"process_key": PROCESS_KEY, "data": INTAKE_DATA})
            t1 = time.perf_counter()
            if r.status_code == 401:
                token = auth.renew(token)  # expired: sign in again, not counted
                continue
            if r.status_code != 201:
                phase.errors += 1
                continue
            case = r.json()
            task = case["tasks"][0]["id"]
            body = {"data": TASK_DATA, "case_version": case["case_version"]}
            r = c.post(f"/cases/{case['id']}/tasks/{task}/complete", json=body)
            if r.status_code == 401:  # expired between the two calls
                token = auth.renew(token)
                c.headers["Authorization"] = f"Bearer {token}"
                t1 = time.perf_counter()
                r = c.post(f"/cases/{case['id']}/tasks/{task}/complete", json=body)
            t2 = time.perf_counter()
            if r.status_code != 200:
                phase.errors += 1
                continue
            phase.create_ms.append((t1 - t0) * 1000)
            phase.complete_ms.append((t2 - t1) * 1000)


def hostile_ticks(args: argparse.Namespace) -> dict[int, str]:
    """Which feeder tick (second) opens which hostile case in the `poisoned` phase."""
    seconds = max(1, int(args.minutes * 60))
    if args.poison == "every-second":
        kinds = list(HOSTILE)
        return {t: kinds[t % len(kinds)] for t in range(seconds)}
    n = max(0, args.poison_cases)
    return {(i * seconds) // n: args.poison_kind for i in range(n)} if n else {}


def feeder(
    app: Any,
    rate: float,
    hostile: dict[int, str],
    stop: threading.Event,
    phase: Phase,
) -> None:
    from engine import services
    from engine.services import Actor

    officer = Actor(OFFICER, ("officer",))
    tick = 0
    next_at = time.monotonic()
    while not stop.is_set():
        for _ in range(max(1, round(rate))):
            wall = time.time()
            v = services.open_case(
                app.ctx.uow(), ctx=app.ctx, actor=officer, process_key="timer_only", data={}
            )
            phase.opened[v.id] = wall
        if tick in hostile:
            key = f"hostile_{hostile[tick]}"
            v = services.open_case(
                app.ctx.uow(), ctx=app.ctx, actor=officer, process_key=key, data={}
            )
            phase.hostile.append(v.id)
        tick += 1
        next_at += 1.0
        stop.wait(max(0.0, next_at - time.monotonic()))


def fired_lags(db_url: str, opened: dict[int, float], wait_s: float) -> tuple[list[float], int]:
    """Lags (s) of the healthy timers that fired, and how many never did within `wait_s`."""
    from sqlalchemy import create_engine, select

    from engine.store.models import AuditEvent

    eng = create_engine(db_url)
    deadline = time.monotonic() + wait_s
    try:
        while True:
            with eng.connect() as c:
                rows: dict[int, datetime] = {
                    cid: at
                    for cid, at in c.execute(
                        select(AuditEvent.case_id, AuditEvent.at).where(
                            AuditEvent.action == "timer_fired",
                            AuditEvent.case_id.in_(list(opened)),
                        )
                    ).all()
                }
            if len(rows) == len(opened) or time.monotonic() > deadline:
                break
            time.sleep(1)
    finally:
        eng.dispose()
    lags = sorted(
        max(0.0, (at.astimezone(UTC).timestamp() - opened[cid])) for cid, at in rows.items()
    )
    return lags, len(opened) - len(rows)


def incident_summary(db_url: str, case_ids: list[int]) -> dict[str, Any]:
    from sqlalchemy import create_engine, func, select

    from engine.store.models import Case, TimerIncident

    eng = create_engine(db_url)
    try:
        with eng.connect() as c:
            by_status: dict[str, int] = {
                status: n
                for status, n in c.execute(
                    select(TimerIncident.status, func.count())
                    .where(TimerIncident.case_id.in_(case_ids))
                    .group_by(TimerIncident.status)
                ).all()
            }
            moved = c.scalar(
                select(func.count()).where(Case.id.in_(case_ids), Case.status == "closed")
            )
    finally:
        eng.dispose()
    return {"hostile_cases": len(case_ids), "incidents": by_status, "hostile_closed": moved}


def stats(ms: list[float]) -> dict[str, float]:
    s = sorted(ms)
    if not s:
        return {"n": 0}
    return {
        "n": len(s),
        "p50": round(percentile(s, 50), 1),
        "p90": round(percentile(s, 90), 1),
        "p99": round(percentile(s, 99), 1),
        "max": round(s[-1], 1),
    }


def run_phase(
    name: str, base: str, auth: SignIn, app: Any, db_url: str, args: argparse.Namespace
) -> dict[str, Any]:
    phase = Phase(name)
    stop = threading.Event()
    threads = [
        threading.Thread(target=client_loop, args=(base, auth, stop, phase))
        for _ in range(args.clients)
    ]
    threads.append(
        threading.Thread(
            target=feeder,
            args=(app, args.rate, hostile_ticks(args) if name == "poisoned" else {}, stop, phase),
        )
    )
    log(f"[{name}] {args.minutes} min, {args.clients} clients, {args.rate} timers/s")
    for t in threads:
        t.start()
    time.sleep(args.minutes * 60)
    stop.set()
    for t in threads:
        t.join()
    lags, unfired = fired_lags(db_url, phase.opened, 120)
    result = {
        "phase": name,
        "create_ms": stats(phase.create_ms),
        "complete_ms": stats(phase.complete_ms),
        "http_errors": phase.errors,
        "healthy_timers": len(phase.opened),
        "unfired_after_120s": unfired,
        "fire_lag_s": {
            "p50": round(percentile(lags, 50), 2) if lags else None,
            "p99": round(percentile(lags, 99), 2) if lags else None,
            "max": round(lags[-1], 2) if lags else None,
        },
    }
    if phase.hostile:
        result["hostile"] = incident_summary(db_url, phase.hostile)
    log(f"[{name}] {json.dumps(result, ensure_ascii=False)}")
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--rate", type=float, default=4.0, help="healthy timer cases opened per second")
    p.add_argument(
        "--poison",
        choices=("one-process", "every-second"),
        default="one-process",
        help="one hostile process with a few cases (default), or every kind every second",
    )
    p.add_argument("--poison-kind", choices=sorted(HOSTILE), default="spin")
    p.add_argument("--poison-cases", type=int, default=5, help="one-process: cases per phase")
    p.add_argument("--pg-url", default=DEFAULT_PG_URL)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "soak_latest.json")
    args = p.parse_args(argv)

    from engine.bootstrap import build
    from engine.clock import FixedClock
    from engine.config import Settings
    from engine.services import deploy_process
    from engine.services.context import Actor
    from tests.integration.test_hostile_scripts import TIMER_ONLY, with_script

    password = secrets.token_urlsafe(12)
    secret = secrets.token_urlsafe(32)
    with scratch_database(args.pg_url) as (db_url, _name, _info):
        add_officer(db_url, password)
        settings = Settings(database_url=db_url, forms_dir=FORMS_DIR, secret_key="unused")
        app = build(settings, FixedClock(BENCH_NOW))
        designer = Actor("bench", ("designer",))
        files = {"timer_only.bpmn": TIMER_ONLY.encode()}
        kinds = list(HOSTILE) if args.poison == "every-second" else [args.poison_kind]
        for key in kinds:
            script = HOSTILE[key]
            files[f"hostile_{key}.bpmn"] = with_script(f"hostile_{key}", script, after_timer=True)
        deploy_process(app.ctx.uow(), ctx=app.ctx, files=files, actor=designer)
        port = free_port()
        logdir = Path(tempfile.mkdtemp(prefix="qw-soak-"))
        worker_log = (logdir / "worker.log").open("wb")
        env = {
            **os.environ,
            "QINGWEI_DATABASE_URL": db_url,
            "QINGWEI_SECRET_KEY": secret,
            "QINGWEI_FORMS_DIR": str(FORMS_DIR),
            "QINGWEI_WORKER__INTERVAL_SECONDS": "1",
        }
        os.environ["QINGWEI_WORKER__INTERVAL_SECONDS"] = "1"  # serve's worker thread too
        results: list[dict[str, Any]] = []
        with server(db_url, secret, 1, port, logdir, None) as (_proc, server_log):
            exe = Path(sys.executable).parent / "qingwei"
            second = subprocess.Popen(
                [str(exe), "worker"], env=env, cwd=ROOT, stdout=worker_log, stderr=worker_log
            )
            try:
                base = f"http://127.0.0.1:{port}"
                auth = SignIn(base, password)
                for name in ("clean", "poisoned"):
                    results.append(run_phase(name, base, auth, app, db_url, args))
            finally:
                stop_server(second)
                worker_log.close()
            tail = server_log.read_text(errors="replace")
            results.append({"server_restarts_logged": tail.count("定时器工作线程崩溃")})
        app.close()
    report = {
        "at": datetime.now(UTC).isoformat(),
        "args": {k: str(v) for k, v in vars(args).items()},
        "load_average": os.getloadavg(),
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    log(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
