"""Reading the audit log: events filtered by action, actor and invoice, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent

MAX_PER_PAGE = 200


@dataclass
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_audit_events(
    *,
    action: str | None = None,
    actor: str | None = None,
    invoice_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AuditPage:
    """Audit events, newest first.

    Args:
        action: an exact action (`invoice.approved`) or a prefix ending in a dot (`invoice.`).
        actor: a fragment of the actor label (e-mail, `api-key:…`, `system`), case-insensitive.
        invoice_id: events about that invoice only.
        page, per_page: clamped to 1… and 1…MAX_PER_PAGE.
    """
    stmt = select(AuditEvent)
    if action:
        action = action.strip()[:50]
        stmt = stmt.where(
            AuditEvent.action.startswith(action, autoescape=True)
            if action.endswith(".")
            else AuditEvent.action == action
        )
    if actor:
        stmt = stmt.where(func.lower(AuditEvent.actor).contains(actor.strip().lower()[:200], autoescape=True))
    if invoice_id is not None:
        stmt = stmt.where(AuditEvent.invoice_id == invoice_id)
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max(1, -(-total // per_page))
    page = max(1, min(int(page), pages))
    events = db.session.scalars(
        stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(per_page).offset((page - 1) * per_page)
    )
    return AuditPage(list(events), total, page, per_page)


def audit_actions() -> list[str]:
    """Every action recorded so far, for the filter's choices."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
