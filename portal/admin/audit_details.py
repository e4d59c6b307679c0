"""An audit event as the log page shows it: its subject and each detail as a labelled value people read.

Details are stored as plain JSON (portal.audit.record_event): ids, ISO dates, amounts as decimal text,
lists. Here ids of invoices, customers and accounts become links named by the record, dates and times are
formatted, amounts are money in the invoice's currency, lists are joined, and nothing is a Python repr.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask import url_for

from portal.foundations.formatting import date, local_datetime, money, number
from portal.models import AuditEvent
from portal.reading.audit_log import RECORD_KEYS, SUBJECT_KINDS, AuditReferences, audit_references

MONEY_KEYS = frozenset({"amount", "total", "amount_total", "discount"})
ENDPOINTS = {
    "invoice": ("admin.invoice_detail", "invoice_id"),
    "customer": ("admin.customers_detail", "customer_id"),
    "account": ("admin.accounts_edit", "account_id"),
}
LABELS = {
    "invoice_id": "Invoice",
    "invoice_ids": "Invoices",
    "customer_id": "Customer",
    "account_id": "Account",
    "link_id": "Link",
    "max_uses": "Most downloads",
    "expires_at": "Expires",
    "paid_on": "Paid on",
    "run_at": "Invoices up to",
    "heartbeat_at": "Last sign of life",
    "next_invoice_at": "Next invoice",
    "next_invoice_type": "Next invoice type",
    "xero_id": "Xero invoice",
    "credited_invoice": "Credits invoice",
    "vat_id": "VAT id",
}
# Shown unfolded when an event has at most this many details, each short; otherwise in a disclosure.
UNFOLDED_ITEMS = 3
SHORT_TEXT = 60
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


@dataclass(frozen=True)
class Part:
    """A piece of a value: text, linked to a record's page when it names one."""

    text: str
    url: str | None = None


@dataclass
class Detail:
    label: str
    parts: list[Part] = field(default_factory=list)

    @property
    def text(self) -> str:
        return ", ".join(part.text for part in self.parts)


@dataclass
class EventView:
    event: AuditEvent
    subject: Part
    invoice: Part | None
    details: list[Detail]

    @property
    def folded(self) -> bool:
        """Too much to read in a table cell: the first details summarise it, a disclosure holds them all."""
        return len(self.details) > UNFOLDED_ITEMS or any(len(d.text) > SHORT_TEXT for d in self.details)

    @property
    def summary(self) -> str:
        text = "; ".join(f"{d.label}: {d.text}" for d in self.details[:2])
        return text if len(text) <= SHORT_TEXT else text[: SHORT_TEXT - 1].rstrip() + "…"


def event_views(events: list[AuditEvent]) -> list[EventView]:
    refs = audit_references(events)
    return [_view(event, refs) for event in events]


def _view(event: AuditEvent, refs: AuditReferences) -> EventView:
    kind = SUBJECT_KINDS.get(event.subject_type)
    if kind and event.subject_id:
        subject = _record(kind, event.subject_id, refs)
    else:
        words = (event.subject_type or "").replace("_", " ").rstrip("s").capitalize()
        subject = Part(f"{words} {event.subject_id}" if event.subject_id else words)
    currency = refs.invoices[event.invoice_id].currency if event.invoice_id in refs.invoices else None
    details = [Detail(label(key), _parts(key, value, refs, currency)) for key, value in (event.details or {}).items()]
    invoice = _record("invoice", event.invoice_id, refs, bare=True) if event.invoice_id else None
    return EventView(event, subject, invoice, details)


def label(key: str) -> str:
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def _record(kind: str, record_id: int, refs: AuditReferences, *, bare: bool = False) -> Part:
    """A link to the record named by its name (an invoice: "Invoice <number>", or just the number when `bare`)."""
    name = refs.name(kind, record_id)
    if name is None:  # deleted since: the id is all there is
        return Part(f"{record_id} (deleted)" if bare else f"{kind.capitalize()} {record_id} (deleted)")
    endpoint, arg = ENDPOINTS[kind]
    text = f"Invoice {name}" if kind == "invoice" and not bare else name
    return Part(text, url_for(endpoint, **{arg: record_id}))


def _parts(key: str, value, refs: AuditReferences, currency: str | None) -> list[Part]:
    if key in RECORD_KEYS and value is not None:
        values = value if isinstance(value, list) else [value]
        return [_record(RECORD_KEYS[key], v, refs) if isinstance(v, int) else Part(str(v)) for v in values]
    if key == "refused" and isinstance(value, list):
        return [_refusal(item, refs) for item in value]
    if isinstance(value, list):
        return [Part(_text(key, v, currency)) for v in value] or [Part("none")]
    return [Part(_text(key, value, currency))]


def _refusal(item, refs: AuditReferences) -> Part:
    if isinstance(item, list) and len(item) == 2 and isinstance(item[0], int):
        record = _record("invoice", item[0], refs)
        return Part(f"{record.text}: {item[1]}", record.url)
    return Part(_text("refused", item, None))


def _text(key: str, value, currency: str | None) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_text(key, v, currency) for v in value)
    if key in MONEY_KEYS:
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        return money(amount, currency) if currency else number(amount, digits=2)
    if isinstance(value, str):
        if ISO_DATE.fullmatch(value):
            return date(dt.date.fromisoformat(value))
        if ISO_MOMENT.fullmatch(value):
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return local_datetime(moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc), "UTC")
    return str(value)
