"""Files of record, stored content-addressed: the sha256 of the bytes is their only name.

Issued 文书 and evidence (证据材料) both go through the one `FileStore` interface: the local
folder by default, an S3-compatible object store (`QINGWEI_FILES__BACKEND=s3`) when a city runs
on several machines. Nothing is ever replaced or deleted: writing the same bytes twice is a
no-op, and bytes whose hash no longer matches their name are reported, never served.

Large files (a 200 MB site video) never sit in memory: `stage` copies the incoming stream in
chunks to a temporary file while hashing and counting it, the caller inspects that file (sniffs
its type, reads its EXIF), and `commit` moves it into place (a rename on the local disk, a
multipart upload to S3). Reading back goes chunk by chunk too (`chunks`, `check`).

A write happens inside a use case but before its commit; a transaction that then rolls back
leaves an unreferenced file behind. That is harmless (nothing points at it, and the same bytes
written again land on the same name) and is the price of not holding a database transaction
open across a second store's two-phase commit.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from engine.config import Settings

if TYPE_CHECKING:
    from engine.config import S3Settings

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024  # 1 MiB: the most any copy or hash holds at once
HEAD_BYTES = 8192  # what content sniffing looks at


class FileCorrupted(Exception):
    """Stored bytes no longer hash to their name: the record was altered outside the engine."""


class FileTooLarge(Exception):
    """The incoming stream passed the size limit; nothing was stored."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"文件超过 {limit} 字节 (the file is larger than {limit} bytes)")
        self.limit = limit


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_sha256(text: str) -> bool:
    return bool(_HEX64.match(text))


@dataclass
class Staged:
    """An incoming file on local disk, hashed and measured, not yet in the store."""

    path: Path
    sha256: str
    size: int
    head: bytes  # the first HEAD_BYTES, for sniffing


