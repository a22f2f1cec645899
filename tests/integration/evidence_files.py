"""Sample evidence files built in memory: photos with and without EXIF GPS, a PDF, an MP4
header, and programs disguised as photos (PE and ELF)."""

from __future__ import annotations

import io
from datetime import datetime

from PIL import Image
from PIL.TiffImagePlugin import IFDRational

# 北京市朝阳区 (a point in the city), and the same in degrees, minutes and seconds.
LAT, LON = 39.9206, 116.4431


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    degrees = int(value)
    minutes_f = (value - degrees) * 60
    minutes = int(minutes_f)
    seconds = (minutes_f - minutes) * 60
    return (
        IFDRational(degrees, 1),
        IFDRational(minutes, 1),
        IFDRational(round(seconds * 1000), 1000),
    )


def jpeg(
    *,
    lat: float | None = LAT,
    lon: float | None = LON,
    taken: datetime | None = datetime(2026, 2, 9, 15, 30, 12),
    offset: str | None = None,
    size: tuple[int, int] = (320, 240),
    color: tuple[int, int, int] = (180, 90, 40),
) -> bytes:
    """A JPEG photo; EXIF GPS when `lat`/`lon` are given (negative = S/W), DateTimeOriginal
    from `taken` (a camera's local wall time) with OffsetTimeOriginal when `offset` is set."""
    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "QingweiTestCam"
    if taken is not None:
        sub = exif.get_ifd(0x8769)
        sub[36867] = taken.strftime("%Y:%m:%d %H:%M:%S")
        if offset:
            sub[36881] = offset
    if lat is not None and lon is not None:
        gps = exif.get_ifd(0x8825)
        gps[1] = "N" if lat >= 0 else "S"
        gps[2] = _dms(abs(lat))
        gps[3] = "E" if lon >= 0 else "W"
        gps[4] = _dms(abs(lon))
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


def heic() -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 160, 60)).save(out, "HEIF")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08mdat" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
PE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"PE\x00\x00"
    + b"\x00" * 64
)
