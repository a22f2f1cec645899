"""What a file is, decided by its bytes (magic numbers), never by its name or the header the
browser sent: a program renamed `现场.jpg` must not enter a case file as a photo.

Accepted: photos (JPEG, PNG, HEIC), video (MP4, and the MOV and 3GP that phones record), PDF
scans, and audio recordings (MP3, M4A, WAV, AMR, AAC, Ogg). A name or a declared type that
contradicts the bytes is a lie and refused too, so the trail never records a misleading name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

import filetype

# media type -> (kind shown to officers, the file name extensions that may carry it)
ACCEPTED: dict[str, tuple[str, frozenset[str]]] = {
    "image/jpeg": ("photo", frozenset({"jpg", "jpeg", "jpe", "jfif"})),
    "image/png": ("photo", frozenset({"png"})),
    "image/heic": ("photo", frozenset({"heic", "heif"})),
    # MP4, MOV and 3GP share one container (ISO BMFF); filetype names most of them video/mp4.
    "video/mp4": ("video", frozenset({"mp4", "m4v", "mov", "qt", "3gp", "3gpp"})),
    "video/x-m4v": ("video", frozenset({"mp4", "m4v"})),
    "video/quicktime": ("video", frozenset({"mov", "qt", "mp4"})),
    "video/3gpp": ("video", frozenset({"3gp", "3gpp"})),
    "application/pdf": ("scan", frozenset({"pdf"})),
    "audio/mpeg": ("audio", frozenset({"mp3"})),
    "audio/mp4": ("audio", frozenset({"m4a", "mp4", "aac"})),
    "audio/x-wav": ("audio", frozenset({"wav"})),
    "audio/amr": ("audio", frozenset({"amr"})),
    "audio/aac": ("audio", frozenset({"aac"})),
    "audio/ogg": ("audio", frozenset({"ogg", "oga", "opus"})),
}
# Headers browsers and phones send that say nothing about the content.
_GENERIC = {"", "application/octet-stream", "binary/octet-stream"}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_LABEL = {"image": "图片", "video": "视频", "audio": "音频", "application": "文档"}


class ContentRefused(ValueError):
    """The bytes are not an accepted kind, or the name or header lies about them (422)."""

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Sniffed:
    media_type: str
    kind: str  # photo | video | scan | audio
    extension: str

    @property
    def is_image(self) -> bool:
        return self.kind == "photo"


def sniff(head: bytes, *, filename: str, declared: str | None) -> Sniffed:
    """The media type of a file from its first bytes; ContentRefused when it is not one the
    case file takes, or when `filename`'s extension or the `declared` type contradicts it."""
    if not head:
        raise ContentRefused("文件为空 (the file is empty)")
    guess = filetype.guess(head)
    mime = guess.mime if guess is not None else None
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        mime = "image/heic"  # HEIF photos branded mif1/msf1 (many Android phones), not video
    if mime is None or mime not in ACCEPTED:
        what = mime or "未知类型 unknown"
        raise ContentRefused(
            f"不接受的文件类型：内容为 {what}；只接受照片、视频、PDF 扫描件和录音 "
            f"(content is {what}: only photos, video, PDF scans and audio are accepted)"
        )
    media_type = str(mime)
    kind, extensions = ACCEPTED[media_type]
    ext = PurePath(filename).suffix.lower().lstrip(".")
    if ext and ext not in extensions:
        raise ContentRefused(
            f"文件名与内容不符：{filename} 的内容是 {media_type} "
            f"(the name says .{ext} but the content is {media_type})"
        )
    stated = (declared or "").split(";")[0].strip().lower()
    if stated not in _GENERIC and stated.split("/")[0] != media_type.split("/")[0]:
        label = _LABEL.get(media_type.split("/")[0], media_type)
        raise ContentRefused(
            f"声明的类型 {stated} 与内容（{label} {media_type}）不符 "
            f"(declared {stated}, content is {media_type})"
        )
    return Sniffed(media_type, kind, media_type.rsplit("/", 1)[-1])
