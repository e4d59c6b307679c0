"""Demo reference data: countries with their real calling codes and mobile/fixed networks, and per-minute rates."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from portal.demo.tables import read_table
from portal.extensions import db
from portal.models import Country, Network


@dataclass(frozen=True)
class NetworkSpec:
    name: str
    network_type: str  # fixed | mobile | other
    prefixes: tuple[str, ...]  # dialled prefixes in E.164 without '+'
    rate_eur: Decimal  # our selling rate per minute in EUR
    subscriber_digits: int  # digits after the prefix in a full number
    reverse_billed: bool = False  # freephone: the caller's carrier is paid, not charged


@dataclass(frozen=True)
class CountrySpec:
    iso2: str
    name: str
    calling_code: str
    networks: tuple[NetworkSpec, ...] = field(default_factory=tuple)
    weight: int = 1  # share of traffic going there


def _networks_by_country() -> dict[str, list[NetworkSpec]]:
    networks: dict[str, list[NetworkSpec]] = {}
    for row in read_table("networks"):
        networks.setdefault(row["country"], []).append(
            NetworkSpec(
                row["name"],
                row["network_type"],
                tuple(row["prefixes"].split()),
                Decimal(row["rate_eur"]),
                int(row["subscriber_digits"]),
                row["reverse_billed"] == "yes",
            )
        )
    return networks


def _countries() -> tuple[CountrySpec, ...]:
    networks = _networks_by_country()
    return tuple(
        CountrySpec(row["iso2"], row["name"], row["calling_code"], tuple(networks[row["iso2"]]), int(row["weight"]))
        for row in read_table("countries")
    )


# Prefixes are real numbering-plan ranges; the networks are the operators that hold them
# (data/countries.csv, data/networks.csv: prefixes space-separated, rates per minute in EUR).
COUNTRIES: tuple[CountrySpec, ...] = _countries()

# Fixed demo exchange rates from EUR (a price list, not a market feed).
EUR_TO = {"EUR": Decimal("1"), "USD": Decimal("1.08"), "GBP": Decimal("0.86")}


@dataclass(frozen=True)
class Destination:
    """One dialable prefix with the ids the CDRs reference."""

    prefix: str
    country_id: int
    network_id: int
    spec: NetworkSpec
    weight: float


def create_catalog() -> list[Destination]:
    """Insert the countries and networks; return every destination prefix with its traffic weight."""
    destinations: list[Destination] = []
    for country_spec in COUNTRIES:
        country = Country(iso2=country_spec.iso2, name=country_spec.name)
        db.session.add(country)
        db.session.flush()
        for spec in country_spec.networks:
            network = Network(name=spec.name, network_type=spec.network_type, country_id=country.id)
            db.session.add(network)
            db.session.flush()
            # Mobile carries most of the traffic; freephone a sliver.
            share = {"mobile": 1.6, "fixed": 1.0, "other": 0.15}[spec.network_type]
            for prefix in spec.prefixes:
                destinations.append(
                    Destination(prefix, country.id, network.id, spec, country_spec.weight * share / len(spec.prefixes))
                )
    return destinations
