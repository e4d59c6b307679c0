"""Customer (contractor) and its invoice contacts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.foundations.database import utcnow

#: What the invoice e-mail attaches: the PDF (a Factur-X PDF/A-3), that PDF and its CII XML, or that PDF and
#: the Peppol UBL XML.
DELIVERY_FORMATS = {"pdf": "PDF", "facturx": "Factur-X (PDF and CII XML)", "ubl": "UBL (PDF and Peppol UBL XML)"}


class Customer(db.Model):
    __tablename__ = "customers"
    # Name order (the customer list, its search and the search-as-you-type suggestions) reads this index.
    __table_args__ = (Index("ix_customers_name_id", "name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    country_code: Mapped[str | None] = mapped_column(String(2))
    vat_number: Mapped[str | None] = mapped_column(String(64))
    # EU reverse charge: VAT is accounted for by the customer, shown as reverse VAT.
    reverse_charge: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(64))
    payment_method: Mapped[str] = mapped_column(String(32), default="Bank transfer")
    # The language of its portal pages, invoice PDFs, e-mails and download pages (portal.foundations.i18n.LANGUAGES).
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # EN 16931 BT-10: the buyer's routing reference, e.g. the Leitweg-ID of a German public body.
    buyer_reference: Mapped[str | None] = mapped_column(String(100))
    delivery_format: Mapped[str] = mapped_column(String(10), default="pdf", server_default="pdf")  # DELIVERY_FORMATS
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organization = relationship("Organization", lazy="joined")
    accounts = relationship("Account", back_populates="customer", order_by="Account.id")
    contacts = relationship("Contact", back_populates="customer", order_by="Contact.id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Customer {self.id} {self.name}>"


class Contact(db.Model):
    """A person at a customer who receives invoices."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    customer = relationship("Customer", back_populates="contacts")
