"""The CJK font embedded in the PDF forms: Noto Sans CJK SC (SIL Open Font License), from Debian's ``fonts-noto-cjk``
(installed by ``make install``).

The package ships OpenType *collections* (``.ttc``) whose first face is the Japanese one; WeasyPrint loads the
first face of a collection given in ``@font-face``, which draws some characters in their Japanese shape. So the
Simplified Chinese face is copied once into a standalone ``.otf`` under ``DATA_DIR/fonts`` (≈0.4 s, 16 MB) and that
file is what the PDF templates reference. The output never depends on whatever fonts the machine happens to have:
a missing font is an error, not a silent fallback to boxes.

Override with ``LIANZHENG_PDF_FONT_REGULAR`` / ``LIANZHENG_PDF_FONT_BOLD`` (paths to ``.otf``/``.ttf``/``.ttc``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

from django.conf import settings

FAMILY = "Noto Sans CJK SC"

CANDIDATES = {
    "regular": [
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    ],
    "bold": [
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    ],
}

_lock = threading.Lock()
_cache: dict[str, Path] = {}


class FontMissing(RuntimeError):
    """No CJK font: the PDF would show boxes instead of Chinese."""


def _fc_match(style: str) -> Path | None:
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", f"{FAMILY}:style={style}"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    # fc-match always answers something; accept only a Noto CJK file.
    return Path(out) if out and "CJK" in Path(out).name and Path(out).is_file() else None


def _source(weight: str) -> Path | None:
    override = getattr(settings, f"LIANZHENG_PDF_FONT_{weight.upper()}", "")
    if override:
        path = Path(override)
        if not path.is_file():
            raise FontMissing(f"LIANZHENG_PDF_FONT_{weight.upper()} = {override}: file not found")
        return path
    for candidate in CANDIDATES[weight]:
        if Path(candidate).is_file():
            return Path(candidate)
    return _fc_match("Bold" if weight == "bold" else "Regular")


def _extract_sc_face(collection: Path, weight: str) -> Path:
    """Copy the Simplified Chinese face out of a collection into DATA_DIR/fonts (once per source file version)."""
    from fontTools.ttLib import TTCollection

    stat = collection.stat()
    target_dir = Path(settings.DATA_DIR) / "fonts"
    target = target_dir / f"NotoSansCJKsc-{weight}-{stat.st_size}-{int(stat.st_mtime)}.otf"
    if target.is_file():
        return target
    target_dir.mkdir(parents=True, exist_ok=True)
    fonts = TTCollection(str(collection), lazy=True).fonts
    face = next((f for f in fonts if f["name"].getDebugName(1) == FAMILY), None)
    if face is None:
        raise FontMissing(f"{collection} has no face named {FAMILY}")
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    face.save(str(tmp))
    os.replace(tmp, target)  # atomic: a concurrent worker sees the whole file or none
    return target


def font_file(weight: str = "regular") -> Path:
    """The standalone font file for ``weight`` ("regular" or "bold"); bold falls back to regular."""
    with _lock:
        if weight in _cache and _cache[weight].is_file():
            return _cache[weight]
        source = _source(weight) or (_source("regular") if weight == "bold" else None)
        if source is None:
            raise FontMissing(
                "未找到中文字体 Noto Sans CJK SC（fonts-noto-cjk）：请运行 make install，或设置 LIANZHENG_PDF_FONT_REGULAR。"
            )
        path = _extract_sc_face(source, weight) if source.suffix.lower() in (".ttc", ".otc") else source
        _cache[weight] = path
        return path


def font_faces() -> list[dict]:
    """What the PDF templates need for their ``@font-face`` rules."""
    return [
        {"family": FAMILY, "weight": "normal", "url": font_file("regular").as_uri()},
        {"family": FAMILY, "weight": "bold", "url": font_file("bold").as_uri()},
    ]


def allowed_urls() -> set[str]:
    return {face["url"] for face in font_faces()}
