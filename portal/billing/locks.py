"""Write locks held until the transaction ends: per account (creating and filling its invoices), per invoice
(every state change of it), per billing run and per bulk approval (claiming its execution)."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.foundations.errors import Conflict, NotFound
from portal.models import BillingRun, BulkApproval, Invoice

_LOCK_NAMESPACE = 7301  # first key of pg_advisory_xact_lock(int, int): "invoice work on an account"
BUSY = "The account is busy with other invoice work; try again in a moment."
BUSY_DATABASE = "The database is busy with other changes; try again in a moment."

# SQLite has no row locks: a write to the row takes the database write lock, which every other
# writer then queues behind. The write changes nothing (and, being plain SQL, stamps no updated_at).
_SQLITE_TOUCH = {
    "invoices": text("UPDATE invoices SET state = state WHERE id = :id"),
    "billing_runs": text("UPDATE billing_runs SET status = status WHERE id = :id"),
    "bulk_approvals": text("UPDATE bulk_approvals SET status = status WHERE id = :id"),
}


def lock_account(account_id: int) -> None:
    """Hold the account's lock until the transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: a write to the account row,
    which takes the database write lock, so concurrent writers queue behind it.

    Raises Conflict when SQLite gives up waiting for the write lock (busy timeout), so a
    long fill elsewhere is a clean "try again", not a database error.
    """
    if _dialect() == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:ns, :id)"), {"ns": _LOCK_NAMESPACE, "id": account_id})
        return
    _sqlite_write(text("UPDATE accounts SET lock_version = lock_version + 1 WHERE id = :id"), account_id, BUSY)


def lock_invoice(invoice_or_id) -> Invoice:
    """Lock the invoice until the transaction ends and return it re-read from the database.

    Every change of an invoice's state or amounts (approve, delete, fill, refill, discounts,
    payments, documents, edits) starts here and decides on what it returns, never on a copy
    loaded earlier: a second request for the same change then waits for the first to commit
    and sees its result (e.g. "Invoice already approved"), so no change happens twice.

    PostgreSQL: `SELECT … FOR UPDATE OF invoices` (the joined account row stays unlocked).
    SQLite: the database write lock is taken first (a no-op write to the row), then the row is read.

    Args:
        invoice_or_id: an Invoice or its id.

    Returns the Invoice (the same object as in the session, refreshed).

    Raises:
        NotFound: the invoice no longer exists (deleted by a change that committed first).
        Conflict: SQLite gave up waiting for the write lock.
    """
    invoice_id = invoice_or_id.id if isinstance(invoice_or_id, Invoice) else invoice_or_id
    invoice = _lock_row(Invoice, invoice_id)
    if invoice is None:
        raise NotFound(f"The record identified by {invoice_id} could not be found.")
    return invoice


def lock_invoices(invoice_ids) -> None:
    """Lock several invoices at once, in id order (unknown ids are skipped).

    A transaction that changes several invoices takes their locks before any other, always
    in the same order, so two such transactions (or one and a single-invoice change, which
    takes its invoice lock and then the numbering lock) can never wait on each other in a circle.
    """
    ids = sorted({int(i) for i in invoice_ids})
    if not ids:
        return
    if _dialect() == "postgresql":
        db.session.execute(
            select(Invoice.id).where(Invoice.id.in_(ids)).order_by(Invoice.id).with_for_update(of=Invoice)
        ).all()
        return
    _sqlite_write(text("UPDATE invoices SET state = state WHERE id = :id"), ids[0], BUSY_DATABASE)


def lock_billing_run(run_id: int) -> BillingRun | None:
    """Lock the billing run row until the transaction ends and return it re-read (None when unknown)."""
    return _lock_row(BillingRun, run_id)


def lock_bulk_approval(batch_id: int) -> BulkApproval | None:
    """Lock the bulk approval row until the transaction ends and return it re-read (None when unknown)."""
    return _lock_row(BulkApproval, batch_id)


def _lock_row(model, pk):
    stmt = select(model).where(model.id == pk).execution_options(populate_existing=True)
    if _dialect() == "postgresql":
        stmt = stmt.with_for_update(of=model)
    else:
        _sqlite_write(_SQLITE_TOUCH[model.__tablename__], pk, BUSY_DATABASE)
    return db.session.scalars(stmt).first()


def _sqlite_write(statement, pk: int, busy_message: str) -> None:
    try:
        db.session.execute(statement, {"id": pk})
    except OperationalError as exc:
        if "locked" not in str(exc.orig).lower():
            raise
        raise Conflict(busy_message) from None


def _dialect() -> str:
    return db.session.get_bind().dialect.name
