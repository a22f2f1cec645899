"""One storage test suite, run against the local folder store and the S3-compatible store
(against a real S3 server: moto in server mode on a free port, started by the fixture).

Then the evidence use cases on the S3 store: upload, verify, alter the object, verify names it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import services
from engine.bootstrap import build
from engine.clock import FixedClock
from engine.config import S3Settings, Settings
from engine.files import FileCorrupted, FileStore, FileTooLarge, LocalFileStore, S3FileStore
from engine.services.evidence import add_attachment
from tests.conftest import FIXTURES, fixture_bpmn
from tests.integration.conftest import DESIGNER, OFFICER
from tests.integration.evidence_files import jpeg

BUCKET = "qingwei-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3-compatible HTTP server (moto's) on a free port, for this module."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def s3_settings(endpoint: str, prefix: str) -> S3Settings:
    return S3Settings(
        endpoint_url=endpoint,
        bucket=BUCKET,
        region="us-east-1",
        access_key_id="test",
        secret_access_key="test",
        prefix=prefix,
    )


@pytest.fixture
def s3_prefix(s3_endpoint: str, request: pytest.FixtureRequest) -> str:
    """A fresh key prefix per test in one bucket (created once)."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=BUCKET)
    return f"{request.node.name[:40]}-{os.getpid()}/"


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    if request.param == "local":
        return LocalFileStore(tmp_path / "files")
    endpoint = request.getfixturevalue("s3_endpoint")
    prefix = request.getfixturevalue("s3_prefix")
    return S3FileStore(s3_settings(endpoint, prefix), tmp_path / "staging")


def tamper(store: FileStore, sha: str, data: bytes) -> None:
    """Replace the stored bytes behind the engine's back."""
    if isinstance(store, LocalFileStore):
        (store.root / sha[:2] / sha[2:4] / sha).write_bytes(data)
    else:
        assert isinstance(store, S3FileStore)
        store.client.put_object(Bucket=store.bucket, Key=store.prefix + sha, Body=data)


def remove(store: FileStore, sha: str) -> None:
    if isinstance(store, LocalFileStore):
        (store.root / sha[:2] / sha[2:4] / sha).unlink()
    else:
        assert isinstance(store, S3FileStore)
        store.client.delete_object(Bucket=store.bucket, Key=store.prefix + sha)


def staging_leftovers(store: FileStore) -> list[Path]:
    folder = store.root / ".staging" if isinstance(store, LocalFileStore) else store.staging  # type: ignore[attr-defined]
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_put_get_exists_is_idempotent(store: FileStore) -> None:
    data = "现场检查笔录".encode() * 100
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.put(data) == sha
    assert store.exists(sha) and store.get(sha) == data
    assert store.check(sha) == len(data)
    assert b"".join(store.chunks(sha)) == data


def test_missing_and_malformed_names(store: FileStore) -> None:
    absent = "0" * 64
    assert not store.exists(absent) and not store.exists("../../etc/passwd")
    for call in (store.get, store.check, store.chunks):
        with pytest.raises(KeyError):
            call(absent)
        with pytest.raises(KeyError):
            call("not-a-hash")


def test_stage_then_commit_streams_a_large_file(store: FileStore) -> None:
    size = 20 * 1024 * 1024 + 123  # above boto3's multipart threshold (8 MB)
    block = bytes(range(256)) * 4096
    data = (block * (size // len(block) + 1))[:size]
    with store.stage(io.BytesIO(data), max_bytes=size) as staged:
        assert (staged.sha256, staged.size) == (hashlib.sha256(data).hexdigest(), size)
        assert staged.head == data[:8192]
        assert not store.exists(staged.sha256)
        assert store.commit(staged) == staged.sha256
        assert store.commit(staged) == staged.sha256  # idempotent
    assert store.check(staged.sha256) == size
    assert hashlib.sha256(b"".join(store.chunks(staged.sha256))).hexdigest() == staged.sha256
    assert staging_leftovers(store) == []


def test_too_large_stores_nothing(store: FileStore) -> None:
    data = b"x" * 5000
    with pytest.raises(FileTooLarge), store.stage(io.BytesIO(data), max_bytes=4096):
        pass
    assert not store.exists(hashlib.sha256(data).hexdigest())
    assert staging_leftovers(store) == []


def test_an_uncommitted_stage_leaves_nothing(store: FileStore) -> None:
    data = b"withdrawn before commit"
    with store.stage(io.BytesIO(data)) as staged:
        path = staged.path
        assert path.exists()
    assert not path.exists() and not store.exists(staged.sha256)


def test_altered_bytes_are_detected(store: FileStore) -> None:
    data = b"%PDF-1.4 original"
    sha = store.put(data)
    tamper(store, sha, b"%PDF-1.4 altered!")
    with pytest.raises(FileCorrupted):
        store.get(sha)
    with pytest.raises(FileCorrupted):
        store.check(sha)
    remove(store, sha)
    with pytest.raises(KeyError):
        store.check(sha)


def test_evidence_on_the_s3_store_is_verified(
    s3_endpoint: str, s3_prefix: str, sqlite_template: Path, tmp_path: Path, clock: FixedClock
) -> None:
    """The use cases do not care where the bytes are: upload, verify, alter the object in
    the bucket, and verify names the attachment."""
    import shutil

    db = tmp_path / "s3.db"
    shutil.copy(sqlite_template, db)
    settings = Settings(database_url=f"sqlite:///{db}", forms_dir=FIXTURES / "forms")
    settings.files.backend = "s3"
    settings.files.s3 = s3_settings(s3_endpoint, s3_prefix)
    settings.files.staging_dir = tmp_path / "staging"
    app = build(settings, clock)
    try:
        ctx = app.ctx
        assert isinstance(ctx.documents.files, S3FileStore)
        services.deploy_process(
            ctx.uow(), ctx=ctx, files={"m.bpmn": fixture_bpmn("mini_case.bpmn")}, actor=DESIGNER
        )
        case = services.open_case(
            ctx.uow(), ctx=ctx, actor=OFFICER, process_key="mini_case", data={"address": "x"}
        )
        photo = jpeg()
        att = add_attachment(
            ctx.uow(),
            ctx=ctx,
            actor=OFFICER,
            case_id=case.id,
            stream=io.BytesIO(photo),
            filename="p.jpg",
        )
        verify: Any = services.verify_case(ctx.uow(read_only=True), ctx=ctx, case_id=case.id)
        assert verify.valid
        tamper(ctx.documents.files, att.sha256, photo[:-1])
        verify = services.verify_case(ctx.uow(read_only=True), ctx=ctx, case_id=case.id)
        assert not verify.valid and f"#{att.id}" in verify.reason
    finally:
        app.close()
