"""Reading the audit log: events filtered by action, actor and invoice, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Account, AuditEvent, Customer, Invoice

MAX_PER_PAGE = 200
# Detail keys that name a record, by the kind of record.
RECORD_KEYS = {"invoice_id": "invoice", "invoice_ids": "invoice", "customer_id": "customer", "account_id": "account"}
SUBJECT_KINDS = {"invoices": "invoice", "customers": "customer", "accounts": "account"}


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


@dataclass(frozen=True)
class InvoiceRef:
    label: str  # its number, or its reference while it has none
    currency: str


@dataclass
class AuditReferences:
    """The records a page of events names, read in one query per kind: invoices, customers, accounts."""

    invoices: dict[int, InvoiceRef]
    customers: dict[int, str]
    accounts: dict[int, str]

    def name(self, kind: str, record_id: int) -> str | None:
        """The record's name, None when it is gone."""
        if kind == "invoice":
            found = self.invoices.get(record_id)
            return found.label if found else None
        return (self.customers if kind == "customer" else self.accounts).get(record_id)


def _ids(value) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def audit_references(events: list[AuditEvent]) -> AuditReferences:
    """What `events` name, by id: each event's invoice and subject, and the ids in their details."""
    wanted: dict[str, set[int]] = {"invoice": set(), "customer": set(), "account": set()}
    for event in events:
        if event.invoice_id:
            wanted["invoice"].add(event.invoice_id)
        if event.subject_type in SUBJECT_KINDS and event.subject_id:
            wanted[SUBJECT_KINDS[event.subject_type]].add(event.subject_id)
        for key, value in (event.details or {}).items():
            if key in RECORD_KEYS:
                wanted[RECORD_KEYS[key]].update(_ids(value))
        for refused in (event.details or {}).get("refused") or []:
            if isinstance(refused, list) and refused:
                wanted["invoice"].update(_ids(refused[0]))
    invoices = {}
    if wanted["invoice"]:
        rows = db.session.execute(
            select(Invoice.id, Invoice.invoice_number, Invoice.reference, Invoice.currency).where(
                Invoice.id.in_(wanted["invoice"])
            )
        )
        invoices = {r.id: InvoiceRef(r.invoice_number or r.reference or str(r.id), r.currency) for r in rows}
    return AuditReferences(
        invoices,
        _names(Customer, wanted["customer"]),
        _names(Account, wanted["account"]),
    )


def _names(model, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {row.id: row.name for row in db.session.execute(select(model.id, model.name).where(model.id.in_(ids)))}
