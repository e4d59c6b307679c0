"""The shared import loop: validate rows chunk by chunk, insert good chunks in bulk, reject or skip bad rows.

A chunk is converted column by column (fast, for good files); when a column has a bad cell
the chunk is re-read row by row so that every bad row is reported with its reason.
"""

from __future__ import annotations

from collections.abc import Callable

from portal.extensions import db
from portal.imports.csvfile import CsvSource
from portal.imports.errors import BadRow, ImportRejected, ImportResult
from portal.imports.fields import CellError, ColumnError

CHUNK_ROWS = 10_000

Columns = dict[str, list]


class Column:
    """One CSV column: its cell parser, its whole-column parser, the target key, and the empty-cell value."""

    __slots__ = ("name", "target", "parse", "parse_column", "default", "required")

    def __init__(
        self,
        name: str,
        parse: Callable[[str], object],
        parse_column: Callable[[list[str]], list],
        *,
        target: str | None = None,
        default=None,
        required: bool = False,
    ):
        self.name, self.parse, self.parse_column = name, parse, parse_column
        self.target, self.default, self.required = target or name, default, required


class ImportSpec:
    """What an importer brings to the loop: its columns, a reference check, and a bulk insert."""

    def __init__(
        self,
        columns: tuple[Column, ...],
        check: Callable[[Columns], dict[int, str]],
        insert: Callable[[Columns], int],
        what: str,
    ):
        self.columns, self.check, self.insert, self.what = columns, check, insert, what


def run_import(source: CsvSource, spec: ImportSpec, *, skip_bad: bool) -> ImportResult:
    """Validate every row of `source` and insert the good ones in bulk inside a savepoint.

    `spec.check(columns)` completes the typed columns (references to ids, defaults) and returns
    {row index: reason} for rows that refer to unknown things. Without `skip_bad`, a single bad
    row rolls the savepoint back and raises ImportRejected listing every bad row.
    """
    by_name = {c.name: c for c in spec.columns}
    present = [(i, by_name[name]) for i, name in enumerate(source.header)]
    absent = [c for c in spec.columns if c.name not in source.header]
    result = ImportResult()
    savepoint = db.session.begin_nested()
    try:
        for lines, rows in source.chunks(CHUNK_ROWS):
            _process(lines, rows, present, absent, len(source.header), spec, result, skip_bad)
        if result.bad_rows and not skip_bad:
            raise ImportRejected(
                f"{len(result.bad_rows)} bad rows: nothing was imported (fix them, or use "
                f"--skip-bad to import the {spec.what} that are good).",
                sorted(result.bad_rows, key=lambda b: b.line),
            )
        if result.imported == 0 and not result.bad_rows:
            raise ImportRejected(f"The file has a header but no {spec.what}.")
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    result.bad_rows.sort(key=lambda b: b.line)
    return result


def _process(lines, rows, present, absent, width, spec: ImportSpec, result: ImportResult, skip_bad: bool) -> None:
    columns = None
    if all(len(row) == width for row in rows):
        columns = _parse_columns(rows, present, absent)
    if columns is None:
        lines, columns = _parse_rows(lines, rows, present, absent, width, result)
    if not lines:
        return
    bad = spec.check(columns)
    if bad:
        result.bad_rows.extend(BadRow(lines[i], reason) for i, reason in sorted(bad.items()))
        keep = [i for i in range(len(lines)) if i not in bad]
        columns = {key: [values[i] for i in keep] for key, values in columns.items()}
    # Once a row is bad and bad rows are not skipped, everything is rolled back: stop inserting.
    if result.bad_rows and not skip_bad:
        return
    if next(iter(columns.values()), None):
        result.imported += spec.insert(columns)


def _parse_columns(rows, present, absent) -> Columns | None:
    """Typed columns of a chunk, or None when any cell is bad."""
    n = len(rows)
    columns: Columns = {c.target: [c.default] * n for c in absent}
    for (index, column), raw in zip(present, zip(*rows)):
        cells = _stripped(raw)
        try:
            if "" in cells:
                if column.required:
                    return None
                filled = [i for i, cell in enumerate(cells) if cell]
                values = [column.default] * n
                for i, value in zip(filled, column.parse_column([cells[i] for i in filled])):
                    values[i] = value
            else:
                values = column.parse_column(cells)
        except (ColumnError, ValueError):
            return None
        columns[column.target] = values
    return columns


def _stripped(raw: tuple[str, ...]) -> list[str]:
    # Stripping every cell is a large share of the work; most columns have no blanks at all.
    joined = "\x1f".join(raw)
    if " " in joined or "\t" in joined or "\r" in joined or "\n" in joined or "\xa0" in joined:
        return [cell.strip() for cell in raw]
    return list(raw)


def _parse_rows(lines, rows, present, absent, width, result: ImportResult) -> tuple[list[int], Columns]:
    """Cell-by-cell reading of a chunk with a bad cell: the good rows as columns, every bad row reported."""
    good_lines: list[int] = []
    columns: Columns = {c.target: [] for c in absent}
    columns.update({c.target: [] for _i, c in present})
    for line, row in zip(lines, rows):
        if len(row) != width:
            result.bad_rows.append(BadRow(line, f"has {len(row)} fields, the header has {width}"))
            continue
        values, errors = {}, []
        for index, column in present:
            cell = row[index].strip()
            if not cell:
                if column.required:
                    errors.append(f"{column.name} can't be blank")
                values[column.target] = column.default
                continue
            try:
                values[column.target] = column.parse(cell)
            except CellError as exc:
                errors.append(f"{column.name} {exc}")
        if errors:
            result.bad_rows.append(BadRow(line, "; ".join(errors)))
            continue
        good_lines.append(line)
        for column in absent:
            columns[column.target].append(column.default)
        for key, value in values.items():
            columns[key].append(value)
    return good_lines, columns
