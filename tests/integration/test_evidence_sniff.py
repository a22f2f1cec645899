"""What a file is, from its bytes (no database): the kinds phones and scanners produce are
accepted under their usual names; programs, unknown content and lying names or types are not."""

from __future__ import annotations

import pytest

from engine.evidence.sniff import ContentRefused, sniff
from tests.integration.evidence_files import ELF, MP4, PDF, PE, heic, jpeg, png


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = b"ftyp" + major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return len(body + b"    ").to_bytes(4, "big") + body + b"\x00" * 64


ACCEPTED = [
    (jpeg(), "IMG_0001.JPG", "image/jpeg", "image/jpeg"),
    (jpeg(), "blob", None, "image/jpeg"),  # a camera capture without a name
    (png(), "截图.png", "image/png", "image/png"),
    (heic(), "IMG_0002.HEIC", "image/heic", "image/heic"),
    (ftyp(b"mif1", b"mif1", b"heic"), "20260209_153012.heif", "", "image/heic"),
    (MP4, "执法记录仪.mp4", "video/mp4", "video/mp4"),
    (ftyp(b"qt  ", b"qt  "), "IMG_0003.MOV", "video/quicktime", "video/quicktime"),
    (ftyp(b"3gp4", b"3gp4", b"isom"), "VID.3gp", "video/3gpp", "video/mp4"),
    (ftyp(b"M4A ", b"M4A ", b"isom"), "询问录音.m4a", "audio/x-m4a", "audio/mp4"),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64, "录音.mp3", "audio/mpeg", "audio/mpeg"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64, "录音.wav", "audio/wav", "audio/x-wav"),
    (b"#!AMR\n" + b"\x00" * 64, "录音.amr", "audio/amr", "audio/amr"),
    (PDF, "送达回证扫描.pdf", "application/pdf", "application/pdf"),
    (PDF, "scan.pdf", "application/octet-stream", "application/pdf"),
]
REFUSED = [
    (PE, "现场照片.jpg", "image/jpeg", "application/x-msdownload"),
    (PE, "photo", "application/octet-stream", "application/x-msdownload"),
    (ELF, "photo.png", None, "application/x-executable"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.svg", "image/svg+xml", "未知类型"),
    (b"PK\x03\x04" + b"\x00" * 64, "evidence.zip", None, "application/zip"),
    (b"", "empty.jpg", None, "文件为空"),
    (png(), "photo.jpg", None, "文件名与内容不符"),
    (MP4, "clip.mp4", "image/jpeg", "声明的类型 image/jpeg"),
    (PDF, "scan.pdf", "video/mp4", "声明的类型 video/mp4"),
]


@pytest.mark.parametrize(
    ("content", "name", "declared", "media_type"), ACCEPTED, ids=[c[1] for c in ACCEPTED]
)
def test_accepted(content: bytes, name: str, declared: str | None, media_type: str) -> None:
    assert sniff(content[:8192], filename=name, declared=declared).media_type == media_type


@pytest.mark.parametrize(
    ("content", "name", "declared", "why"), REFUSED, ids=[f"{c[1]}-{c[3]}" for c in REFUSED]
)
def test_refused(content: bytes, name: str, declared: str | None, why: str) -> None:
    with pytest.raises(ContentRefused) as info:
        sniff(content[:8192], filename=name, declared=declared)
    assert why in str(info.value)
