"""Importing CDRs from CSV (columns: docs/operations.md "CSV import columns")."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from portal.foundations.permissions import SYSTEM, Actor, require
from portal.imports.bulk import CDR_TABLE, insert_columns
from portal.imports.csvfile import CsvSource
from portal.imports.errors import ImportResult
from portal.imports.fields import (
    bools_column,
    counts_column,
    decimals_column,
    digits_column,
    ids_column,
    parse_bool,
    parse_count,
    parse_decimal,
    parse_digits,
    parse_id,
    parse_timestamp,
    text_parser,
    texts_column,
    timestamps_column,
)
from portal.imports.references import AccountIds, Catalog
from portal.imports.rows import Column, ImportSpec, run_import

ZERO = Decimal("0")

COLUMNS = (
    Column("time_start", parse_timestamp, timestamps_column, required=True),
    Column("duration", parse_count, counts_column, required=True),
    Column("customer_duration", parse_count, counts_column),
    Column("vendor_duration", parse_count, counts_column),
    Column("success", parse_bool, bools_column),
    Column("customer_account_id", parse_id, ids_column, target="customer_acc_id"),
    Column("vendor_account_id", parse_id, ids_column, target="vendor_acc_id"),
    Column("customer_price", parse_decimal, decimals_column, default=ZERO),
    Column("vendor_price", parse_decimal, decimals_column, default=ZERO),
    Column("dst_prefix", parse_digits, digits_column),
    Column("dialpeer_prefix", parse_digits, digits_column),
    Column("country", text_parser(2), texts_column(2)),
    Column("network", text_parser(100), texts_column(100)),
    Column("destination_rate", parse_decimal, decimals_column, default=ZERO),
    Column("dialpeer_rate", parse_decimal, decimals_column, default=ZERO),
    Column("destination_reverse_billing", parse_bool, bools_column, default=False),
    Column("dialpeer_reverse_billing", parse_bool, bools_column, default=False),
    Column("src_number", text_parser(64), texts_column(64)),
    Column("dst_number", text_parser(64), texts_column(64)),
    Column("is_last_cdr", parse_bool, bools_column, default=True),
)
REQUIRED = ("time_start", "duration", "customer_account_id", "vendor_account_id")
OPTIONAL = tuple(c.name for c in COLUMNS if c.name not in REQUIRED)


def import_cdrs(file, *, skip_bad: bool = False, actor: Actor = SYSTEM) -> ImportResult:
    """Import the CDRs of a CSV file in one transaction (the caller commits).

    Args:
        file: a path or a binary file object.
        skip_bad: import the good rows and report the bad ones; otherwise any bad row
            means nothing is imported.

    Returns ImportResult(imported, bad_rows) with bad rows by line number.

    Raises:
        ImportRejected: not a CSV file, a header that does not fit, no rows, or bad rows
            without `skip_bad` (every bad row listed with its line number and reason).
        PermissionDenied: the actor may not write accounts' data.
    """
    require(actor, "account.write")
    spec = ImportSpec(COLUMNS, partial(_check, AccountIds(), Catalog()), partial(insert_columns, CDR_TABLE), "CDRs")
    with CsvSource(file, required=REQUIRED, optional=OPTIONAL) as source:
        return run_import(source, spec, skip_bad=skip_bad)


def _check(accounts: AccountIds, catalog: Catalog, columns: dict[str, list]) -> dict[int, str]:
    """Fill defaults and ids in place; {row index: reason} for rows referring to unknown things."""
    customers, vendors = columns["customer_acc_id"], columns["vendor_acc_id"]
    unknown = accounts.check((set(customers) | set(vendors)) - {None})
    durations = columns["duration"]
    for key in ("customer_duration", "vendor_duration"):
        if None in columns[key]:
            columns[key] = [d if c is None else c for c, d in zip(columns[key], durations)]
    if None in columns["success"]:
        columns["success"] = [d > 0 if s is None else s for s, d in zip(columns["success"], durations)]
    bad: dict[int, list[str]] = {}
    if unknown or None in customers:
        for i, (customer, vendor) in enumerate(zip(customers, vendors)):
            if customer is None and vendor is None:
                bad.setdefault(i, []).append("customer_account_id or vendor_account_id is required")
            if customer in unknown:
                bad.setdefault(i, []).append(f"customer_account_id {customer} is not a known account")
            if vendor in unknown:
                bad.setdefault(i, []).append(f"vendor_account_id {vendor} is not a known account")
    countries = columns.pop("country")
    lookup = {code: None if code is None else catalog.country_id(code) for code in set(countries)}
    country_ids = list(map(lookup.__getitem__, countries))
    if any(code is not None and cid is None for code, cid in lookup.items()):
        for i, (code, cid) in enumerate(zip(countries, country_ids)):
            if code is not None and cid is None:
                bad.setdefault(i, []).append(f"country {code!r} is not a known ISO 3166 code")
    networks = columns.pop("network")
    network_ids = [None] * len(networks)
    if set(networks) != {None}:
        cache: dict[tuple[str, int | None], tuple[int | None, str | None]] = {}
        for i, name in enumerate(networks):
            if name is None:
                continue
            key = (name, country_ids[i])
            if key not in cache:
                cache[key] = catalog.network_id(name, country_ids[i])
            network_ids[i], reason = cache[key]
            if reason:
                bad.setdefault(i, []).append(reason)
    columns["country_id"], columns["network_id"] = country_ids, network_ids
    return {i: "; ".join(reasons) for i, reasons in bad.items()}
