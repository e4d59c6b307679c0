"""Organization: the operator brand that owns customers (`orgId` in the v2 API is its slug)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.foundations.database import utcnow


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    vat_number: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(64))
    website: Mapped[str | None] = mapped_column(String(200))
    bank_details: Mapped[str | None] = mapped_column(Text)
    # What an invoice must say of its issuer and how to pay it (the statement's payment instructions).
    registration_number: Mapped[str | None] = mapped_column(String(64))
    registered_office: Mapped[str | None] = mapped_column(String(300))
    bank_name: Mapped[str | None] = mapped_column(String(200))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    brand_color: Mapped[str] = mapped_column(String(7), default="#0b5394")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Organization {self.slug}>"
