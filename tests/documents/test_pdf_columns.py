"""The traffic tables' fixed column widths: measured on their own, and read back from WeasyPrint's boxes.

The widths replace WeasyPrint's automatic table layout, so the rendered tables are compared with
what that layout gives for the same HTML: same pages, same lines per cell, columns within 0.5mm;
and where the automatic layout would run off the page, nothing may.
"""

from __future__ import annotations

import re

import pytest
from flask import render_template
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from portal.documents.columns import (
    CELL,
    CELL_PADDING,
    CONTENT_WIDTH,
    HEADER,
    SAFETY,
    Column,
    column_widths,
    text_width,
    word_width,
)
from portal.documents.context import invoice_pdf_context, traffic_section
from portal.documents.pdf import font_configuration, static_fetcher
from tests.documents.conftest import make_invoice

PX_PER_PT = 4 / 3  # WeasyPrint's boxes are in CSS px
CONTENT_PX = CONTENT_WIDTH * PX_PER_PT
TRAFFIC = [
    Column("Prefix", False),
    Column("Country", False),
    Column("Network", False),
    Column("Rate", True),
    Column("Calls", True),
    Column("Successful", True),
    Column("Minutes", True),
    Column("Amount", True),
]


def render(context: dict, automatic: bool = False):
    """The laid-out document; `automatic` drops the column widths and the fixed layout, as before them."""
    html = render_template("pdf/invoice.html", **context)
    if automatic:
        html = re.sub(r"<colgroup>.*?</colgroup>", "", html).replace('class="traffic fixed', 'class="traffic')
    fetcher = static_fetcher()
    return HTML(string=html, base_url=fetcher.root.as_uri() + "/", url_fetcher=fetcher).render(
        font_config=font_configuration()
    )


def traffic_tables(document):
    return [
        box
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(box, boxes.TableBox) and "traffic" in box.element.get("class", "")
    ]


def cells(table):
    for group in table.children:
        for row in group.children:
            yield from row.children


def lines(cell):
    return [box for box in cell.descendants() if isinstance(box, boxes.LineBox)]


def with_rows(context: dict, **values) -> dict:
    """`context` with every traffic row's fields replaced by `values` (a value or a function of the row's index)."""
    context = dict(context)
    for key in ("network_sections", "destination_sections"):
        context[key] = [
            traffic_section(
                section["title"],
                [
                    dict(
                        row,
                        **{
                            field: value(n) if callable(value) else value
                            for field, value in values.items()
                            if field in row
                        },
                    )
                    for n, row in enumerate(section["rows"])
                ],
                key == "destination_sections",
            )
            for section in context[key]
        ]
    return context


# --- the widths on their own ---


def test_a_digit_string_is_as_wide_as_that_many_digits_and_wider_text_makes_a_wider_column():
    digit = text_width("0", CELL)
    assert digit > 0
    assert text_width("1234567890", CELL) == pytest.approx(10 * digit)
    assert text_width("12,345,678.90", CELL) > text_width("1,234.56", CELL)
    assert text_width("Calls", HEADER) < text_width("Calls", CELL)  # 7.5pt bold against 9pt regular
    assert word_width("United Kingdom mobile", CELL) == text_width("Kingdom", CELL)
    assert word_width("Bosnia-Herzegovina", CELL) == text_width("Herzegovina", CELL)
    assert word_width("Area 12-34", CELL) == text_width("12-34", CELL)  # no break before a digit

    narrow = column_widths([Column("Country", False), Column("Amount", True)], [["Peru", "$1.00"]])
    wide = column_widths([Column("Country", False), Column("Amount", True)], [["United Kingdom", "$1.00"]])
    assert wide.widths[0] > narrow.widths[0] and wide.widths[1] < narrow.widths[1]


def test_widths_fill_the_table_and_share_what_is_left_in_proportion_to_the_text():
    rows = [["4915", "Germany", "Germany fixed", "0.0450", "222", "133", "444.0", "$7.85"]]
    sized = column_widths(TRAFFIC, rows)
    assert not sized.break_words
    assert sum(sized.widths) == pytest.approx(CONTENT_WIDTH)
    longest = [
        max(text_width(column.label, HEADER), text_width(text, CELL)) + CELL_PADDING + SAFETY
        for column, text in zip(TRAFFIC, rows[0])
    ]
    assert [w / sized.widths[0] for w in sized.widths] == pytest.approx([w / longest[0] for w in longest])


def test_when_the_text_does_not_fit_numbers_keep_their_width_and_names_wrap_at_their_widest_word():
    rows = [
        [
            "4915",
            "Saint Vincent and the Grenadines",
            "Saint Vincent and the Grenadines mobile Digicel",
            "0.0450",
            "12,345",
            "9,876",
            "123,456.0",
            "$12,345,678.90",
        ]
    ]
    sized = column_widths(TRAFFIC, rows)
    assert sum(sized.widths) == pytest.approx(CONTENT_WIDTH) and not sized.break_words
    for column, text, width in zip(TRAFFIC, rows[0], sized.widths):
        if column.numeric:
            assert width == pytest.approx(
                max(text_width(column.label, HEADER), text_width(text, CELL)) + CELL_PADDING + SAFETY
            )
        else:
            assert width > word_width(text, CELL) + CELL_PADDING
    assert all(width < text_width(text, CELL) for text, width in zip(rows[0][1:3], sized.widths[1:3]))  # names wrap


