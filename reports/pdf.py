"""Rendering HTML to PDF with WeasyPrint, with a correct Thai text layer.

WeasyPrint maps each glyph to the text of the first cluster it appeared in. Thai shaping uses
one glyph for a mark in many clusters (and shifted variants of tone marks), so copying or
searching the PDF turned e.g. ผู้ ... ให้ into ผู้ ... ใหู. The printed page was right; only the
text layer was wrong. ``render_pdf`` rewrites each embedded font's ToUnicode map from the
glyph names the TLWG fonts carry (uni0E49, uniF70B for a lowered mai tho, ...), which say
exactly which character each glyph draws."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

# Harfbuzz's Thai fallback shapes marks and bases into these private-use glyphs (Windows
# code points; hb-ot-shaper-thai.cc): shifted down, down-left, left, and bases without tail.
_THAI_PUA = {
    **dict(zip(range(0xF70A, 0xF70F), range(0x0E48, 0x0E4D), strict=True)),  # tone marks, down
    0xF718: 0x0E38, 0xF719: 0x0E39, 0xF71A: 0x0E3A,  # sara u, sara uu, phinthu, down
    **dict(zip(range(0xF705, 0xF70A), range(0x0E48, 0x0E4D), strict=True)),  # tone marks, down-left
    **dict(zip(range(0xF713, 0xF718), range(0x0E48, 0x0E4D), strict=True)),  # tone marks, left
    0xF710: 0x0E31, 0xF701: 0x0E34, 0xF702: 0x0E35, 0xF703: 0x0E36, 0xF704: 0x0E37,
    0xF712: 0x0E47, 0xF711: 0x0E4D,  # upper vowels, maitaikhu, nikhahit, left
    0xF70F: 0x0E0D, 0xF700: 0x0E10,  # yo ying, tho than without their descender
}  # fmt: skip
_ENTRY = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]*)>")


def render_pdf(
    html: str,
    base_url: str | None = None,
    on_step: Callable[[int, int], None] | None = None,
    pages_hint: int = 1,
) -> bytes:
    """The PDF of ``html``. ``on_step(done, total)`` follows the work: the page layout (by far
    the longest part: WeasyPrint logs each page it lays out, ``pages_hint`` is the caller's
    guess of how many there will be), then writing the file and fixing its text layer. So a
    long report's progress bar keeps moving while WeasyPrint works."""
    import logging

    from weasyprint import HTML
    from weasyprint.logger import PROGRESS_LOGGER

    hint = max(1, pages_hint)
    total = hint + 2
    step = on_step or (lambda done, total: None)
    every = max(1, hint // 20)  # about twenty updates of the bar during the layout

    class _Pages(logging.Handler):
        done = 0  # pages may be laid out again (page counters): the bar never goes back

        def emit(self, record: logging.LogRecord) -> None:
            if str(record.msg).startswith("Step 5") and record.args:
                page = min(int(record.args[0]), hint - 1)
                if page > self.done and page % every == 0:
                    self.done = page
                    step(page, total)

    handler, level = _Pages(), PROGRESS_LOGGER.level
    PROGRESS_LOGGER.addHandler(handler)
    PROGRESS_LOGGER.setLevel(logging.INFO)
    try:
        document = HTML(string=html, base_url=base_url).render()
    finally:
        PROGRESS_LOGGER.removeHandler(handler)
        PROGRESS_LOGGER.setLevel(level)
    step(hint, total)
    pdf = document.write_pdf()
    step(hint + 1, total)
    fixed = fix_text_layer(pdf)
    step(total, total)
    return fixed


def _glyph_text(name: str) -> str:
    from fontTools.agl import toUnicode

    text = toUnicode(name.split(".")[0])
    return "".join(chr(_THAI_PUA.get(ord(ch), ord(ch))) for ch in text)


def _rewrite_map(cmap: bytes, order: list[str]) -> bytes:
    def fixed(match: re.Match) -> bytes:
        gid = int(match.group(1), 16)
        text = _glyph_text(order[gid]) if gid < len(order) else ""
        if not text:
            return match.group(0)
        return b"<%s> <%s>" % (match.group(1), text.encode("utf-16-be").hex().encode())

    return _ENTRY.sub(fixed, cmap)


def fix_text_layer(pdf: bytes) -> bytes:
    """The PDF with every ToUnicode entry rebuilt from the glyph's own name where it has one."""
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    done: set[int] = set()
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            if id(font) in done or "/ToUnicode" not in font or "/DescendantFonts" not in font:
                continue
            done.add(id(font))
            descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            file = descriptor.get_object().get("/FontFile2") if descriptor else None
            if file is None:
                continue
            order = TTFont(io.BytesIO(file.get_object().get_data())).getGlyphOrder()
            stream = font["/ToUnicode"].get_object()
            stream.set_data(_rewrite_map(stream.get_data(), order))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
