"""The process memory budget (issue 14, "resource bombs"), on both databases, with real processes.

A script that stays inside every interpreter-level cap (each repetition below a million items)
can still ask for terabytes by nesting them. `limits.memory_mib` caps `qingwei serve` and
`qingwei worker` (RLIMIT_DATA): the allocation fails with MemoryError inside the step, which is
a process fault like any other, and the process goes on serving and firing timers. The limit is
set low here (384 MiB; the default is 2 GiB) only so that the bomb reaches it in milliseconds.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import select

from engine import services
from engine.bootstrap import App
from engine.store.models import Case, TimerIncident, TimerRow
from tests.conftest import FIXTURES, ROOT
from tests.integration.conftest import OFFICER
from tests.integration.test_hostile_scripts import TIMER_ONLY, deploy, with_script

# Each repetition is half a million items (within MAX_SEQUENCE); the whole is 4 TB.
BOMB = "x = [[0] * 500000 for i in range(1000000)]"
LIMIT_MIB = 384
QINGWEI = str(Path(sys.executable).parent / "qingwei")


def _env(app: App, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "QINGWEI_DATABASE_URL": app.settings.database.url,
        "QINGWEI_FORMS_DIR": str(FIXTURES / "forms"),
        "QINGWEI_SECRET_KEY": "test-secret-key",
        "QINGWEI_LIMITS__MEMORY_MIB": str(LIMIT_MIB),
        **extra,
    }


def test_a_memory_bomb_after_a_timer_is_an_incident_and_the_worker_goes_on(app: App) -> None:
    deploy(app, "bomb", with_script("bomb", BOMB, after_timer=True))
    deploy(app, "timer_only", TIMER_ONLY.encode())
    ctx = app.ctx
    bomb = services.open_case(ctx.uow(), ctx=ctx, actor=OFFICER, process_key="bomb", data={})
    good = [
        services.open_case(ctx.uow(), ctx=ctx, actor=OFFICER, process_key="timer_only", data={})
        for _ in range(3)
    ]
    # The worker runs on the wall clock, past the fixed clock's one-day deadlines.
    done = subprocess.run(
        [QINGWEI, "worker", "--once"],
        env=_env(app),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "fired timers on 3 case(s)" in done.stdout
    with ctx.uow() as uow:
        assert uow.session is not None
        i = uow.session.scalars(select(TimerIncident)).one()
        incident = (i.case_id, i.error_kind, i.error)
        statuses = dict(uow.session.execute(select(Case.id, Case.status)).tuples().all())
        waiting = uow.session.scalars(select(TimerRow.case_id)).all()
    assert incident[:2] == (bomb.id, "memory") and "MemoryError" in incident[2], incident
    assert waiting == [bomb.id]  # rolled back: the bomb's timer still waits, nothing moved
    assert statuses[bomb.id] != "closed"
    assert all(statuses[v.id] == "closed" for v in good)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serve(app: App, processes: Path, log_path: Path) -> Iterator[str]:
    port = _free_port()
    env = _env(app, QINGWEI_PROCESSES_DIR=str(processes), QINGWEI_DEMO_CAMPAIGN="false")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [QINGWEI, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log_path.read_text(errors="replace")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).is_success:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log_path.read_text(errors="replace")
            time.sleep(0.2)
        yield base
        assert proc.poll() is None, "the server died: " + log_path.read_text(errors="replace")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def test_a_memory_bomb_in_a_request_is_a_process_fault_and_the_server_lives(
    app: App, tmp_path: Path
) -> None:
    processes = tmp_path / "processes"
    processes.mkdir()
    (processes / "bomb.bpmn").write_bytes(with_script("bomb", BOMB, after_timer=False))
    (processes / "timer_only.bpmn").write_text(TIMER_ONLY, encoding="utf-8")
    services.add_user(
        app.ctx.uow(),
        ctx=app.ctx,
        username="officer1",
        password="officer-password-1",
        roles=["officer"],
    )
    with _serve(app, processes, tmp_path / "serve.log") as base:
        token = httpx.post(
            f"{base}/auth/token", data={"username": "officer1", "password": "officer-password-1"}
        ).json()["access_token"]
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
            for _ in range(2):  # twice: the first MemoryError left the process sound
                r = c.post("/cases", json={"process_key": "bomb", "data": {}}, timeout=60)
                # A process fault, as for every other hostile script (API.md: the step is
                # rolled back and the officer gets /problems/process-fault), not a dead server.
                assert r.status_code == 500, r.text
                assert r.headers["content-type"].startswith("application/problem+json")
                assert r.json()["type"] == "/problems/process-fault"
                assert "MemoryError" in r.json()["detail"]
            r = c.post("/cases", json={"process_key": "timer_only", "data": {}}, timeout=60)
            assert r.status_code == 201, r.text
    with app.ctx.uow() as uow:
        assert uow.session is not None
        keys = uow.session.scalars(select(Case.id)).all()
    assert len(keys) == 1  # the bombs wrote nothing


def test_the_limit_is_lowered_never_raised_and_zero_leaves_it_alone() -> None:
    """In a child process (a limit cannot be raised back once lowered)."""
    code = (
        "import resource\n"
        "from engine.process_limits import apply_memory_limit, MIB\n"
        "assert apply_memory_limit(0) is None\n"
        "before = resource.getrlimit(resource.RLIMIT_DATA)\n"
        "assert apply_memory_limit(1024) == 1024 * MIB\n"
        "assert apply_memory_limit(4096) == 1024 * MIB  # never raised again\n"
        "soft, hard = resource.getrlimit(resource.RLIMIT_DATA)\n"
        "assert (soft, hard) == (1024 * MIB, before[1]), (soft, hard)\n"
        "try:\n"
        "    x = bytearray(2048 * MIB)\n"
        "except MemoryError:\n"
        "    print('refused')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "refused"
