"""Billing run: one pass of automatic invoicing over every account that is due."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.foundations.database import utcnow


class BillingRun(db.Model):
    __tablename__ = "billing_runs"
    __table_args__ = (CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_at: Mapped[dt.datetime]  # the moment invoices are generated for
    approve: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    accounts_total: Mapped[int] = mapped_column(Integer, default=0)
    accounts_done: Mapped[int] = mapped_column(Integer, default=0)
    invoices_created: Mapped[int] = mapped_column(Integer, default=0)
    # [{"account_id", "account", "start", "end", "error"}]
    failures: Mapped[list] = mapped_column(JSON, default=list)
    # [{"account_id", "account", "invoice_id", "total", "average", "change"}]
    anomalies: Mapped[list] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    # The process executing the run ("host:pid:token") and its last sign of life, stamped with
    # every step: a `running` run whose process is gone or silent for too long is stale
    # (portal.billing.run_recovery.recover_stale_billing_runs).
    worker: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[dt.datetime | None]
