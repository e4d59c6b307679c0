"""Importing transactions (non-call charges and credits) from CSV (columns: docs/operations.md "CSV import columns")."""

from __future__ import annotations

from functools import partial

from portal.foundations.permissions import SYSTEM, Actor, require
from portal.imports.bulk import TRANSACTION_TABLE, insert_columns
from portal.imports.csvfile import CsvSource
from portal.imports.errors import ImportResult
from portal.imports.fields import (
    CellError,
    ColumnError,
    ids_column,
    parse_id,
    parse_signed_decimal,
    parse_timestamp,
    signed_decimals_column,
    text_parser,
    texts_column,
    timestamps_column,
)
from portal.imports.references import AccountIds, Services
from portal.imports.rows import Column, ImportSpec, run_import
from portal.models import TRANSACTION_CATEGORIES

_CATEGORIES = {c: c for c in TRANSACTION_CATEGORIES}


def _category(text: str) -> str:
    try:
        return _CATEGORIES[text.lower()]
    except KeyError:
        raise CellError(f"must be one of {', '.join(TRANSACTION_CATEGORIES)}: {text!r}") from None


def _categories(cells: list[str]) -> list[str]:
    try:
        return [_CATEGORIES[c.lower()] for c in cells]
    except KeyError:
        raise ColumnError from None


def _amount(text: str):
    value = parse_signed_decimal(text)
    if value == 0:
        raise CellError("must not be zero")
    return value


def _amounts(cells: list[str]):
    values = signed_decimals_column(cells)
    if not all(values):
        raise ColumnError
    return values


COLUMNS = (
    Column("account_id", parse_id, ids_column, required=True),
    Column("service", text_parser(200), texts_column(200)),
    Column("category", _category, _categories, required=True),
    Column("amount", _amount, _amounts, required=True),
    Column("created_at", parse_timestamp, timestamps_column, required=True),
    Column("description", text_parser(500), texts_column(500)),
)
REQUIRED = ("account_id", "category", "amount", "created_at")
OPTIONAL = ("service", "description")


def import_transactions(file, *, skip_bad: bool = False, actor: Actor = SYSTEM) -> ImportResult:
    """Import the transactions of a CSV file in one transaction (the caller commits).

    A positive amount is a charge, a negative one a credit. `service` is a service id or the
    name of one of the account's services. Same errors and `skip_bad` rule as import_cdrs.

    Raises ImportRejected or PermissionDenied.
    """
    require(actor, "account.write")
    spec = ImportSpec(
        COLUMNS, partial(_check, AccountIds(), Services()), partial(insert_columns, TRANSACTION_TABLE), "transactions"
    )
    with CsvSource(file, required=REQUIRED, optional=OPTIONAL) as source:
        return run_import(source, spec, skip_bad=skip_bad)


def _check(accounts: AccountIds, services: Services, columns: dict[str, list]) -> dict[int, str]:
    account_ids = columns["account_id"]
    unknown = accounts.check(set(account_ids))
    names = columns.pop("service")
    service_ids = [None] * len(names)
    bad: dict[int, str] = {}
    for i, (account_id, name) in enumerate(zip(account_ids, names)):
        if account_id in unknown:
            bad[i] = f"account_id {account_id} is not a known account"
        elif name is not None:
            service_ids[i], reason = services.resolve(name, account_id)
            if reason:
                bad[i] = reason
    columns["service_id"] = service_ids
    return bad
