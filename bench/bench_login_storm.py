"""160 concurrent sign-ins against a real `qingwei serve` (issue 14: they raised memory to
1.6 GB and slowed other users to 3-7 s).

Starts the server on a scratch SQLite database with production argon2 parameters, fires 160
logins at once from threads (half of them wrong passwords from distinct usernames, so the
throttle does not simply refuse them) while a signed-in user polls GET /tasks, and reports the
server's peak resident memory (the process tree, sampled every 20 ms), the logins' latency and
the other user's p50/p99. Run: `.venv/bin/python -m bench.bench_login_storm [--concurrency N]`
(N is QINGWEI_SECURITY__LOGIN_CONCURRENCY: how many argon2 verifications run at once).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QINGWEI = str(ROOT / ".venv" / "bin" / "qingwei")
LOGINS = 160


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tree_rss_kib(pid: int) -> int:
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def run(concurrency: int) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="qw-login-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGWEI_")}
    env.update(
        QINGWEI_DATABASE_URL=f"sqlite:///{tmp / 'qingwei.db'}",
        QINGWEI_SECRET_KEY="bench-secret-key-bench-secret-key",
        QINGWEI_SECURITY__LOGIN_CONCURRENCY=str(concurrency),
        QINGWEI_SECURITY__MAX_ADDRESS_FAILURES="100000",
    )
    subprocess.run([QINGWEI, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    for name in ("alice", "bob"):
        subprocess.run(
            [QINGWEI, "users", "add", name, "--role", "officer", "--password-stdin"],
            input="correct horse\n",
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
    port = _free_port()
    server = subprocess.Popen(
        [QINGWEI, "serve", "--port", str(port), "--no-access-log"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/processes", timeout=1).status_code == 401:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        form = {"username": "bob", "password": "correct horse"}
        token = httpx.post(f"{base}/auth/token", data=form, timeout=30).json()["access_token"]
        idle = _tree_rss_kib(server.pid)
        peak = idle
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _tree_rss_kib(server.pid))
                time.sleep(0.02)

        other: list[float] = []
        errors: list[str] = []

        def poll() -> None:
            while not stop.is_set():
                t = time.perf_counter()
                try:
                    r = httpx.get(
                        f"{base}/tasks", headers={"Authorization": f"Bearer {token}"}, timeout=60
                    )
                    if r.status_code != 200:
                        errors.append(str(r.status_code))
                except httpx.HTTPError as exc:
                    errors.append(type(exc).__name__)
                other.append(time.perf_counter() - t)
                time.sleep(0.05)

        logins: list[float] = []
        codes: list[int] = []
        barrier = threading.Barrier(LOGINS)

        def login(i: int) -> None:
            data = (
                {"username": "alice", "password": "correct horse"}
                if i % 2
                else {"username": f"x{i}", "password": "wrong"}
            )
            barrier.wait()
            t = time.perf_counter()
            r = httpx.post(f"{base}/auth/token", data=data, timeout=120)
            logins.append(time.perf_counter() - t)
            codes.append(r.status_code)

        watchers = [threading.Thread(target=sample), threading.Thread(target=poll)]
        for w in watchers:
            w.start()
        time.sleep(0.5)
        before = len(other)
        start = time.perf_counter()
        storm = [threading.Thread(target=login, args=(i,)) for i in range(LOGINS)]
        for t in storm:
            t.start()
        for t in storm:
            t.join()
        wall = time.perf_counter() - start
        during = other[before:]
        stop.set()
        for w in watchers:
            w.join()
        during.sort()
        return {
            "concurrency": concurrency,
            "idle_rss_mib": idle / 1024,
            "peak_rss_mib": peak / 1024,
            "storm_s": wall,
            "login_p50_s": statistics.median(logins),
            "login_max_s": max(logins),
            "ok": codes.count(200),
            "refused": codes.count(401),
            "other_p50_ms": 1000 * statistics.median(during),
            "other_p99_ms": 1000 * during[min(len(during) - 1, int(len(during) * 0.99))],
            "other_requests": len(during),
            "other_errors": len(errors),
        }
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, action="append")
    args = parser.parse_args()
    for n in args.concurrency or [4]:
        result = run(n)
        print(" ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in
                       result.items()))  # fmt: skip
        sys.stdout.flush()


if __name__ == "__main__":
    main()
