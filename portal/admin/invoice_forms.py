"""Forms of the admin invoice pages (CSRF through Flask-WTF; rules stay in the services)."""

from __future__ import annotations

from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField, ValidationError

from portal.admin.forms import MultiCheckboxField
from portal.delivery.links import DEFAULT_LINK_EXPIRY_HOURS, LINK_EXPIRY_HOURS, LINK_MAX_USES
from portal.forms import PortalForm, choices


class InvoiceCreateForm(PortalForm):
    # Typed, with suggestions from the server: never one <option> per customer. The view sets
    # `customer_known` (a customer has the name typed) before validating.
    customer = StringField("Customer", description="Any part of the name, then choose one of the names offered")
    account = SelectField("Account", coerce=str, validate_choice=False)
    customer_known = True

    def validate_customer(self, field):
        if not self.customer_known:
            raise ValidationError("is not a known customer: choose one of the names offered")

    start_date = StringField("Start date", description="First day of the period (YYYY-MM-DD)")
    end_date = StringField("End date", description="Day after the last day (the period is [start, end))")

    def validate_account(self, field):
        # The options are the chosen customer's accounts; a posted id outside them (another customer's
        # account, a forged value) must not silently bill someone else.
        if self.customer.data and field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("is not an account of the chosen customer")


class EmailInvoiceForm(PortalForm):
    recipients = SelectMultipleField("Invoice contacts", choices=[], validate_choice=False)
    extra = StringField("Other addresses", description="Comma or semicolon separated")
    bill_style = SelectField("Bill style", choices=[], validate_choice=False)
    message = SelectField("Message template", choices=[], validate_choice=False)
    attachments = SelectMultipleField("Attachments", choices=[], validate_choice=False)
    usage_report_profile = SelectField("Usage report", choices=[], validate_choice=False)


class EmailCdrsForm(PortalForm):
    id_prefix = "cdrs-"
    extra = StringField("Addresses", description="Empty: the invoice contacts")


class CreditNoteForm(PortalForm):
    mode = RadioField(
        "Credit",
        choices=choices(
            [
                ("full", "The whole invoice"),
                ("lines", "Chosen lines, at what they charged"),
                ("amount", "An amount (net, before VAT)"),
            ]
        ),
        default="full",
        validate_choice=False,
    )
    lines = MultiCheckboxField("Lines", choices=[])
    amount = StringField("Amount (net)")
    reason = StringField("Reason", description="Shown on the credit note and in its e-invoice")


class PaymentForm(PortalForm):
    amount = StringField("Amount")
    paid_on = StringField("Paid on", description="YYYY-MM-DD")
    method = StringField("Method")
    reference = StringField("Reference")


class DownloadLinkForm(PortalForm):
    expires_in = SelectField(
        "Expires after",
        choices=choices((str(h), f"{h} hours") for h in LINK_EXPIRY_HOURS),
        default=str(DEFAULT_LINK_EXPIRY_HOURS),
    )
    max_uses = SelectField("Maximum uses", choices=choices((str(n), str(n)) for n in LINK_MAX_USES), default="1")


class XeroLinkForm(PortalForm):
    xero_id = StringField("Xero invoice ID", description="A UUID, e.g. 550e8400-e29b-41d4-a716-446655440000")


class MarkDeliveredForm(PortalForm):
    how = RadioField(
        "Delivered", choices=choices([("printed", "Printed and posted"), ("by hand", "By hand")]), default="printed"
    )


class ConfirmForm(PortalForm):
    """A bare POST with CSRF (approve, delete, refill, reapply, recreate, unlink, revoke)."""

    next = HiddenField()


__all__ = [
    "InvoiceCreateForm",
    "EmailInvoiceForm",
    "EmailCdrsForm",
    "PaymentForm",
    "DownloadLinkForm",
    "XeroLinkForm",
    "MarkDeliveredForm",
    "ConfirmForm",
]
