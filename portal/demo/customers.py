"""Demo customers, their invoice contacts and accounts (currencies, time zones, periods), and discount plans."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from portal.demo.tables import read_table
from portal.extensions import db
from portal.models import Account, Contact, Customer, DiscountPlan, Organization

# VAT: the operator is in the UK; UK customers pay 20 %, EU business customers self-account
# (reverse charge, shown at their own rate), customers elsewhere pay none.
EU_VAT = {"DE": "19", "FR": "20", "NL": "21", "ES": "21", "IT": "22", "PL": "23"}
# Customers in these countries read their portal, PDFs and e-mails in their own language; the rest in English.
COUNTRY_LANGUAGES = {"DE": "de", "FR": "fr", "ES": "es"}


@dataclass(frozen=True)
class AccountSpec:
    name: str
    currency: str
    timezone: str
    period: str | None  # None: invoiced manually
    role: str = "customer"  # customer (originates) | vendor (terminates) | both
    terms: int = 30


@dataclass(frozen=True)
class CustomerSpec:
    name: str
    country: str
    address: str
    domain: str
    accounts: tuple[AccountSpec, ...]


def _named_customers() -> tuple[CustomerSpec, ...]:
    accounts: dict[str, list[AccountSpec]] = {}
    for row in read_table("accounts"):
        accounts.setdefault(row["customer"], []).append(
            AccountSpec(
                row["name"], row["currency"], row["timezone"], row["period"] or None, row["role"], int(row["terms"])
            )
        )
    return tuple(
        CustomerSpec(row["name"], row["country"], row["address"], row["domain"], tuple(accounts[row["name"]]))
        for row in read_table("customers")
    )


# data/customers.csv, data/accounts.csv (an empty period: invoiced manually).
NAMED_CUSTOMERS: tuple[CustomerSpec, ...] = _named_customers()

# Parts for the extra customers of larger scales.
_STEMS = (
    "Alpine",
    "Baltic",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orbit",
    "Pioneer",
    "Quartz",
    "Riviera",
    "Summit",
    "Tidal",
)
_KINDS = ("Telecom", "Voice", "Networks", "Communications", "Connect", "Carrier")
_COUNTRY_PROFILES = {
    "DE": ("GmbH", "Europe/Berlin", "EUR", "Hauptstraße {n}\n{z} Hamburg\nGermany"),
    "GB": ("Ltd", "Europe/London", "GBP", "{n} High Street\nManchester M1 {z}\nUnited Kingdom"),
    "FR": ("SAS", "Europe/Paris", "EUR", "{n} avenue Jean Jaurès\n69007 Lyon\nFrance"),
    "US": ("Inc.", "America/Chicago", "USD", "{n} W Madison St\nChicago, IL 60602\nUnited States"),
    "NL": ("B.V.", "Europe/Amsterdam", "EUR", "Coolsingel {n}\n3011 AD Rotterdam\nNetherlands"),
    "ES": ("S.L.", "Europe/Madrid", "EUR", "Avinguda Diagonal {n}\n08019 Barcelona\nSpain"),
    "IT": ("S.r.l.", "Europe/Rome", "EUR", "Via Roma {n}\n10121 Torino\nItaly"),
    "PL": ("Sp. z o.o.", "Europe/Warsaw", "EUR", "ul. Piotrkowska {n}\n90-001 Łódź\nPoland"),
}
_PERIOD_MIX = ("Monthly", "Monthly", "Monthly", "Monthly", "SemiMonthly", "Weekly")


def generated_customer(rng: random.Random, index: int) -> CustomerSpec:
    """An extra customer for scale > 1: name, country and three accounts drawn from `rng`."""
    country = rng.choice(sorted(_COUNTRY_PROFILES))
    suffix, tz, home_currency, address = _COUNTRY_PROFILES[country]
    stem = f"{rng.choice(_STEMS)} {rng.choice(_KINDS)}"
    name = f"{stem} {index} {suffix}"
    slug = f"{stem.lower().replace(' ', '-')}-{index}.example"
    accounts = []
    currencies = [home_currency, "USD" if home_currency != "USD" else "EUR", rng.choice(("EUR", "USD", "GBP"))]
    for n, currency in enumerate(currencies):
        period = None if rng.random() < 0.03 else rng.choice(_PERIOD_MIX)
        role = "vendor" if rng.random() < 0.08 else ("both" if rng.random() < 0.05 else "customer")
        accounts.append(
            AccountSpec(f"{stem} {index} {currency} {n + 1}", currency, tz, period, role, rng.choice((14, 30, 30, 45)))
        )
    return CustomerSpec(
        name, country, address.format(n=rng.randint(1, 199), z=rng.randint(10, 99)), slug, tuple(accounts)
    )


def deterministic_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def create_customer(
    org: Organization, spec: CustomerSpec, rng: random.Random, created_at: dt.datetime
) -> tuple[Customer, list[tuple[Account, AccountSpec]]]:
    """Insert a customer with two invoice contacts and its accounts."""
    eu = spec.country in EU_VAT
    customer = Customer(
        organization_id=org.id,
        name=spec.name,
        address=spec.address,
        country_code=spec.country,
        vat_number=f"{spec.country}{rng.randint(100000000, 999999999)}" if spec.country != "US" else None,
        reverse_charge=eu,
        email=f"billing@{spec.domain}",
        phone=f"+{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000000, 9999999)}",
        payment_method="Bank transfer",
        language=COUNTRY_LANGUAGES.get(spec.country, "en"),
        created_at=created_at,
    )
    customer.contacts = [
        Contact(name="Accounts Payable", email=f"ap@{spec.domain}", created_at=created_at),
        Contact(name="Carrier Relations", email=f"carrier@{spec.domain}", created_at=created_at),
    ]
    db.session.add(customer)
    db.session.flush()
    vat = Decimal(EU_VAT[spec.country]) if eu else Decimal("20") if spec.country == "GB" else Decimal("0")
    accounts = []
    for account_spec in spec.accounts:
        account = Account(
            uuid=deterministic_uuid(rng),
            customer_id=customer.id,
            name=account_spec.name,
            currency=account_spec.currency,
            timezone=account_spec.timezone,
            vat_rate=vat,
            payment_terms_days=account_spec.terms,
            invoice_period=account_spec.period,
            invoice_ref_template=f"{spec.name.split()[0][:4].upper()}-$id",
            delivery_mode="email",
            bill_style="Summary" if account_spec.role == "vendor" else "Full",
            created_at=created_at,
        )
        account.invoice_contacts = list(customer.contacts[:1] if account_spec.role != "vendor" else customer.contacts)
        db.session.add(account)
        accounts.append((account, account_spec))
    db.session.flush()
    return customer, accounts


def add_discount_plans(account: Account) -> None:
    """Ten percent off German mobile networks and 500 free minutes a period to any German number."""
    db.session.add_all(
        [
            DiscountPlan(
                account_id=account.id,
                name="German mobile -10 %",
                kind="percentage",
                prefixes="49151,49152,49157,49160,49162,49170,49171,49172,49173,49176,49179",
                percent=Decimal("10"),
            ),
            DiscountPlan(
                account_id=account.id,
                name="500 free minutes a period to Germany",
                kind="free_minutes",
                prefixes="49",
                free_minutes=500,
            ),
        ]
    )
    db.session.flush()
