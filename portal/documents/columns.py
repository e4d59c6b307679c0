"""Column widths of the invoice's traffic tables, computed here so that WeasyPrint need not.

With the automatic table layout WeasyPrint measures the min- and max-content width of every cell
(several Pango layouts each) before it lays a single row out: a fifth of the render of a long
invoice. With `table-layout: fixed` and a `<colgroup>` of widths it only lays the cells out. The
widths must be those the automatic layout would choose, or names wrap, pages are added and
columns are cut off, so this module repeats its arithmetic (CSS 2.1 §17.5.2.2, css-tables-3
"width distribution") on text widths taken from the advance widths of the very font file Pango
resolves for the stylesheet's font family (through WeasyPrint's font map, i.e. fontconfig).

Advance widths ignore kerning, which moves these texts by a fraction of a point (narrower in every
case compared); every column also gets `SAFETY` beyond its text, so a number never overflows its cell.
Metrics are cached per process: per font, the advance of each character; per string, its width.
The sizes below are those of `templates/pdf/invoice.css` (th, td, `@page` margins); a test
compares the result with the automatic layout, so a change to one side without the other fails.
"""

from __future__ import annotations

import io
import logging
import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from fontTools.ttLib import TTFont

from portal.documents.pdf import font_configuration

log = logging.getLogger(__name__)

PT_PER_MM = 72 / 25.4
FONT_FAMILY = "DejaVu Sans,Liberation Sans,sans-serif"  # html { font-family } of invoice.css
CONTENT_WIDTH = (210 - 15 - 15) * PT_PER_MM  # A4 less the left and right page margins
CELL_PADDING = 2 * 1.5 * PT_PER_MM  # th and td: 1.5mm on either side; no vertical borders
SAFETY = 0.5  # pt beyond every column's widest text: kerning, rounding


@dataclass(frozen=True)
class TextStyle:
    size: float  # pt
    weight: int  # CSS font-weight: 400 regular, 700 bold


HEADER = TextStyle(7.5, 700)  # th: 7.5pt, bold (the user agent's th style)
CELL = TextStyle(9, 400)  # td: the 9pt of html


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool  # class "num": right-aligned and never wrapped


class _FontMetrics:
    """Advance widths (in em) of one font file, read lazily per character."""

    def __init__(self, data: bytes, index: int):
        font = TTFont(io.BytesIO(data), fontNumber=index, lazy=True)
        self._cmap = font.getBestCmap()
        self._hmtx = font["hmtx"].metrics
        self._units = font["head"].unitsPerEm
        self._advances: dict[str, float] = {}

    def advance(self, char: str) -> float:
        width = self._advances.get(char)
        if width is None:
            glyph = self._cmap.get(ord(char))
            # Pango draws a character the font lacks with another font: assume a full em, never less.
            width = self._hmtx[glyph][0] / self._units if glyph is not None else 1.0
            self._advances[char] = width
        return width


_fonts: dict[int, _FontMetrics] = {}
_fonts_lock = threading.Lock()


def _load_font(weight: int) -> _FontMetrics:
    """The font Pango (fontconfig) picks for FONT_FAMILY at `weight`, as WeasyPrint will draw with it."""
    # WeasyPrint's own bindings, imported here: if a release moves them, only the widths are lost.
    from weasyprint.text.ffi import TO_UNITS, ffi, gobject, harfbuzz, pango
    from weasyprint.text.fonts import get_hb_object_data, get_pango_font_hb_face

    font_map = font_configuration().font_map
    description = ffi.gc(pango.pango_font_description_new(), pango.pango_font_description_free)
    family = ffi.new("char[]", FONT_FAMILY.encode())
    pango.pango_font_description_set_family(description, family)
    pango.pango_font_description_set_weight(description, weight)
    pango.pango_font_description_set_absolute_size(description, 10 * TO_UNITS)
    context = ffi.gc(pango.pango_font_map_create_context(font_map), gobject.g_object_unref)
    font = pango.pango_font_map_load_font(font_map, context, description)
    if font == ffi.NULL:
        raise LookupError(f"no font for {FONT_FAMILY!r}")
    try:
        face = get_pango_font_hb_face(font)
        return _FontMetrics(get_hb_object_data(face), harfbuzz.hb_face_get_index(face))
    finally:
        gobject.g_object_unref(font)


