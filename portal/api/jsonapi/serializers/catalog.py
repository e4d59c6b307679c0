"""Accounts (admin and customer field sets), contractors (customers), countries, networks and services."""

from __future__ import annotations

from sqlalchemy import select

from portal.api.jsonapi.resources import Attr, Filter, Rel, Resource, register
from portal.customers.scope import allowed_account_ids
from portal.models import Account, Country, Customer, Network, Service


def _attrs(model, *specs) -> list[Attr]:
    return [
        Attr(name, kind, getattr(model, column or name.replace("-", "_")), field=column) for name, kind, column in specs
    ]


ADMIN_ACCOUNTS = register(
    Resource(
        key="admin:accounts",
        type="accounts",
        path="accounts",
        model=Account,
        attrs=_attrs(
            Account,
            ("name", "string", None),
            ("uuid", "uuid", None),
            ("balance", "money", None),
            ("min-balance", "money", None),
            ("max-balance", "money", None),
            ("vat", "money", "vat_rate"),
            ("max-call-duration", "nullable_integer", None),
            ("timezone", "string", None),
            ("currency", "string", None),
            ("invoice-period", "nullable_string", None),
            ("next-invoice-at", "nullable_timestamp", None),
            ("invoice-ref-template", "string", None),
        ),
        rels={"contractor": Rel("contractor", "admin:contractors", fk="customer_id", always_linkage=True)},
        extra_filters={"contractor_id": Filter("fk", Account.customer_id)},
    )
)


def _customer_accounts(ctx):
    return select(Account).where(Account.id.in_(allowed_account_ids(ctx.customer_id, ctx.account_ids)))


CUSTOMER_ACCOUNTS = register(
    Resource(
        key="customer:accounts",
        type="accounts",
        path="accounts",
        model=Account,
        attrs=_attrs(
            Account,
            ("name", "string", None),
            ("balance", "money", None),
            ("min-balance", "money", None),
            ("max-balance", "money", None),
            ("currency", "string", None),
            ("timezone", "string", None),
        ),
        id_attr="uuid",
        base_query=_customer_accounts,
    )
)

CONTRACTORS = register(
    Resource(
        key="admin:contractors",
        type="contractors",
        path="contractors",
        model=Customer,
        attrs=_attrs(
            Customer,
            ("name", "string", None),
            ("address", "nullable_string", None),
            ("country-code", "nullable_string", None),
            ("vat-number", "nullable_string", None),
            ("email", "nullable_string", None),
            ("phone", "nullable_string", None),
            ("reverse-charge", "boolean", None),
            ("payment-method", "string", None),
            ("language", "string", None),
            ("enabled", "boolean", None),
        ),
    )
)

COUNTRIES = register(
    Resource(
        key="admin:countries",
        type="countries",
        path="countries",
        model=Country,
        attrs=_attrs(Country, ("name", "string", None), ("iso2", "string", None)),
    )
)

NETWORKS = register(
    Resource(
        key="admin:networks",
        type="networks",
        path="networks",
        model=Network,
        attrs=_attrs(Network, ("name", "string", None), ("network-type", "string", None)),
        rels={"country": Rel("country", "admin:countries", fk="country_id", always_linkage=True)},
        extra_filters={"country_id": Filter("fk", Network.country_id)},
    )
)

SERVICES = register(
    Resource(
        key="admin:services",
        type="services",
        path="services",
        model=Service,
        attrs=_attrs(
            Service,
            ("name", "string", None),
            ("state", "string", None),
            ("initial-price", "money", None),
            ("renew-price", "money", None),
            ("renew-period", "nullable_string", None),
            ("created-at", "timestamp", None),
        ),
        rels={"account": Rel("account", "admin:accounts", fk="account_id", always_linkage=True)},
        extra_filters={"account_id": Filter("fk", Service.account_id)},
    )
)
