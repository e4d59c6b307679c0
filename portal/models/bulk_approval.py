"""Bulk approval: a selection of invoices an admin asked to approve, approved one by one by a job."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.foundations.database import utcnow

# A selection still being approved is asked for once: a second submit of it finds the first.
_UNFINISHED = text("finished_at IS NULL")


class BulkApproval(db.Model):
    __tablename__ = "bulk_approvals"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done')", name="status"),
        Index(
            "uq_bulk_approvals_unfinished_selection",
            "selection_key",
            unique=True,
            sqlite_where=_UNFINISHED,
            postgresql_where=_UNFINISHED,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of who asked and the sorted invoice ids (portal.billing.bulk.selection_key).
    selection_key: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    # The execution approving it ("host:pid:token") and its last sign of life; a queued batch's
    # is when it was (re)queued. One silent too long, or whose process is gone, is stalled.
    worker: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]


class BulkApprovalItem(db.Model):
    """One selected invoice: waiting (outcome NULL), approved, skipped (with the service's refusal) or failed."""

    __tablename__ = "bulk_approval_items"
    __table_args__ = (CheckConstraint("outcome IN ('approved', 'skipped', 'failed')", name="outcome"),)

    bulk_approval_id: Mapped[int] = mapped_column(
        ForeignKey("bulk_approvals.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # No foreign key: the invoice may be deleted; the item keeps which one was asked for.
    invoice_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    outcome: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(500))
