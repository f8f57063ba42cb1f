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
from collections.abc import Callable, Iterable
from typing import BinaryIO

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


class _Pages:
    """Follows WeasyPrint's page layout (it logs each page it lays out) and calls
    ``on_page(page)`` with the page number within the document being laid out."""

    def __init__(self, on_page: Callable[[int], None]) -> None:
        import logging

        from weasyprint.logger import PROGRESS_LOGGER

        outer = self

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if str(record.msg).startswith("Step 5") and record.args:
                    outer.on_page(int(record.args[0]))

        self.on_page, self.handler, self.logger = on_page, Handler(), PROGRESS_LOGGER

    def __enter__(self) -> _Pages:
        import logging

        self.level = self.logger.level
        self.logger.addHandler(self.handler)
        self.logger.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.level)


def _bar(step: Callable[[int, int], None], hint: int, total: int) -> Callable[[int], None]:
    """``on_page`` for _Pages: about twenty updates of the bar during the layout, and it never
    goes back (pages may be laid out again for page counters)."""
    every, done = max(1, hint // 20), [0]

    def on_page(page: int) -> None:
        page = min(page, hint - 1)
        if page > done[0] and page % every == 0:
            done[0] = page
            step(page, total)

    return on_page


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
    from weasyprint import HTML

    hint = max(1, pages_hint)
    total = hint + 2
    step = on_step or (lambda done, total: None)
    with _Pages(_bar(step, hint, total)):
        document = HTML(string=html, base_url=base_url).render()
    step(hint, total)
    pdf = document.write_pdf()
    step(hint + 1, total)
    fixed = fix_text_layer(pdf)
    step(total, total)
    return fixed


def render_pdf_chunks(
    chunks: Iterable[str],
    numbering: Callable[[int], str],
    out: BinaryIO,
    on_step: Callable[[int, int], None] | None = None,
    pages_hint: int = 1,
) -> int:
    """Write to ``out`` the PDF of the HTML documents ``chunks`` one after the other, laying out
    one at a time: WeasyPrint holds a whole laid-out document (about 2.5 MB a page), so a
    report of hundreds of pages is cut into documents of tens. Page numbers run across the
    whole file: the chunks print no page number; ``numbering(pages)`` is an HTML document of
    ``pages`` blank pages carrying only the page numbers ("Page X / Y"), whose pages are laid
    over the chunks' pages. Returns the number of pages. ``chunks`` may be a generator: each
    chunk's HTML is made when it is laid out."""
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    hint = max(1, pages_hint)
    total = hint + 2
    step = on_step or (lambda done, total: None)
    bar = _bar(step, hint, total)
    writer, before = PdfWriter(), 0
    for html in chunks:
        offset = before
        with _Pages(lambda page, offset=offset: bar(offset + page)):
            document = HTML(string=html).render()
        pdf = document.write_pdf()
        del document  # the layout is the memory: free it before the next chunk
        writer.append(PdfReader(io.BytesIO(fix_text_layer(pdf))))
        before = len(writer.pages)
    step(hint, total)
    numbers = PdfReader(io.BytesIO(fix_text_layer(HTML(string=numbering(before)).write_pdf())))
    for page, number in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(number)
    step(hint + 1, total)
    writer.write(out)
    step(total, total)
    return before


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
