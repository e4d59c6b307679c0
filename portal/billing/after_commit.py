"""Work started once the session's transaction commits (enqueueing jobs), and dropped when it rolls back."""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from portal.extensions import db

log = logging.getLogger(__name__)
_PENDING = "portal.after_commit.pending"  # registered in the transaction still running
_COMMITTED = "portal.after_commit.committed"  # its transaction committed; run once it has ended


def call_after_commit(callback: Callable[..., object], *args) -> None:
    """Call `callback(*args)` right after the current transaction of `db.session` commits.

    A job enqueued this way never sees data that is not committed yet, and never runs for
    a change that was rolled back: the call is dropped when the transaction, or the savepoint
    it was registered in, rolls back. Calls run in registration order once the transaction
    has ended and its connection is back in the pool (an inline job takes a connection of
    its own; holding two per request would starve the pool under load). The callback must
    not use this session. One that raises is logged and the others still run: the commit
    has happened and nothing can undo it.
    """
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, []).append((transaction, callback, args))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: its calls wait for the outer commit
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info[_COMMITTED] = pending


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [entry for entry in pending if not _within(entry[0], previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _run_committed(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # Whatever is still pending was never committed (rolled back, or the session was closed).
    session.info.pop(_PENDING, None)
    for _transaction, callback, args in session.info.pop(_COMMITTED, None) or ():
        try:
            callback(*args)
        except Exception:  # noqa: BLE001 - the commit stands; the failure is logged for the operator
            log.exception("after-commit call %s%r failed", getattr(callback, "__name__", callback), args)


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False
