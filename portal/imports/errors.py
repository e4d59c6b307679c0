"""What an import reports: the bad rows with their line numbers, and the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.foundations.errors import ServiceError


@dataclass(frozen=True)
class BadRow:
    line: int  # line number in the file (the header is line 1)
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportResult:
    imported: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)


class ImportRejected(ServiceError):
    """The file has bad rows (or is not a usable CSV file); nothing was imported."""

    status = 422

    def __init__(self, message: str, bad_rows: list[BadRow] | None = None):
        super().__init__(message)
        self.bad_rows = list(bad_rows or [])
