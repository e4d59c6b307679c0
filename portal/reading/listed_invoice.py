"""An invoice of a list page read as the plain columns a face shows, not as an ORM object.

Building, tracking and expiring 50 ORM invoices (with their customer and account) costs more than
the rest of an API list request; a face that only reads columns gets them as a row. The model's
own rules (state, type, payment status, delivery) read the same names from it, so none is
written twice.
"""

from __future__ import annotations

from types import SimpleNamespace

from portal.models import Invoice


class ListedInvoice:
    """A row of invoice columns (and, when read along, of its customer and account), read like an Invoice."""

    def __init__(self, values: dict, customer: SimpleNamespace | None = None, account: SimpleNamespace | None = None):
        self.__dict__ = values  # the row's values by column name, as plain attributes: each read is a dict lookup
        self.customer = customer
        self.account = account

    # The model's rules, reading the columns above.
    is_credit_note = Invoice.is_credit_note
    type_label = Invoice.type_label
    is_approved = Invoice.is_approved
    is_delivered = Invoice.is_delivered
    payment_status = Invoice.payment_status
