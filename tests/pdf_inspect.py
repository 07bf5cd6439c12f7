"""Reading a printed PDF back as a reader would: its text, its glyphs, and whether text overflows.

Why pdfminer and not the drawing code's own bookkeeping: these checks must hold for the file
that is printed. pdfminer places every character by the widths the PDF's embedded font declares
and reports the frames and rules drawn; a heading wider than its box crosses one of them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTComponent, LTCurve, LTLine, LTPage, LTRect, LTTextContainer
from reportlab.pdfbase.ttfonts import TTFont

from temir.notes.paper import layout


def _postscript_name(path: Path) -> str:
    name = TTFont("probe", str(path)).face.name
    return name.decode("ascii") if isinstance(name, bytes) else str(name)


#: The PostScript name each vendored font is embedded under (``AAAAAA+`` subset tag aside).
FONT_FILES = {_postscript_name(p): p for p in (layout._FONT_FILE, layout.CJK_FONT_FILE)}


@dataclass(frozen=True)
class Run:
    """Consecutive characters on one baseline in one font: a drawn string (or part of one)."""

    text: str
    font: str
    x0: float
    x1: float
    y0: float
    y1: float


def pages(pdf: bytes) -> list[LTPage]:
    return list(extract_pages(io.BytesIO(pdf)))


def _walk(item: LTComponent) -> Iterator[LTComponent]:
    yield item
    if isinstance(item, LTTextContainer | LTPage) or hasattr(item, "_objs"):
        for child in item:  # type: ignore[attr-defined]
            yield from _walk(child)


def page_text(page: LTPage) -> str:
    return "".join(c.get_text() for c in _walk(page) if isinstance(c, LTChar))


def runs(page: LTPage) -> list[Run]:
    """Characters grouped into runs: same font, same baseline, each touching the next."""
    chars = sorted((c for c in _walk(page) if isinstance(c, LTChar)), key=lambda c: (-c.y0, c.x0))
    out: list[Run] = []
    for c in chars:
        last = out[-1] if out else None
        if (
            last is not None
            and last.font == c.fontname
            and abs(last.y0 - c.y0) < 0.3
            and -0.5 < c.x0 - last.x1 < 0.8
        ):
            out[-1] = Run(
                last.text + c.get_text(), last.font, last.x0, c.x1, last.y0, max(last.y1, c.y1)
            )
        else:
            out.append(Run(c.get_text(), c.fontname, c.x0, c.x1, c.y0, c.y1))
    return out


def vertical_edges(page: LTPage) -> list[tuple[float, float, float]]:
    """``(x, y_low, y_high)`` of every vertical rule: box sides and column lines."""
    edges: list[tuple[float, float, float]] = []
    for item in _walk(page):
        if isinstance(item, LTRect):
            edges += [(item.x0, item.y0, item.y1), (item.x1, item.y0, item.y1)]
        elif isinstance(item, LTLine | LTCurve) and abs(item.x0 - item.x1) < 0.2:
            edges.append((item.x0, item.y0, item.y1))
    return edges


def overflowing(page: LTPage, tolerance: float = 0.3) -> list[str]:
    """Runs that cross a vertical rule at their height, or leave the page."""
    edges = vertical_edges(page)
    found = []
    for run in runs(page):
        if not run.text.strip():
            continue
        mid = (run.y0 + run.y1) / 2
        for x, low, high in edges:
            if low - 0.2 <= mid <= high + 0.2 and run.x0 + tolerance < x < run.x1 - tolerance:
                found.append(f"{run.text!r} crosses x={x:.1f}")
                break
        if run.x0 < 0 or run.x1 > page.width:
            found.append(f"{run.text!r} leaves the page")
    return found


def overlapping(page: LTPage, slack: float = 0.5) -> list[str]:
    """Pairs of runs whose boxes (the font's ascent to descent) overlap: text printed on text."""
    found = []
    boxes = [r for r in runs(page) if r.text.strip()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            across = min(a.x1, b.x1) - max(a.x0, b.x0)
            up = min(a.y1, b.y1) - max(a.y0, b.y0)
            if across > slack and up > slack:
                found.append(f"{a.text[:30]!r} on {b.text[:30]!r}")
    return found


def _font_file(pdf_font_name: str) -> Path:
    base = pdf_font_name.split("+", 1)[-1]
    return FONT_FILES[base]


def missing_glyphs(pdf: bytes) -> list[tuple[str, str]]:
    """``(character, font)`` for every printed character its embedded font has no glyph for.

    ReportLab draws such a character as the font's .notdef box (the "□" of "Khorgos (□□□)")
    and its text layer then says U+0000; either way the character is not in the font's cmap.
    """
    cmaps: dict[Path, set[int]] = {}
    missing = set()
    for page in pages(pdf):
        for c in _walk(page):
            if not isinstance(c, LTChar) or not c.get_text().strip():
                continue
            path = _font_file(c.fontname)
            if path not in cmaps:
                cmaps[path] = set(TTFont("probe", str(path)).face.charToGlyph)
            for ch in c.get_text():
                if ord(ch) not in cmaps[path]:
                    missing.add((ch, c.fontname))
    return sorted(missing)
