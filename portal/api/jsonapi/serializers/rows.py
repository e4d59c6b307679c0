"""Invoice detail rows (admin only): originated/terminated destinations and networks, and service data."""

from __future__ import annotations

from sqlalchemy import select

from portal.api.jsonapi.resources import Attr, Filter, Rel, Resource, register
from portal.models import Invoice, InvoiceDestination, InvoiceNetwork, InvoiceServiceData


def _traffic_attrs(model, *, prefix: bool) -> list[Attr]:
    def a(name, kind):
        return Attr(name, kind, getattr(model, name.replace("-", "_")))

    attrs = [a("dst-prefix", "nullable_string")] if prefix else []
    return attrs + [
        a("rate", "money"),
        a("spent", "boolean"),
        a("calls-count", "integer"),
        a("successful-calls-count", "integer"),
        a("calls-duration", "integer"),
        a("billing-duration", "integer"),
        a("amount", "money"),
        a("first-call-at", "nullable_timestamp"),
        a("last-call-at", "nullable_timestamp"),
    ]


def _invoice_filters(model) -> dict[str, Filter]:
    account_of_invoice = select(Invoice.account_id).where(Invoice.id == model.invoice_id).scalar_subquery()
    return {
        "invoice_id": Filter("fk", model.invoice_id),
        "invoice_account_id": Filter("fk", account_of_invoice),
    }


def _traffic_resource(model, direction: str, kind: str) -> Resource:
    name = f"invoice-{direction}-{kind}"
    return register(
        Resource(
            key=f"admin:{name}",
            type=name,
            path=name,
            model=model,
            attrs=_traffic_attrs(model, prefix=kind == "destinations"),
            rels={
                "invoice": Rel("invoice", "admin:invoices", fk="invoice_id", always_linkage=True),
                "country": Rel("country", "admin:countries", fk="country_id", always_linkage=True),
                "network": Rel("network", "admin:networks", fk="network_id", always_linkage=True),
            },
            extra_filters={
                **_invoice_filters(model),
                "country_id": Filter("fk", model.country_id),
                "network_id": Filter("fk", model.network_id),
            },
            base_query=lambda ctx, model=model, direction=direction: select(model).where(model.direction == direction),
        )
    )


ROW_RESOURCES = [
    _traffic_resource(InvoiceDestination, "originated", "destinations"),
    _traffic_resource(InvoiceNetwork, "originated", "networks"),
    _traffic_resource(InvoiceDestination, "terminated", "destinations"),
    _traffic_resource(InvoiceNetwork, "terminated", "networks"),
    register(
        Resource(
            key="admin:invoice-service-data",
            type="invoice-service-data",
            path="invoice-service-data",
            model=InvoiceServiceData,
            attrs=[
                Attr("amount", "money", InvoiceServiceData.amount),
                Attr("transactions-count", "integer", InvoiceServiceData.transactions_count),
                Attr("spent", "boolean", InvoiceServiceData.spent),
            ],
            rels={
                "invoice": Rel("invoice", "admin:invoices", fk="invoice_id", always_linkage=True),
                "service": Rel("service", "admin:services", fk="service_id", always_linkage=True),
            },
            extra_filters={
                **_invoice_filters(InvoiceServiceData),
                "service_id": Filter("fk", InvoiceServiceData.service_id),
            },
        )
    ),
]
