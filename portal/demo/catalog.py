"""Demo reference data: countries with their real calling codes and mobile/fixed networks, and per-minute rates."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

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


def _n(name, kind, prefixes, rate, digits, reverse=False) -> NetworkSpec:
    return NetworkSpec(name, kind, tuple(prefixes), Decimal(rate), digits, reverse)


# Prefixes are real numbering-plan ranges; the networks are the operators that hold them.
COUNTRIES: tuple[CountrySpec, ...] = (
    CountrySpec(
        "DE",
        "Germany",
        "49",
        (
            _n("Germany Fixed", "fixed", ["49"], "0.0045", 10),
            _n("Telekom Deutschland Mobile", "mobile", ["49151", "49160", "49170", "49171"], "0.0195", 7),
            _n("Vodafone Germany Mobile", "mobile", ["49152", "49162", "49172", "49173"], "0.0210", 7),
            _n("Telefonica Germany Mobile", "mobile", ["49157", "49159", "49176", "49179"], "0.0225", 7),
        ),
        weight=9,
    ),
    CountrySpec(
        "GB",
        "United Kingdom",
        "44",
        (
            _n("UK Fixed", "fixed", ["441", "442"], "0.0040", 9),
            _n("EE Mobile", "mobile", ["4474", "4475"], "0.0135", 8),
            _n("Vodafone UK Mobile", "mobile", ["4477"], "0.0140", 8),
            _n("O2 UK Mobile", "mobile", ["4478", "4479"], "0.0150", 8),
            _n("UK Freephone", "other", ["44800"], "0.0120", 7, reverse=True),
        ),
        weight=8,
    ),
    CountrySpec(
        "FR",
        "France",
        "33",
        (
            _n("France Fixed", "fixed", ["331", "332", "334", "335"], "0.0050", 8),
            _n("Orange France Mobile", "mobile", ["336"], "0.0180", 8),
            _n("SFR Mobile", "mobile", ["3361"], "0.0190", 7),
            _n("Bouygues Telecom Mobile", "mobile", ["337"], "0.0195", 8),
        ),
        weight=6,
    ),
    CountrySpec(
        "US",
        "United States",
        "1",
        (_n("US Fixed and Mobile", "fixed", ["1212", "1310", "1415", "1646", "1702"], "0.0060", 7),),
        weight=7,
    ),
    CountrySpec(
        "NL",
        "Netherlands",
        "31",
        (
            _n("Netherlands Fixed", "fixed", ["3110", "3120", "3130"], "0.0060", 7),
            _n("KPN Mobile", "mobile", ["3161", "3165"], "0.0250", 7),
            _n("Odido Mobile", "mobile", ["3162", "3164"], "0.0260", 7),
        ),
        weight=4,
    ),
    CountrySpec(
        "ES",
        "Spain",
        "34",
        (
            _n("Spain Fixed", "fixed", ["3491", "3493", "3495"], "0.0040", 7),
            _n("Movistar Mobile", "mobile", ["34609", "34619"], "0.0170", 6),
            _n("Vodafone Spain Mobile", "mobile", ["34607", "34667"], "0.0175", 6),
        ),
        weight=4,
    ),
    CountrySpec(
        "IT",
        "Italy",
        "39",
        (
            _n("Italy Fixed", "fixed", ["3902", "3906"], "0.0055", 8),
            _n("TIM Mobile", "mobile", ["39333", "39335"], "0.0280", 7),
            _n("Vodafone Italy Mobile", "mobile", ["39347", "39349"], "0.0290", 7),
            _n("WindTre Mobile", "mobile", ["39393", "39320"], "0.0295", 7),
        ),
        weight=4,
    ),
    CountrySpec(
        "PL",
        "Poland",
        "48",
        (
            _n("Poland Fixed", "fixed", ["4822", "4812"], "0.0070", 7),
            _n("Orange Polska Mobile", "mobile", ["48501", "48502"], "0.0160", 6),
            _n("Plus Mobile", "mobile", ["48601", "48691"], "0.0165", 6),
        ),
        weight=3,
    ),
    CountrySpec(
        "TR",
        "Türkiye",
        "90",
        (
            _n("Türkiye Fixed", "fixed", ["90212", "90312"], "0.0300", 7),
            _n("Turkcell Mobile", "mobile", ["90532", "90533"], "0.0900", 7),
            _n("Vodafone Türkiye Mobile", "mobile", ["90542", "90543"], "0.0920", 7),
        ),
        weight=3,
    ),
    CountrySpec(
        "IN",
        "India",
        "91",
        (
            _n("India Fixed", "fixed", ["9111", "9122"], "0.0180", 8),
            _n("Jio Mobile", "mobile", ["9170", "9179"], "0.0140", 8),
            _n("Airtel Mobile", "mobile", ["9198", "9199"], "0.0145", 8),
        ),
        weight=3,
    ),
)

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
