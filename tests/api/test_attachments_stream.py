"""A 200 MB upload streams: sent over a real socket to a real server process (uvicorn), it
passes the input limits, the multipart parser, the hashing and the store without the server's
memory growing by anything near its size. The server's peak resident set (VmHWM) is read from
/proc before and after; the figures are printed (BENCHMARKS.md records a run).

On both databases, like every API test (the database is touched only once the file is stored).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT
from tests.integration.conftest import _empty_pg
from tests.integration.evidence_files import MP4

SIZE = 200_000_000  # the default limit (QINGWEI_FILES__MAX_ATTACHMENT_BYTES)
CHUNK = 1024 * 1024
BOUNDARY = "qingwei-stream-test-boundary"

SERVER = """
import sys, uvicorn
from api.main import create_app
from engine import services
from engine.bootstrap import build
from engine.config import Settings
from engine.demo_seed import seed_users
from engine.services import Actor
url, forms, files, port, bpmn = sys.argv[1:6]
s = Settings(database_url=url, forms_dir=forms, secret_key="stream-test-secret-key-0123456789")
s.files.root = __import__("pathlib").Path(files)
app = build(s)
seed_users(app.ctx)
services.deploy_process(app.ctx.uow(), ctx=app.ctx, files={"mini.bpmn": open(bpmn, "rb").read()},
                        actor=Actor("designer1", ("designer",)))
case = services.open_case(app.ctx.uow(), ctx=app.ctx, actor=Actor("officer1", ("officer",)),
                          process_key="mini_case", data={"address": "x", "district": "y"})
print("READY", case.id, flush=True)
uvicorn.run(create_app(app), host="127.0.0.1", port=int(port), log_level="warning")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in bytes."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out


def _body(size: int) -> tuple[Iterator[bytes], int, str]:
    """A multipart body with one file part of `size` bytes (an MP4 header, then a pattern),
    generated chunk by chunk; its length and the file's sha256."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="video.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    pattern = bytes(range(256)) * (CHUNK // 256)
    digest = hashlib.sha256()

    def chunks() -> Iterator[bytes]:
        yield head
        sent = 0
        first = MP4 + pattern[: CHUNK - len(MP4)]
        while sent < size:
            piece = (first if sent == 0 else pattern)[: size - sent]
            sent += len(piece)
            yield piece
        yield tail

    # The digest is computed the same way, ahead (cheap next to the upload itself).
    sent = 0
    while sent < size:
        piece = ((MP4 + pattern[: CHUNK - len(MP4)]) if sent == 0 else pattern)[: size - sent]
        digest.update(piece)
        sent += len(piece)
    return chunks(), len(head) + size + len(tail), digest.hexdigest()


@pytest.fixture(params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[str], int, int]]:
    if request.param == "sqlite":
        db = tmp_path / "stream.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), db)
        url = f"sqlite:///{db}"
    else:
        url = request.getfixturevalue("pg_database")
        _empty_pg(url)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QINGWEI_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SERVER,
            url,
            str(FIXTURES / "forms"),
            str(tmp_path / "files"),
            str(port),
            str(FIXTURES / "processes" / "mini_case.bpmn"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("READY"), line
        case_id = int(line.split()[1])
        for _ in range(200):  # wait for the socket (no fixed sleep: poll until it answers)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield proc, port, case_id
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_200_mb_upload_streams_without_holding_it_in_memory(
    server: tuple[subprocess.Popen[str], int, int], tmp_path: Path
) -> None:
    proc, port, case_id = server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    form = urllib.parse.urlencode({"username": "officer1", "password": "demo"})
    conn.request(
        "POST", "/api/v1/auth/token", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    token = json.loads(conn.getresponse().read())["access_token"]
    chunks, length, sha = _body(SIZE)
    # Reset the server's peak resident set (Linux: "5" > clear_refs), so VmHWM afterwards is
    # the peak during the upload, not the one of the start-up.
    Path(f"/proc/{proc.pid}/clear_refs").write_text("5")
    before = _status(proc.pid)
    started = time.perf_counter()
    conn.putrequest("POST", f"/api/v1/cases/{case_id}/attachments")
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    conn.putheader("Content-Length", str(length))
    conn.endheaders()
    for piece in chunks:
        conn.send(piece)
    response = conn.getresponse()
    body = json.loads(response.read())
    seconds = time.perf_counter() - started
    after = _status(proc.pid)
    assert response.status == 201, body
    assert (body["size"], body["sha256"], body["media_type"]) == (SIZE, sha, "video/mp4")
    stored = tmp_path / "files" / sha[:2] / sha[2:4] / sha
    assert stored.stat().st_size == SIZE
    growth = after["VmHWM"] - before["VmRSS"]
    print(
        f"\n200 MB upload: {seconds:.1f} s; server RSS before {before['VmRSS'] / 2**20:.0f} MiB, "
        f"peak during the upload {after['VmHWM'] / 2**20:.0f} MiB "
        f"(growth over the resident set before: {growth / 2**20:.1f} MiB)"
    )
    assert growth < 64 * 2**20, f"the server's peak grew by {growth / 2**20:.0f} MiB"