class FileStore(Protocol):
    """Where files of record live, addressed by the sha256 of their bytes."""

    def put(self, data: bytes) -> str:
        """Store `data` (idempotent) and return its sha256."""
        ...

    def get(self, sha256: str) -> bytes:
        """The bytes named `sha256`; KeyError if absent, FileCorrupted if they do not match."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def stage(self, stream: BinaryIO, *, max_bytes: int | None = None) -> Any:
        """A context manager yielding `Staged`: `stream` copied to a temporary file in chunks
        (FileTooLarge past `max_bytes`); the file is removed on exit unless committed."""
        ...

    def commit(self, staged: Staged) -> str:
        """Move a staged file into the store under its sha256 (idempotent)."""
        ...

    def chunks(self, sha256: str) -> Iterator[bytes]:
        """The stored bytes in chunks, unchecked (call `check` first); KeyError if absent."""
        ...

    def check(self, sha256: str) -> int:
        """Re-hash the stored bytes chunk by chunk; their size, KeyError if absent,
        FileCorrupted if they no longer match."""
        ...


def _hash_chunks(chunks: Iterator[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


@contextmanager
def _stage_into(folder: Path, stream: BinaryIO, max_bytes: int | None) -> Iterator[Staged]:
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=".stage-")
    path = Path(name)
    try:
        digest = hashlib.sha256()
        size = 0
        head = b""
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise FileTooLarge(max_bytes)
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        yield Staged(path, digest.hexdigest(), size, head)
    finally:
        path.unlink(missing_ok=True)


class LocalFileStore:
    """A folder: `root/ab/cd/abcd…` (two levels keep directories small). Writes go to a
    temporary file in the same filesystem first and are renamed into place, so a reader never
    sees half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise KeyError(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        digest = sha256_of(data)
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        path = self._path(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise KeyError(sha256) from None
        if sha256_of(data) != sha256:
            raise FileCorrupted(f"{sha256}: stored bytes do not match their hash")
        return data

    def exists(self, sha256: str) -> bool:
        try:
            return self._path(sha256).is_file()
        except KeyError:
            return False

    def stage(self, stream: BinaryIO, *, max_bytes: int | None = None) -> Any:
        # Inside the root: the commit is then a rename on one filesystem, never a copy.
        return _stage_into(self.root / ".staging", stream, max_bytes)

    def commit(self, staged: Staged) -> str:
        path = self._path(staged.sha256)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(staged.path, path)
            except OSError:  # another filesystem after all: copy, then rename
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
                with os.fdopen(fd, "wb") as out, staged.path.open("rb") as src:
                    shutil.copyfileobj(src, out, CHUNK)
                os.replace(tmp, path)
        return staged.sha256

    def chunks(self, sha256: str) -> Iterator[bytes]:
        path = self._path(sha256)
        try:
            fh = path.open("rb")
        except FileNotFoundError:
            raise KeyError(sha256) from None
        return _read_chunks(fh)

    def check(self, sha256: str) -> int:
        digest, size = _hash_chunks(self.chunks(sha256))
        if digest != sha256:
            raise FileCorrupted(f"{sha256}: stored bytes do not match their hash")
        return size


def _read_chunks(fh: BinaryIO) -> Iterator[bytes]:
    with fh:
        while chunk := fh.read(CHUNK):
            yield chunk


class S3FileStore:
    """An S3-compatible bucket (AWS, MinIO, Ceph RGW, OSS/COS in S3 mode): one object per file,
    keyed `prefix + sha256`. Uploads go through boto3's managed transfer (multipart above
    8 MB, read from the staged file, never whole in memory). Staging is on local disk."""

    def __init__(self, cfg: S3Settings, staging: Path) -> None:
        try:
            import boto3  # optional dependency: pip install 'qingwei[s3]'
            from botocore.config import Config
        except ImportError as exc:
            raise ValueError(
                "QINGWEI_FILES__BACKEND=s3 需要 boto3：pip install 'qingwei[s3]' "
                "(the S3 store needs the optional boto3 dependency)"
            ) from exc

        self.bucket = cfg.bucket
        self.prefix = cfg.prefix
        self.staging = staging
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=cfg.endpoint_url,
            region_name=cfg.region,
            aws_access_key_id=cfg.access_key_id,
            aws_secret_access_key=cfg.secret_access_key,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}),
        )

    def _key(self, sha256: str) -> str:
        if not is_sha256(sha256):
            raise KeyError(sha256)
        return f"{self.prefix}{sha256}"

    def _missing(self, exc: Exception) -> bool:
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
        return code in ("404", "NoSuchKey", "NotFound")

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except KeyError:
            return False
        except Exception as exc:
            if self._missing(exc):
                return False
            raise
        return True

    def put(self, data: bytes) -> str:
        digest = sha256_of(data)
        if not self.exists(digest):
            self.client.put_object(Bucket=self.bucket, Key=self._key(digest), Body=data)
        return digest

    def _body(self, sha256: str) -> Any:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))["Body"]
        except KeyError:
            raise
        except Exception as exc:
            if self._missing(exc):
                raise KeyError(sha256) from None
            raise

    def get(self, sha256: str) -> bytes:
        data: bytes = self._body(sha256).read()
        if sha256_of(data) != sha256:
            raise FileCorrupted(f"{sha256}: stored bytes do not match their hash")
        return data

    def stage(self, stream: BinaryIO, *, max_bytes: int | None = None) -> Any:
        return _stage_into(self.staging, stream, max_bytes)

    def commit(self, staged: Staged) -> str:
        if not self.exists(staged.sha256):
            self.client.upload_file(str(staged.path), self.bucket, self._key(staged.sha256))
        return staged.sha256

    def chunks(self, sha256: str) -> Iterator[bytes]:
        body = self._body(sha256)
        return iter(body.iter_chunks(CHUNK))

    def check(self, sha256: str) -> int:
        digest, size = _hash_chunks(self.chunks(sha256))
        if digest != sha256:
            raise FileCorrupted(f"{sha256}: stored bytes do not match their hash")
        return size


def build_file_store(settings: Settings) -> FileStore:
    """The store the settings name: `local` (a folder) or `s3` (a bucket)."""
    root = settings.files.root or settings.database.files_root()
    if settings.files.backend == "s3":
        staging = settings.files.staging_dir or Path(tempfile.gettempdir()) / "qingwei-staging"
        return S3FileStore(settings.files.s3, staging)
    return LocalFileStore(root)
