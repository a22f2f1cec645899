"""Run the API in several processes, each with its own listening socket.

uvicorn's own `--workers` shares one socket among the processes: whichever process wakes first
accepts a whole burst of keep-alive connections and keeps them, so N workers serve like one; and
it binds that socket so that asyncio does not set TCP_NODELAY on accepted connections, which adds
~40 ms (Nagle + delayed ACK) to every keep-alive request (uvicorn issue #3149). Here every worker
binds its own `SO_REUSEPORT` TCP socket (the kernel spreads new connections across them), made
with `IPPROTO_TCP` so that asyncio turns Nagle off.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
from types import FrameType


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int, access_log: bool) -> None:
    import uvicorn

    sock = _listen(host, port)
    config = uvicorn.Config(
        "api.main:create_app", factory=True, access_log=access_log, log_level="info"
    )
    uvicorn.Server(config).run(sockets=[sock])


def serve_processes(host: str, port: int, workers: int, *, access_log: bool) -> None:
    """Start `workers` API processes and wait; SIGINT/SIGTERM stops them all."""
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_worker, args=(host, port, access_log), name=f"qingwei-api-{i}")
        for i in range(workers)
    ]
    for p in procs:
        p.start()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        for p in procs:
            if p.is_alive():
                p.terminate()

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for p in procs:
            p.join()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
