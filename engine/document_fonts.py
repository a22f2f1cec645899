"""The Chinese face of the 文书, cut once to the characters documents use.

WeasyPrint subsets every font it embeds, per PDF, keeping the glyph numbers of the source font:
with WenQuanYi Micro Hei (30,000 glyphs, 5 MB) that is a quarter of a render. A copy cut once to
GB 2312 (the 6,763 common hanzi), ASCII, CJK punctuation and full-width forms has its glyphs
numbered 0..7,800, so each PDF's subset is cut from a font a quarter the size. It is built once
per machine (a few seconds) into the user's cache folder, keyed by the source file and the
character set, and declared as the family "Qingwei Hei" that documents/document.css lists first;
a character outside it (a rare name) falls back to the next family, the full system font. Without
fontconfig, the font or a writable folder nothing is cut and the system fonts serve as before.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

LOG = logging.getLogger(__name__)
FAMILY = "Qingwei Hei"
SOURCE_FAMILY = "WenQuanYi Micro Hei"
CHARSET_VERSION = "gb2312-1"
EXTRA = (
    list(range(0x20, 0x7F))  # ASCII
    + list(range(0x3000, 0x3040))  # CJK punctuation: 〇〔〕「」、。
    + list(range(0xFF00, 0xFFF0))  # full-width forms: （）：；，
    + [0x00B2, 0x00B7, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x2116, 0x2160, 0x2161]
)


def charset() -> list[int]:
    """GB 2312's characters (every valid two-byte code) and the punctuation documents use."""
    chars = set(EXTRA)
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((hi, lo)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return sorted(chars)


def _source() -> tuple[Path, int] | None:
    """The file (and index in a collection) fontconfig resolves the source family to."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    out = subprocess.run(  # noqa: S603 (fixed arguments, the binary found on PATH)
        [fc_match, "--format=%{file}\n%{index}\n%{family}", SOURCE_FAMILY],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = out.stdout.splitlines()
    if out.returncode != 0 or len(lines) < 3 or SOURCE_FAMILY not in lines[2]:
        return None  # fontconfig substituted another family: not the face to cut
    return Path(lines[0]), int(lines[1] or 0)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qingwei" / "fonts"


def subset_font() -> Path | None:
    """The cut font file, built on first use; None when it cannot be built here."""
    found = _source()
    if found is None:
        return None
    path, index = found
    try:
        stat = path.stat()
    except OSError:
        return None
    key = hashlib.sha256(
        f"{path}|{index}|{stat.st_size}|{stat.st_mtime_ns}|{CHARSET_VERSION}".encode()
    ).hexdigest()[:16]
    for folder in (_cache_dir(), Path(tempfile.gettempdir()) / "qingwei-fonts"):
        target = folder / f"qingwei-hei-{key}.ttf"
        if target.is_file():
            return target
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _build(path, index, target)
            return target
        except OSError as exc:
            LOG.info("cannot write the document font to %s: %s", folder, exc)
    return None


def _build(source: Path, index: int, target: Path) -> None:
    from fontTools import subset  # WeasyPrint's own dependency
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # "FFTM NOT subset" is expected
    font = TTFont(str(source), fontNumber=index)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.layout_features = ["*"]
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=charset())
    cutter.subset(font)
    # Written aside and renamed: a concurrent process never reads half a font.
    partial = target.with_suffix(f".{os.getpid()}.part")
    font.save(str(partial))
    partial.replace(target)


def font_face_css() -> str:
    """The @font-face rule declaring the cut font, or "" (the system fonts serve alone)."""
    path = subset_font()
    if path is None:
        return ""
    return f'@font-face {{ font-family: "{FAMILY}"; src: url("{path.as_uri()}"); }}\n'
