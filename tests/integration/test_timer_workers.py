"""Timer workers: each due timer fires exactly once, even with two workers on one PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError

from engine import services
from engine import worker as timer_worker
from engine.bootstrap import App
from engine.store.models import AuditEvent, Case, TimerRow
from tests.conftest import FIXTURES, ROOT, fixture_bpmn
from tests.integration.conftest import DESIGNER, OFFICER, is_postgres

N_TIMERS = 2000


def _deploy_timer_only(app: App) -> None:
    services.deploy_process(
        app.ctx.uow(),
        ctx=app.ctx,
        files={"timer_only.bpmn": fixture_bpmn("timer_only.bpmn")},
        actor=DESIGNER,
    )


def _open(app: App, n: int) -> None:
    def one(_: int) -> None:
        services.open_case(
            app.ctx.uow(), ctx=app.ctx, actor=OFFICER, process_key="timer_only", data={}
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, range(n)))


def _counts(url: str) -> tuple[int, int, int, list[int]]:
    eng = create_engine(url)
    with eng.connect() as c:
        timers = c.scalar(select(func.count()).select_from(TimerRow))
        closed = c.scalar(select(func.count()).where(Case.status == "closed"))
        fired = c.scalar(select(func.count()).where(AuditEvent.action == "timer_fired"))
        per_case = list(
            c.scalars(
                select(func.count())
                .where(AuditEvent.action == "timer_fired")
                .group_by(AuditEvent.case_id)
                .having(func.count() > 1)
            )
        )
    eng.dispose()
    return int(timers or 0), int(closed or 0), int(fired or 0), per_case


def test_two_worker_processes_fire_each_of_2000_timers_once(app: App) -> None:
    if not is_postgres(app):
        pytest.skip("the two-worker claim race is a PostgreSQL property (SKIP LOCKED)")
    _deploy_timer_only(app)
    _open(app, N_TIMERS)
    assert _counts(app.settings.database.url)[0] == N_TIMERS
    # The timers fall due on 2026-02-12 (fixed clock); the worker processes use the wall clock,
    # which is later, so all 2000 are due for them.
    env = {
        **os.environ,
        "QINGWEI_DATABASE_URL": app.settings.database.url,
        "QINGWEI_FORMS_DIR": str(FIXTURES / "forms"),
        "QINGWEI_SECRET_KEY": "test-secret-key",
    }
    qingwei = str(Path(sys.executable).parent / "qingwei")
    workers = [
        subprocess.Popen(
            [qingwei, "worker", "--once"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    # Both workers' pipes are read at once: reading one to its end first let the other fill
    # its 64 KiB stderr pipe and block inside a step (holding the case lock) until the step
    # budget failed it, which was this test's intermittent unfired timer.
    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = list(pool.map(lambda w: w.communicate(timeout=600), workers))
    assert [w.returncode for w in workers] == [0, 0], outputs
    # A worker writes nothing per fired timer (SpiffWorkflow's task log stays below WARNING):
    # a chatty worker would stall on a slow log reader in the middle of its steps.
    assert all(len(err) < 4096 for _, err in outputs), [err[-2000:] for _, err in outputs]
    fired_by = [int(out.strip().split()[3]) for out, _ in outputs]
    timers, closed, fired, duplicates = _counts(app.settings.database.url)
    assert timers == 0, outputs
    assert closed == N_TIMERS
    assert fired == N_TIMERS
    assert duplicates == []
    assert sum(fired_by) == N_TIMERS
    assert all(n > 0 for n in fired_by), f"one worker did all the work: {fired_by}"


def test_threads_racing_on_sqlite_and_postgres_fire_once(app: App) -> None:
    """The same guarantee through the service function with threads, on both backends."""
    from datetime import timedelta

    _deploy_timer_only(app)
    _open(app, 60)
    app.ctx.clock.advance(timedelta(days=3))  # type: ignore[attr-defined]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: services.fire_due_timers(app.ctx), range(3)))
    assert sum(results) == 60
    timers, closed, fired, duplicates = _counts(app.settings.database.url)
    assert (timers, closed, fired, duplicates) == (0, 60, 60, [])


def _worker_env(url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "QINGWEI_DATABASE_URL": url,
        "QINGWEI_FORMS_DIR": str(FIXTURES / "forms"),
        "QINGWEI_SECRET_KEY": "test-secret-key",
        **extra,
    }


def _qingwei() -> str:
    return str(Path(sys.executable).parent / "qingwei")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:1/none", "无法连接数据库"),
        ("sqlite:///{tmp}/empty.db", "数据库尚未建表"),
    ],
)
def test_worker_exits_1_with_a_chinese_message_when_the_database_is_unusable(
    tmp_path: Path, url: str, message: str
) -> None:
    for once in (["--once"], []):
        done = subprocess.run(
            [_qingwei(), "worker", *once],
            env=_worker_env(url.format(tmp=tmp_path)),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1, (done.stdout, done.stderr)
        assert message in done.stderr
        assert "Traceback" not in done.stderr


def test_worker_finishes_its_step_and_exits_0_on_sigterm(app: App) -> None:
    """SIGTERM in the middle of a pass: the step under way is finished, the rest left for the
    next worker, the exit status is 0, and every case is either fired or still waiting."""
    _deploy_timer_only(app)
    _open(app, 300)
    worker = subprocess.Popen(
        [_qingwei(), "worker"],
        env=_worker_env(app.settings.database.url, QINGWEI_WORKER__INTERVAL_SECONDS="0.2"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        eng = create_engine(app.settings.database.url)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # until the worker has fired some, not all
            with eng.connect() as c:
                closed = c.scalar(select(func.count()).where(Case.status == "closed"))
            if closed or worker.poll() is not None:  # fired some, or could not start
                break
            time.sleep(0.05)
        eng.dispose()
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, err
    assert "完成当前步骤后退出" in err
    timers, closed, fired, duplicates = _counts(app.settings.database.url)
    assert closed > 0 and timers + closed == 300 and fired == closed and duplicates == []


def test_run_forever_gives_up_after_passes_in_a_row_without_a_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []

    def unreachable(ctx: object, stop: object) -> int:
        calls.append(1)
        raise OperationalError("select 1", {}, Exception("connection refused"))

    monkeypatch.setattr(timer_worker, "run_once", unreachable)
    ctx = SimpleNamespace(settings=SimpleNamespace(worker=SimpleNamespace(interval_seconds=0)))
    with pytest.raises(timer_worker.FatalWorkerError, match="连续 3 轮无法使用数据库"):
        timer_worker.run_forever(ctx, fatal_after=3)  # type: ignore[arg-type]
    assert len(calls) == 3


def test_supervise_restarts_a_crashed_worker_backing_off_and_stops_on_request(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stop = threading.Event()
    crashes: list[BaseException] = [SystemExit(3), RuntimeError("boom"), KeyError("x")]
    waits: list[float] = []

    def run(ctx: object, s: threading.Event) -> None:
        if crashes:
            raise crashes.pop(0)
        s.set()  # the fourth run ends because the server stops

    ctx = SimpleNamespace(settings=SimpleNamespace(worker=SimpleNamespace(restart_delay_seconds=1)))
    restarts = timer_worker.supervise(ctx, stop, run=run, sleep=waits.append)  # type: ignore[arg-type]
    assert restarts == 3
    assert waits == [1, 2, 4]
    logged = [r.getMessage() for r in caplog.records if r.name == "qingwei.worker"]
    assert len(logged) == 3 and all("定时器工作线程崩溃" in m for m in logged)
    assert "SystemExit(3)" in logged[0]
