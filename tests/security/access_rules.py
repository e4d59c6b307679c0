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
INVOICE = {"invoice_id": "invoice.id"}
KEY_INVOICE = {"key": "invoice.uuid"}
RULES: dict[str, Rule] = {
    "static": Rule("public", {"filename": "=css/app.css"}),
    "main.index": Rule("public"),
    "main.health": Rule("public"),
    "openapi.docs": Rule("public"),
    "openapi.document": Rule("public"),
    "auth.login": Rule("public"),
    "auth.password_forgot": Rule("public"),
    "auth.password_reset": Rule("public", {"token": "=not-a-token"}),
    "auth.choose_language": Rule("public", {"code": "=de"}),
    "auth.logout": Rule("signed_in"),
    "auth.profile_password": Rule("signed_in"),
    "auth.profile_sign_out_everywhere": Rule("signed_in"),
    "download.landing": Rule("download", {"token": "token"}),
    "download.download": Rule("download", {"token": "token"}),
    # Customer portal.
    "customer.dashboard": Rule("portal"),
    "customer.invoices_list": Rule("portal"),
    "customer.invoices_csv": Rule("portal"),
    "customer.invoice_detail": Rule("portal", {"invoice_uuid": "invoice.uuid"}),
    "customer.invoice_cdrs_csv": Rule("portal", {"invoice_uuid": "invoice.uuid"}),
    "customer.invoice_ubl": Rule("portal", {"invoice_uuid": "invoice.uuid"}),
    "customer.invoice_pdf": Rule("portal", {"invoice_uuid": "invoice.uuid"}),
    # Admin area.
    "admin.dashboard": Rule("admin"),
    "admin.audit_list": Rule("admin"),
    "admin.outbox_list": Rule("admin"),
    "admin.failures_list": Rule("admin"),
    "admin.delivery_retry": Rule("admin", {"delivery_id": "=987654"}),
    "admin.outbox_show": Rule("admin", {"name": "=missing.eml"}),
    "admin.customers_list": Rule("admin"),
    "admin.customers_create": Rule("admin"),
    "admin.customers_detail": Rule("admin", {"customer_id": "customer.id"}),
    "admin.customers_edit": Rule("admin", {"customer_id": "customer.id"}),
    "admin.customers_delete": Rule("admin", {"customer_id": "customer.id"}),
    "admin.contacts_create": Rule("admin", {"customer_id": "customer.id"}),
    "admin.contacts_delete": Rule("admin", {"customer_id": "customer.id", "contact_id": "contact.id"}),
    "admin.accounts_create": Rule("admin", {"customer_id": "customer.id"}),
    "admin.accounts_edit": Rule("admin", {"account_id": "account.id"}),
    "admin.accounts_delete": Rule("admin", {"account_id": "account.id"}),
    "admin.discount_plans_create": Rule("admin", {"account_id": "account.id"}),
    "admin.discount_plans_delete": Rule("admin", {"account_id": "account.id", "plan_id": "plan.id"}),
    "admin.discount_plans_toggle": Rule("admin", {"account_id": "account.id", "plan_id": "plan.id"}),
    "admin.users_list": Rule("admin"),
    "admin.admin_users_create": Rule("admin"),
    "admin.admin_users_enabled": Rule("admin", {"user_id": "admin_user.id", "change": "=disable"}),
    "admin.admin_users_level": Rule("admin", {"user_id": "admin_user.id"}),
    "admin.customer_users_edit": Rule("admin", {"user_id": "customer_user.id"}),
    "admin.customer_users_enabled": Rule("admin", {"user_id": "customer_user.id", "change": "=disable"}),
    "admin.customer_users_invite": Rule("admin", {"customer_id": "customer.id"}),
    "admin.customer_users_reinvite": Rule("admin", {"user_id": "customer_user.id"}),
    "admin.api_keys_list": Rule("admin"),
    "admin.api_keys_create": Rule("admin"),
    "admin.api_keys_revoke": Rule("admin", {"key_id": "=1"}),
    "admin.templates_list": Rule("admin"),
    "admin.message_templates_create": Rule("admin"),
    "admin.message_templates_edit": Rule("admin", {"template_id": "template.id"}),
    "admin.message_templates_delete": Rule("admin", {"template_id": "template.id"}),
    "admin.attachments_upload": Rule("admin"),
    "admin.attachments_download": Rule("admin", {"attachment_id": "attachment.id"}),
    "admin.attachments_delete": Rule("admin", {"attachment_id": "attachment.id"}),
    "admin.bill_styles_create": Rule("admin"),
    "admin.bill_styles_delete": Rule("admin", {"style_id": "style.id"}),
    "admin.usage_report_profiles_create": Rule("admin"),
    "admin.usage_report_profiles_delete": Rule("admin", {"profile_id": "profile.id"}),
    "admin.billing_runs_list": Rule("admin"),
    "admin.billing_runs_create": Rule("admin"),
    "admin.billing_runs_detail": Rule("admin", {"run_id": "=1"}),
    "admin.invoices_list": Rule("admin"),
    "admin.invoices_bulk": Rule("admin"),
    "admin.invoices_bulk_approval": Rule("admin", {"batch_id": "=1"}),
    "admin.invoices_bulk_approval_resume": Rule("admin", {"batch_id": "=1"}),
    "admin.invoice_create": Rule("admin"),
    "admin.invoice_account_options": Rule("admin"),
    "admin.invoice_customer_suggestions": Rule("admin"),
    "admin.invoice_detail": Rule("admin", INVOICE),
    "admin.invoice_document": Rule("admin", {"invoice_id": "invoice.id", "kind": "=pdf"}),
    "admin.invoice_draft_pdf": Rule("admin", {"invoice_id": "pending.id"}),
    "admin.invoice_approve": Rule("admin", {"invoice_id": "pending.id"}),
    "admin.invoice_delete": Rule("admin", {"invoice_id": "new.id"}),
    "admin.invoice_email": Rule("admin", INVOICE),
    "admin.invoice_email_cdrs": Rule("admin", INVOICE),
    "admin.invoice_link_create": Rule("admin", INVOICE),
    "admin.invoice_link_revoke": Rule("admin", {"invoice_id": "invoice.id", "link_id": "link.id"}),
    "admin.invoice_link_created": Rule("admin", {"invoice_id": "invoice.id", "link_id": "link.id"}),
    "admin.invoice_mark_delivered": Rule("admin", INVOICE),
    "admin.invoice_payment": Rule("admin", INVOICE),
    "admin.invoice_ubl": Rule("admin", INVOICE),
    "admin.invoice_credit_note": Rule("admin", INVOICE),
    "admin.invoice_reapply_discounts": Rule("admin", {"invoice_id": "pending.id"}),
    "admin.invoice_recreate": Rule("admin", INVOICE),
    "admin.invoice_pdf_retry": Rule("admin", INVOICE),
    "admin.invoice_refill": Rule("admin", {"invoice_id": "pending.id"}),
    "admin.invoice_xero_link": Rule("admin", INVOICE),
    "admin.invoice_xero_unlink": Rule("admin", INVOICE),
    # Backend API v1 and orgs API v2 (API keys).
    "backend_v1.invoices_list": Rule("keys"),
    "backend_v1.customer_invoices_list": Rule("keys", {"customer_id": "customer.id"}),
    "backend_v1.customer_invoice_create": Rule("keys", {"customer_id": "customer.id"}),
    "backend_v1.invoice_show": Rule("keys", INVOICE),
    "backend_v1.invoice_action": Rule("keys", INVOICE),
    "backend_v1.invoice_update": Rule("keys", {"invoice_id": "pending.id"}),
    "backend_v1.invoice_delete": Rule("keys", {"invoice_id": "new.id"}),
    "orgs_v2.account_invoices_list": Rule("keys", {"orgId": "=telco", "accountId": "account.id"}),
    "orgs_v2.account_invoice_pdf": Rule(
        "keys", {"orgId": "=telco", "accountId": "account.id", "invoiceId": "invoice.uuid"}
    ),
    # JSON:API, customer side (customer JWT).
    "jsonapi_customer.auth_login": Rule("api_auth"),
    "jsonapi_customer.auth_logout": Rule("api_auth"),  # open: it only expires the caller's own cookie
    "jsonapi_customer.accounts_index": Rule("jsonapi_customer"),
    "jsonapi_customer.accounts_show": Rule("jsonapi_customer", {"key": "account.uuid"}),
    "jsonapi_customer.invoices_index": Rule("jsonapi_customer"),
    "jsonapi_customer.invoices_show": Rule("jsonapi_customer", KEY_INVOICE),
    "jsonapi_customer.invoices_download": Rule("jsonapi_customer", KEY_INVOICE),
    "jsonapi_customer.invoices_related": Rule("jsonapi_customer", {"key": "invoice.uuid", "rel": "=account"}),
    "jsonapi_customer.invoices_relationship": Rule("jsonapi_customer", {"key": "invoice.uuid", "rel": "=account"}),
    # JSON:API, admin side (admin JWT).
    "jsonapi_admin.auth": Rule("api_auth"),
    "jsonapi_admin.invoices_create": Rule("jsonapi_admin"),
    "jsonapi_admin.invoices_delete": Rule("jsonapi_admin", {"key": "new.id"}),
    "jsonapi_admin.invoices_pdf": Rule("jsonapi_admin", {"key": "invoice.id"}),
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