def test_words_wider_than_the_page_allows_are_broken_and_the_numbers_still_fit():
    rows = [
        [
            "4915",
            "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
            "Network" * 12,
            "0.0450",
            "12,345,678",
            "9,876,543",
            "123,456,789.0",
            "$12,345,678.90",
        ]
    ]
    sized = column_widths(TRAFFIC, rows)
    assert sized.break_words and sum(sized.widths) == pytest.approx(CONTENT_WIDTH)
    assert sized.widths[0] == pytest.approx(text_width("Prefix", HEADER) + CELL_PADDING + SAFETY)  # the prefix fits
    for column, text, width in zip(TRAFFIC[3:], rows[0][3:], sized.widths[3:]):
        assert width >= text_width(text, CELL) + CELL_PADDING


# --- the rendered invoice ---


def test_traffic_tables_are_laid_out_fixed_with_columns_that_fill_the_page_width(app):
    document = render(invoice_pdf_context(make_invoice(destinations=3)))
    tables = traffic_tables(document)
    assert len(tables) == 2  # by network (no prefix), by destination
    for table in tables:
        assert table.style["table_layout"] == "fixed"
        assert sum(table.column_widths) == pytest.approx(CONTENT_PX, abs=0.05)
        assert table.position_x + table.width <= document.pages[0]._page_box.content_box_x() + CONTENT_PX + 0.05
    assert [len(table.column_widths) for table in tables] == [7, 8]


def test_a_long_invoice_looks_as_with_the_automatic_layout(app):
    context = invoice_pdf_context(make_invoice(destinations=200))
    fixed, automatic = render(context), render(context, automatic=True)
    assert len(fixed.pages) == len(automatic.pages) >= 3
    fixed_tables, automatic_tables = traffic_tables(fixed), traffic_tables(automatic)
    assert len(fixed_tables) == len(automatic_tables)
    for new, old in zip(fixed_tables, automatic_tables):
        assert new.column_widths == pytest.approx(old.column_widths, abs=0.5 / 25.4 * 96)  # 0.5mm
        assert [len(lines(cell)) for cell in cells(new)] == [len(lines(cell)) for cell in cells(old)]


@pytest.mark.parametrize(
    "values",
    [
        {
            "amount": lambda n: "$12,345,678.90" if n % 2 else "−$1,234,567.89",
            "calls": "12,345,678",
            "successful": "9,876,543",
            "minutes": "123,456,789.0",
            "rate": "123.4567",
            "credit": lambda n: n % 2 == 0,
            "country": "Saint Vincent and the Grenadines",
            "network": "Saint Vincent and the Grenadines mobile Digicel",
            "prefix": "49151123456789",
        },
        {
            "country": "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
            "network": "Network" * 12,
            "amount": "$12,345,678.90",
            "minutes": "123,456,789.0",
        },
    ],
    ids=["huge amounts and long names", "words wider than the page"],
)
def test_numbers_never_overflow_and_names_wrap_inside_their_column(app, values):
    context = with_rows(invoice_pdf_context(make_invoice(destinations=5)), **values)
    document = render(context)
    right = document.pages[0]._page_box.content_box_x() + CONTENT_PX + 0.05
    for table in traffic_tables(document):
        assert table.position_x + table.width <= right
        for cell in cells(table):
            cell_lines = lines(cell)
            assert all(line.width <= cell.width + 0.01 for line in cell_lines), [line.width for line in cell_lines]
            if "num" in cell.element.get("class", ""):
                assert len(cell_lines) == 1
    assert any(len(lines(cell)) > 1 for table in traffic_tables(document) for cell in cells(table))  # names wrapped


def test_without_font_metrics_the_tables_keep_the_automatic_layout(app, monkeypatch, caplog):
    """Reading the font goes through WeasyPrint's own bindings: if a release moves them, the PDF is
    only slower, never missing or wrong."""
    import portal.documents.columns as columns

    def unavailable(weight):
        raise AttributeError("moved in this WeasyPrint release")

    invoice = make_invoice(destinations=8)
    context = invoice_pdf_context(invoice)
    expected = [(len(list(cells(table))), table.width) for table in traffic_tables(render(context, automatic=True))]
    monkeypatch.setattr(columns, "_fonts", {})
    monkeypatch.setattr(columns, "_load_font", unavailable)
    monkeypatch.setattr(columns, "_warned", False)
    text_width.cache_clear()
    try:
        fallback = invoice_pdf_context(invoice)
    finally:
        text_width.cache_clear()
    assert all(not section["fixed"] for section in fallback["destination_sections"] + fallback["network_sections"])
    document = render(fallback)
    assert [(len(list(cells(table))), table.width) for table in traffic_tables(document)] == expected
    assert not [table for table in traffic_tables(document) if table.style["table_layout"] == "fixed"]
    assert "automatic table layout" in caplog.text
