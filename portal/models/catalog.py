"""Reference data: countries, networks and the services that transactions belong to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.foundations.database import utcnow


class Country(db.Model):
    __tablename__ = "countries"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    iso2: Mapped[str] = mapped_column(String(2), unique=True)


class Network(db.Model):
    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    network_type: Mapped[str] = mapped_column(String(20), default="fixed")  # fixed | mobile | other
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"), index=True)

    country = relationship("Country")


class Service(db.Model):
    """A subscribed service whose charges arrive as transactions."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default="active")
    initial_price: Mapped[Decimal] = mapped_column(Numeric(20, 6), default=Decimal("0"))
    renew_price: Mapped[Decimal] = mapped_column(Numeric(20, 6), default=Decimal("0"))
    renew_period: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
