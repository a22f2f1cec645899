"""Files of record, stored content-addressed: the sha256 of the bytes is their only name.

Issued 文书 today, evidence later: both go through the one `FileStore` interface, so a city that
runs on several machines plugs in an S3-compatible store (same three methods) without touching
the use cases. Nothing is ever replaced or deleted: writing the same bytes twice is a no-op, and
bytes whose hash no longer matches their name are reported, never served.

A write happens inside a use case but before its commit; a transaction that then rolls back
leaves an unreferenced file behind. That is harmless (nothing points at it, and the same bytes
written again land on the same name) and is the price of not holding a database transaction
open across a second store's two-phase commit.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from engine.config import Settings

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class FileCorrupted(Exception):
    """Stored bytes no longer hash to their name: the record was altered outside the engine."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_sha256(text: str) -> bool:
    return bool(_HEX64.match(text))


class FileStore(Protocol):
    """Where files of record live, addressed by the sha256 of their bytes."""

    def put(self, data: bytes) -> str:
        """Store `data` (idempotent) and return its sha256."""
        ...

    def get(self, sha256: str) -> bytes:
        """The bytes named `sha256`; KeyError if absent, FileCorrupted if they do not match."""
        ...

    def exists(self, sha256: str) -> bool: ...


class LocalFileStore:
    """A folder: `root/ab/cd/abcd…` (two levels keep directories small). Writes go to a
    temporary file first and are renamed into place, so a reader never sees half a file."""

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


def build_file_store(settings: Settings) -> FileStore:
    """The store the settings name (only the local one is built in)."""
    root = settings.files.root or settings.database.files_root()
    return LocalFileStore(root)
