"""What a photo says about itself: when it was taken and where (EXIF, read with Pillow; HEIC
through pillow-heif), and a small JPEG preview for the gallery (browsers show no HEIC).

GPS is WGS-84 in EXIF (degrees, minutes, seconds and a hemisphere letter), turned into signed
decimal degrees. DateTimeOriginal carries no zone unless OffsetTimeOriginal is set; a camera in
the field keeps local time, so a bare time is read as Asia/Shanghai.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageOps, UnidentifiedImageError

SHANGHAI = ZoneInfo("Asia/Shanghai")
THUMB_PX = 480
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME_ORIGINAL = 36867
_OFFSET_TIME_ORIGINAL = 36881
_DATETIME = 306

try:  # HEIC: optional at import time, a dependency of the project
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif not installed
    pass

Image.MAX_IMAGE_PIXELS = 200_000_000  # a 200-megapixel bound: decompression bombs are refused


class ImageUnreadable(ValueError):
    """The bytes start like an image but do not decode as one."""


@dataclass(frozen=True)
class PhotoFacts:
    taken_at: datetime | None
    lat: float | None
    lon: float | None
    width: int
    height: int
    thumbnail: bytes  # JPEG


def _ratio(value: Any) -> float:
    if isinstance(value, tuple) and len(value) == 2:
        num, den = value
        return float(num) / float(den) if den else 0.0
    return float(value)


def _degrees(dms: Any, ref: Any) -> float | None:
    try:
        d, m, s = (_ratio(v) for v in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60.0 + s / 3600.0
    if str(ref).strip().upper() in ("S", "W"):
        value = -value
    return value


def gps_of(gps: dict[int, Any]) -> tuple[float, float] | None:
    """Signed decimal WGS-84 degrees from an EXIF GPS IFD, or None when absent or absurd."""
    if not all(k in gps for k in (1, 2, 3, 4)):
        return None
    lat = _degrees(gps[2], gps[1])
    lon = _degrees(gps[4], gps[3])
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:  # a phone without a fix writes zeros
        return None
    return round(lat, 7), round(lon, 7)


def _offset(text: str) -> timezone | None:
    text = text.strip()
    if len(text) == 6 and text[0] in "+-" and text[3] == ":":
        try:
            minutes = int(text[1:3]) * 60 + int(text[4:6])
        except ValueError:
            return None
        return timezone(timedelta(minutes=minutes if text[0] == "+" else -minutes))
    return None


def taken_at_of(exif_ifd: dict[int, Any], base: dict[int, Any]) -> datetime | None:
    raw = exif_ifd.get(_DATETIME_ORIGINAL) or base.get(_DATETIME)
    if not raw:
        return None
    try:
        naive = datetime.strptime(str(raw).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    zone = _offset(str(exif_ifd.get(_OFFSET_TIME_ORIGINAL) or "")) or SHANGHAI
    return naive.replace(tzinfo=zone)


def photo_facts(path: Path) -> PhotoFacts:
    """EXIF time and place and a JPEG preview of the image at `path`; ImageUnreadable if it
    does not decode (a file that only starts like a JPEG)."""
    try:
        with Image.open(path) as img:
            exif = img.getexif()
            base = dict(exif)
            exif_ifd = dict(exif.get_ifd(_EXIF_IFD))
            gps = dict(exif.get_ifd(_GPS_IFD))
            width, height = img.size
            img.draft("RGB", (THUMB_PX * 2, THUMB_PX * 2))  # JPEG: decode at a reduced scale
            preview = ImageOps.exif_transpose(img).convert("RGB")
            preview.thumbnail((THUMB_PX, THUMB_PX))
            out = io.BytesIO()
            preview.save(out, "JPEG", quality=80)
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
    ) as exc:
        raise ImageUnreadable(f"图片无法解码 (the image does not decode: {exc})") from exc
    where = gps_of(gps)
    return PhotoFacts(
        taken_at=taken_at_of(exif_ifd, base),
        lat=where[0] if where else None,
        lon=where[1] if where else None,
        width=width,
        height=height,
        thumbnail=out.getvalue(),
    )
