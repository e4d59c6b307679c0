"""The access matrix's table: every endpoint of the URL map, who may reach it, and what fills its path parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import url_for


@dataclass(frozen=True)
class Rule:
    """Who may reach an endpoint (`face`) and what fills each path parameter (see `_value`)."""

    face: str
    params: dict = field(default_factory=dict)


# Faces: public (anyone), signed_in (any signed-in user), admin (admin users, session), portal (customer
# users, session), download (whoever holds the token), jsonapi_admin (admin JWT), jsonapi_customer (customer
# JWT), keys (backend API keys), api_auth (the JWT sign-in endpoints: public).
#
# For each face: the path parameters (`name:value` pairs, values as `_value` reads them) and the endpoints
# that share them.
FACES = {
    "public": (
        ("filename:=css/app.css", "static"),
        ("", "main.index main.health openapi.docs openapi.document auth.login auth.password_forgot"),
        ("token:=not-a-token", "auth.password_reset"),
        ("code:=de", "auth.choose_language"),
    ),
    "signed_in": (("", "auth.logout auth.profile_password auth.profile_sign_out_everywhere"),),
    "download": (("token:token", "download.landing download.download"),),
    # Customer portal.
    "portal": (
        ("", "customer.dashboard customer.invoices_list customer.invoices_csv"),
        (
            "invoice_uuid:invoice.uuid",
            "customer.invoice_detail customer.invoice_cdrs_csv customer.invoice_ubl customer.invoice_pdf",
        ),
    ),
    # Admin area.
    "admin": (
        ("", "admin.dashboard admin.audit_list admin.outbox_list admin.failures_list"),
        ("delivery_id:=987654", "admin.delivery_retry"),
        ("name:=missing.eml", "admin.outbox_show"),
        ("", "admin.customers_list admin.customers_create"),
        ("customer_id:customer.id", "admin.customers_detail admin.customers_edit admin.customers_delete"),
        ("customer_id:customer.id", "admin.contacts_create admin.accounts_create admin.customer_users_invite"),
        ("customer_id:customer.id contact_id:contact.id", "admin.contacts_delete"),
        ("account_id:account.id", "admin.accounts_edit admin.accounts_delete admin.discount_plans_create"),
        ("account_id:account.id plan_id:plan.id", "admin.discount_plans_delete admin.discount_plans_toggle"),
        ("", "admin.users_list admin.admin_users_create"),
        ("user_id:admin_user.id change:=disable", "admin.admin_users_enabled"),
        ("user_id:admin_user.id", "admin.admin_users_level"),
        ("user_id:customer_user.id", "admin.customer_users_edit admin.customer_users_reinvite"),
        ("user_id:customer_user.id change:=disable", "admin.customer_users_enabled"),
        ("", "admin.api_keys_list admin.api_keys_create"),
        ("key_id:=1", "admin.api_keys_revoke"),
        ("", "admin.templates_list admin.message_templates_create"),
        ("template_id:template.id", "admin.message_templates_edit admin.message_templates_delete"),
        ("", "admin.attachments_upload"),
        ("attachment_id:attachment.id", "admin.attachments_download admin.attachments_delete"),
        ("", "admin.bill_styles_create"),
        ("style_id:style.id", "admin.bill_styles_delete"),
        ("", "admin.usage_report_profiles_create"),
        ("profile_id:profile.id", "admin.usage_report_profiles_delete"),
        ("", "admin.billing_runs_list admin.billing_runs_create"),
        ("run_id:=1", "admin.billing_runs_detail"),
        ("", "admin.invoices_list admin.invoices_bulk"),
        ("batch_id:=1", "admin.invoices_bulk_approval admin.invoices_bulk_approval_resume"),
        ("", "admin.invoice_create admin.invoice_account_options admin.invoice_customer_suggestions"),
        (
            "invoice_id:invoice.id",
            "admin.invoice_detail admin.invoice_email admin.invoice_email_cdrs admin.invoice_ubl",
        ),
        ("invoice_id:invoice.id", "admin.invoice_link_create admin.invoice_mark_delivered admin.invoice_payment"),
        ("invoice_id:invoice.id", "admin.invoice_credit_note admin.invoice_recreate admin.invoice_pdf_retry"),
        ("invoice_id:invoice.id", "admin.invoice_xero_link admin.invoice_xero_unlink"),
        ("invoice_id:invoice.id kind:=pdf", "admin.invoice_document"),
        ("invoice_id:pending.id", "admin.invoice_draft_pdf admin.invoice_approve admin.invoice_reapply_discounts"),
        ("invoice_id:pending.id", "admin.invoice_refill"),
        ("invoice_id:new.id", "admin.invoice_delete"),
        ("invoice_id:invoice.id link_id:link.id", "admin.invoice_link_revoke admin.invoice_link_created"),
    ),
    # Backend API v1 and orgs API v2 (API keys).
    "keys": (
        ("", "backend_v1.invoices_list"),
        ("customer_id:customer.id", "backend_v1.customer_invoices_list backend_v1.customer_invoice_create"),
        ("invoice_id:invoice.id", "backend_v1.invoice_show backend_v1.invoice_action"),
        ("invoice_id:pending.id", "backend_v1.invoice_update"),
        ("invoice_id:new.id", "backend_v1.invoice_delete"),
        ("orgId:=telco accountId:account.id", "orgs_v2.account_invoices_list"),
        ("orgId:=telco accountId:account.id invoiceId:invoice.uuid", "orgs_v2.account_invoice_pdf"),
    ),
    # The JSON:API sign-in endpoints; the customer logout is open: it only expires the caller's own cookie.
    "api_auth": (("", "jsonapi_customer.auth_login jsonapi_customer.auth_logout jsonapi_admin.auth"),),
    # JSON:API, customer side (customer JWT).
    "jsonapi_customer": (
        ("", "jsonapi_customer.accounts_index jsonapi_customer.invoices_index"),
        ("key:account.uuid", "jsonapi_customer.accounts_show"),
        ("key:invoice.uuid", "jsonapi_customer.invoices_show jsonapi_customer.invoices_download"),
        ("key:invoice.uuid rel:=account", "jsonapi_customer.invoices_related jsonapi_customer.invoices_relationship"),
    ),
    # JSON:API, admin side (admin JWT).
    "jsonapi_admin": (
        ("", "jsonapi_admin.invoices_create"),
        ("key:new.id", "jsonapi_admin.invoices_delete"),
        ("key:invoice.id", "jsonapi_admin.invoices_pdf"),
    ),
}
RULES: dict[str, Rule] = {
    endpoint: Rule(face, dict(pair.split(":", 1) for pair in params.split()))
    for face, rows in FACES.items()
    for params, endpoints in rows
    for endpoint in endpoints.split()
}

for _resource, _key, _rel in (
    ("accounts", "account.id", "contractor"),
    ("contractors", "customer.id", None),
    ("countries", "=1", None),
    ("networks", "=1", "country"),
    ("services", "=1", "account"),
    ("invoices", "invoice.id", "account"),
    ("invoice_originated_destinations", "=1", "invoice"),
    ("invoice_originated_networks", "=1", "invoice"),
    ("invoice_terminated_destinations", "=1", "invoice"),
    ("invoice_terminated_networks", "=1", "invoice"),
    ("invoice_service_data", "=1", "invoice"),
):
    RULES[f"jsonapi_admin.{_resource}_index"] = Rule("jsonapi_admin")
    RULES[f"jsonapi_admin.{_resource}_show"] = Rule("jsonapi_admin", {"key": _key})
    if _rel:
        RULES[f"jsonapi_admin.{_resource}_related"] = Rule("jsonapi_admin", {"key": _key, "rel": "=" + _rel})
        RULES[f"jsonapi_admin.{_resource}_relationship"] = Rule("jsonapi_admin", {"key": _key, "rel": "=" + _rel})


# The expert level each admin write needs (portal/foundations/permissions.py ACTION_LEVELS); every level below
# is refused.
ADMIN_WRITE_LEVELS = {
    "admin.invoice_create": 2,
    "admin.invoice_refill": 2,
    "admin.invoice_reapply_discounts": 2,
    "admin.invoice_approve": 3,
    "admin.invoice_email": 3,
    "admin.invoice_email_cdrs": 3,
    "admin.invoice_recreate": 3,
    "admin.invoice_pdf_retry": 3,
    "admin.invoice_link_create": 3,
    "admin.invoice_link_revoke": 3,
    "admin.invoice_payment": 3,
    "admin.invoice_mark_delivered": 3,
    "admin.invoice_xero_link": 3,
    "admin.invoice_delete": 4,
    "admin.invoice_credit_note": 4,
    "admin.billing_runs_create": 4,
    "admin.customers_create": 4,
    "admin.customers_edit": 4,
    "admin.customers_delete": 4,
    "admin.contacts_create": 4,
    "admin.contacts_delete": 4,
    "admin.accounts_create": 4,
    "admin.accounts_edit": 4,
    "admin.accounts_delete": 4,
    "admin.discount_plans_create": 4,
    "admin.discount_plans_delete": 4,
    "admin.discount_plans_toggle": 4,
    "admin.customer_users_invite": 4,
    "admin.customer_users_edit": 4,
    "admin.customer_users_enabled": 4,
    "admin.customer_users_reinvite": 4,
    "admin.message_templates_create": 4,
    "admin.message_templates_edit": 4,
    "admin.message_templates_delete": 4,
    "admin.attachments_upload": 4,
    "admin.attachments_delete": 4,
    "admin.bill_styles_create": 4,
    "admin.bill_styles_delete": 4,
    "admin.usage_report_profiles_create": 4,
    "admin.usage_report_profiles_delete": 4,
    "admin.admin_users_create": 5,
    "admin.admin_users_enabled": 5,
    "admin.admin_users_level": 5,
    "admin.api_keys_create": 5,
    "admin.api_keys_revoke": 5,
}


# Valid forms, so that the refusal comes from the service and not from form validation.
ADMIN_WRITE_FORMS = {
    "admin.contacts_create": {"email": "new@bravo.example", "name": "New"},
    "admin.discount_plans_create": {"name": "Plan", "kind": "percentage", "prefixes": "49", "percent": "10"},
    "admin.bill_styles_create": {"name": "New style", "layout": "full"},
    "admin.usage_report_profiles_create": {"name": "New profile", "group_by": "destination"},
    "admin.attachments_upload": {"name": "New terms"},
}
# A Xero action with Xero off is turned away before the service (302 with a message).
ADMIN_WRITE_REFUSALS = {"admin.invoice_xero_link": {302, 403}}


def _value(spec: str, world, side) -> str:
    """A path value: `=literal`, or a record of `side` (its first account's approved invoice unless named)."""
    if spec.startswith("="):
        return spec[1:]
    if spec == "token":
        return side.tokens[0]
    thing, attribute = spec.split(".")
    record = {
        "invoice": side.approved[0],
        "pending": side.pending[0],
        "new": side.new[0],
        "account": side.accounts[0],
        "customer": side.customer,
        "link": side.links[0],
        "customer_user": world.users["customer_b" if side is world.b else "customer_a"],
        "admin_user": world.users["admin_5"],
        **world.records,
    }.get(thing)
    return str(getattr(record, attribute))


def url(app, world, endpoint: str, side, **query) -> str:
    values = {name: _value(spec, world, side) for name, spec in RULES[endpoint].params.items()}
    with app.test_request_context():
        path = url_for(endpoint, **values)
    return path + ("?" + urlencode(query) if query else "")


def methods(app, endpoint: str) -> list[str]:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def faces(face: str) -> list[str]:
    return sorted(e for e, rule in RULES.items() if rule.face == face)