def _font(weight: int) -> _FontMetrics:
    metrics = _fonts.get(weight)
    if metrics is None:
        with _fonts_lock:
            metrics = _fonts.get(weight) or _fonts.setdefault(weight, _load_font(weight))
    return metrics


@lru_cache(maxsize=8192)
def text_width(text: str, style: TextStyle) -> float:
    """The width of `text` on one line in `style`, in pt."""
    font = _font(style.weight)
    return sum(font.advance(char) for char in text) * style.size


# Where a line may break: after spaces, and after a hyphen that does not precede a digit (UAX #14).
_BREAK = re.compile(r"(?<=\s)|(?<=-)(?=[^\d\s-])")


def word_width(text: str, style: TextStyle) -> float:
    """The width of the widest unbreakable piece of `text` (its min-content width), in pt."""
    return max((text_width(piece.strip(), style) for piece in _BREAK.split(text)), default=0.0)


@dataclass(frozen=True)
class TableWidths:
    widths: list[float]  # pt, one per column
    break_words: bool  # the longest words do not fit: let the text columns break them


def column_widths(columns: list[Column], rows: list[list[str]], width: float = CONTENT_WIDTH) -> TableWidths:
    """The width in pt of each column of a table `width` wide, as the automatic table layout would give them.

    Each column's max-content width is its widest text (header or cell) on one line plus padding;
    its min-content width is its widest word plus padding (numeric columns do not wrap: their
    widest text). If the max-content widths fit, the space left over is shared in proportion to
    them; if not, each column gets its min-content width and the space left is shared in
    proportion to what each lacks to its max-content width, so numeric columns keep their whole
    text and the text columns wrap. If even the min-content widths do not fit (words longer than
    the page allows), the automatic layout would run off the page; here the numeric columns still
    keep their text, the text columns share the rest (the narrowest keep their widest word if an
    equal share allows), and `break_words` says that their words must be broken to stay inside.
    """
    extra = CELL_PADDING + SAFETY
    most, least = [], []
    for index, column in enumerate(columns):
        texts = {row[index] for row in rows}
        longest = max([text_width(column.label, HEADER)] + [text_width(text, CELL) for text in texts])
        most.append(longest + extra)
        if column.numeric:
            least.append(longest + extra)
        else:
            widest_word = max([word_width(column.label, HEADER)] + [word_width(text, CELL) for text in texts])
            least.append(widest_word + extra)
    if sum(most) <= width:
        return TableWidths([w + (width - sum(most)) * w / sum(most) for w in most], False)
    if sum(least) <= width:
        ratio = (width - sum(least)) / (sum(most) - sum(least))
        return TableWidths([low + (high - low) * ratio for low, high in zip(least, most)], False)
    # Words too wide: numbers keep their text; the text columns share the rest, the narrowest first
    # getting their widest word as long as an equal share allows, the others an equal share of what is left.
    widths = [w if column.numeric else 0.0 for w, column in zip(least, columns)]
    left = width - sum(widths)
    wrapping = sorted((w, index) for index, (w, column) in enumerate(zip(least, columns)) if not column.numeric)
    for count, (w, index) in enumerate(wrapping):
        widths[index] = min(w, max(left, 0) / (len(wrapping) - count))
        left -= widths[index]
    return TableWidths(widths, True)


_warned = False


def column_widths_or_none(columns: list[Column], rows: list[list[str]]) -> TableWidths | None:
    """`column_widths`, or None when the font's metrics cannot be read here (a WeasyPrint release
    that moved its bindings, a font file fontTools cannot parse): the table then keeps the automatic
    layout, slower but laid out right. Logged once per process."""
    global _warned
    try:
        return column_widths(columns, rows)
    except Exception:
        if not _warned:
            _warned = True
            log.warning("traffic column widths unavailable; the PDF uses the automatic table layout", exc_info=True)
        return None


def css_length(width: float) -> str:
    """A width in pt for CSS, rounded down to 0.001pt so that the columns never add up to more than the table."""
    return f"{math.floor(width * 1000) / 1000:.3f}pt"
