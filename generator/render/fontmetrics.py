"""How wide a line of text is in DejaVu Sans, the font the pictures name first and the PDF embeds.

The build-time pictures place their labels before any browser or WeasyPrint draws them: the
timeline's axis needs to know whether a label fits before the next tick, the matrix how wide a
column must be. The advance widths come from the font file itself (through fontTools, which
WeasyPrint installs too), found the way the PDF finds it: through fontconfig. Where the font is
not installed, or has no glyph for a character (a browser then draws it from another font), a
width is estimated, so a build never stops for want of a font.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

log = logging.getLogger(__name__)

FAMILY = "DejaVu Sans"
#: Where Debian and most Linux systems keep DejaVu Sans, if fontconfig cannot say.
_KNOWN_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
)
#: Average advance (in em) of a character DejaVu Sans has no glyph for, and of every character
#: when the font is missing: DejaVu Sans' own average over Latin text is about 0.6 em.
_ESTIMATE = 0.62
#: Characters drawn a full em wide in any font (CJK ideographs, full-width forms).
_WIDE = frozenset({"W", "F"})


def _font_file() -> Path | None:
    fc_match = shutil.which("fc-match")
    if fc_match is not None:
        try:
            found = subprocess.run(
                [fc_match, "--format=%{file}", f"{FAMILY}:style=Book"],
                capture_output=True, check=False, timeout=30,
            ).stdout.decode("utf-8", "replace")
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found and Path(found).is_file():
            return Path(found)
    for known in _KNOWN_PATHS:
        if Path(known).is_file():
            return Path(known)
    return None


@functools.cache
def _advances() -> dict[int, float]:
    """Advance width in em of every character DejaVu Sans draws (empty without the font)."""
    path = _font_file()
    if path is None:
        log.debug("%s not found: text widths in pictures are estimated", FAMILY)
        return {}
    try:
        font = TTFont(path, lazy=True)
        if font["name"].getDebugName(1) != FAMILY:  # fontconfig offered a substitute
            log.debug("%s is not %s: text widths in pictures are estimated", path, FAMILY)
            return {}
        per_em = float(font["head"].unitsPerEm)
        metrics = font["hmtx"].metrics
        return {code: metrics[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}
    except (OSError, KeyError, TTLibError) as exc:
        log.debug("%s unreadable (%s): text widths in pictures are estimated", path, exc)
        return {}


def measured() -> bool:
    """Whether widths come from the font file (else they are estimates)."""
    return bool(_advances())


def text_width(text: str, size: float) -> float:
    """The width of ``text`` set in DejaVu Sans at ``size`` (in the same unit), unkerned: what
    a browser or WeasyPrint draws is the same or, kerned, a little narrower."""
    advances = _advances()
    total = 0.0
    for char in text:
        advance = advances.get(ord(char))
        if advance is None:
            if unicodedata.combining(char):
                advance = 0.0
            elif unicodedata.east_asian_width(char) in _WIDE:
                advance = 1.0
            else:
                advance = _ESTIMATE
        total += advance
    return total * size


def fit(text: str, size: float, width: float) -> str:
    """``text`` as it fits in ``width``: whole, or cut at a character and ended with "…"."""
    if text_width(text, size) <= width:
        return text
    room = width - text_width("…", size)
    cut, used = 0, 0.0
    for char in text:
        step = text_width(char, size)
        if used + step > room:
            break
        used += step
        cut += 1
    return text[:cut].rstrip() + "…"


def wrap(text: str, size: float, width: float, lines: int | None = None) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width``. With ``lines``, at most
    that many: a word longer than a line is cut, and what does not fit ends in "…"; without,
    nothing is lost (a word longer than a line has a line of its own)."""
    out: list[str] = []
    words = text.split()
    while words and (lines is None or len(out) < lines):
        line = words.pop(0)
        while words and text_width(f"{line} {words[0]}", size) <= width:
            line = f"{line} {words.pop(0)}"
        out.append(line)
    if lines is None:
        return out
    if words:  # more than fits (the next word did not): the last line ends in "…"
        out[-1] = fit(f"{out[-1]} {' '.join(words)}", size, width)
    return [fit(line, size, width) for line in out]
