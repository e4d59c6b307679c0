"""Opening an import file: sanity checks (a text CSV with the expected header), then streaming its rows."""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Iterator
from typing import BinaryIO

from portal.imports.errors import ImportRejected

SNIFF_BYTES = 64 * 1024


class CsvSource:
    """A CSV import file: its header (lower-cased, trimmed) and an iterator of (line number, fields)."""

    def __init__(self, file: str | os.PathLike | BinaryIO, *, required: tuple[str, ...], optional: tuple[str, ...]):
        self._own = not hasattr(file, "read")
        self._binary: BinaryIO = open(file, "rb") if self._own else file
        try:
            self.header = self._check(required, optional)
        except BaseException:
            self.close()
            raise

    def _check(self, required, optional) -> list[str]:
        start = self._binary.read(SNIFF_BYTES)
        if not start.strip():
            raise ImportRejected("The file is empty: a CSV file with a header row is expected.")
        if b"\x00" in start:
            raise ImportRejected("This is not a CSV file (it contains binary data).")
        text = io.TextIOWrapper(
            io.BufferedReader(_Prefixed(start, self._binary), 256 * 1024), encoding="utf-8-sig", newline=""
        )
        self._reader = csv.reader(text, strict=True)
        try:
            header = [name.strip().lower() for name in next(self._reader)]
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ImportRejected(f"This is not a UTF-8 CSV file ({_short(exc)}).") from None
        known = set(required) | set(optional)
        if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
            raise ImportRejected(
                "The columns must be separated by commas (this file uses "
                f"{'semicolons' if ';' in header[0] else 'tabs'})."
            )
        if len(header) < 2 or not set(header) & known:
            raise ImportRejected(
                "This is not an import CSV file: the first row must be the header with the "
                f"columns {', '.join(required)} (and optionally {', '.join(optional)})."
            )
        missing = [name for name in required if name not in header]
        unknown = [name for name in header if name not in known]
        duplicated = sorted({name for name in header if header.count(name) > 1})
        problems = []
        if missing:
            problems.append("missing columns: " + ", ".join(missing))
        if unknown:
            problems.append("unknown columns: " + ", ".join(unknown))
        if duplicated:
            problems.append("repeated columns: " + ", ".join(duplicated))
        if problems:
            raise ImportRejected("The header row does not fit: " + "; ".join(problems) + ".")
        return header

    def chunks(self, size: int) -> Iterator[tuple[list[int], list[list[str]]]]:
        """(line numbers, rows) of up to `size` data rows at a time; blank lines are skipped.

        Raises ImportRejected when the text stops being readable CSV (encoding, quoting).
        """
        reader = self._reader
        while True:
            before = reader.line_num
            try:
                rows = list(itertools.islice(reader, size))
            except (UnicodeDecodeError, csv.Error) as exc:
                raise ImportRejected(
                    f"Line {reader.line_num + 1} is not readable CSV ({_short(exc)}); nothing was imported."
                ) from None
            if not rows:
                return
            if reader.line_num - before == len(rows):
                lines = list(range(before + 1, reader.line_num + 1))
            else:
                lines = _line_numbers(before, rows)
            if [] in rows:
                pairs = [(line, row) for line, row in zip(lines, rows) if row]
                lines, rows = [p[0] for p in pairs], [p[1] for p in pairs]
            if rows:
                yield lines, rows

    def close(self) -> None:
        if self._own:
            self._binary.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Prefixed(io.RawIOBase):
    """The bytes already read for sniffing, followed by the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _line_numbers(before: int, rows: list[list[str]]) -> list[int]:
    """Line numbers of rows when some quoted fields span several lines."""
    lines, line = [], before
    for row in rows:
        line += 1
        lines.append(line)
        line += sum(cell.count("\n") for cell in row)
    return lines


def _short(exc: Exception) -> str:
    return str(exc).split("\n")[0][:120]
