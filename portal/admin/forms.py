"""Admin forms (Flask-WTF): they read input only; every rule is checked by the service they feed."""

from __future__ import annotations

from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.customers.accounts import ACCOUNT_FIELDS
from portal.customers.customers import CUSTOMER_FIELDS, PAYMENT_METHODS
from portal.forms import PortalForm, choices
from portal.foundations.i18n import LANGUAGES
from portal.models import DELIVERY_FORMATS, INVOICE_PERIODS
from portal.models.account import DELIVERY_MODES

LEVEL_CHOICES = choices((str(n), f"{n}") for n in range(1, 6))


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        # Unknown ids are the service's to refuse, with its own message (e.g. "must belong to the customer").
        pass


def _int_list(values) -> list[int]:
    result = []
    for value in values or []:
        try:
            result.append(int(value))
        except (TypeError, ValueError):
            result.append(-1)  # an id that exists nowhere: the service reports it
    return result


class ConfirmForm(PortalForm):
    """A POST with nothing but the CSRF token (delete, disable, revoke …)."""


class CustomerForm(PortalForm):
    name = StringField("Name", validators=[InputRequired(message="can't be blank"), Length(max=200)])
    address = TextAreaField("Address", validators=[Optional(), Length(max=2000)])
    country_code = SelectField("Country", choices=[], validate_choice=False)
    vat_number = StringField("VAT number", validators=[Optional(), Length(max=64)])
    reverse_charge = BooleanField("Reverse charge (the customer accounts for VAT)")
    email = StringField("E-mail", validators=[Optional(), Length(max=254)])
    phone = StringField("Phone", validators=[Optional(), Length(max=64)])
    payment_method = SelectField(
        "Payment method", choices=choices((m, m) for m in PAYMENT_METHODS), validate_choice=False
    )
    language = SelectField("Language", choices=choices(LANGUAGES.items()), default="en", validate_choice=False)
    enabled = BooleanField("Enabled", default=True)
    buyer_reference = StringField("Buyer reference (Leitweg-ID)", validators=[Optional(), Length(max=100)])
    delivery_format = SelectField(
        "Invoice e-mail delivers", choices=choices(DELIVERY_FORMATS.items()), default="pdf", validate_choice=False
    )

    def service_data(self) -> dict:
        return {name: self._fields[name].data for name in CUSTOMER_FIELDS}


class ContactForm(PortalForm):
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    email = StringField("E-mail", validators=[InputRequired(message="can't be blank"), Length(max=254)])


class AccountForm(PortalForm):
    name = StringField("Name", validators=[InputRequired(message="can't be blank"), Length(max=200)])
    currency = StringField("Currency", default="EUR", validators=[InputRequired(message="can't be blank")])
    timezone = StringField("Time zone", default="UTC", validators=[InputRequired(message="can't be blank")])
    vat_rate = StringField("VAT rate (%)", default="0")
    payment_terms_days = StringField("Payment terms (days)", default="30")
    invoice_period = SelectField(
        "Invoice period",
        choices=choices([("", "None (manual invoicing)")] + [(p, p) for p in INVOICE_PERIODS]),
        validate_choice=False,
    )
    invoice_ref_template = StringField("Reference template", default="$id")
    invoice_contact_ids = MultiCheckboxField("Invoice contacts", choices=[], coerce=str)
    delivery_mode = SelectField("Delivery mode", choices=choices((m, m) for m in DELIVERY_MODES), validate_choice=False)
    bill_style = SelectField("Bill style", choices=[], validate_choice=False)
    max_call_duration = StringField("Max call duration (seconds)")
    billing_increment = StringField("Billing increment (seconds)", default="1/1")

    def service_data(self) -> dict:
        data = {name: self._fields[name].data for name in ACCOUNT_FIELDS if name != "invoice_contact_ids"}
        data["invoice_contact_ids"] = _int_list(self.invoice_contact_ids.data)
        return data


class DiscountPlanForm(PortalForm):
    id_prefix = "plan-"
    name = StringField("Name", validators=[InputRequired(message="can't be blank"), Length(max=100)])
    kind = SelectField(
        "Kind",
        choices=choices([("percentage", "Percentage off"), ("free_minutes", "Free minutes")]),
        validate_choice=False,
    )
    prefixes = StringField("Destination prefixes", validators=[InputRequired(message="can't be blank")])
    percent = StringField("Percent")
    free_minutes = StringField("Free minutes per period")


class InviteForm(PortalForm):
    email = StringField("E-mail", validators=[InputRequired(message="can't be blank"), Length(max=254)])
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    account_ids = MultiCheckboxField("Limit to accounts (none ticked: every account)", choices=[], coerce=str)


class LimitAccountsForm(PortalForm):
    account_ids = MultiCheckboxField("Accounts (none ticked: every account)", choices=[], coerce=str)


class AdminUserForm(PortalForm):
    email = StringField("E-mail", validators=[InputRequired(message="can't be blank"), Length(max=254)])
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    level = SelectField("Expert level", choices=LEVEL_CHOICES, default="1")
    password = PasswordField("Password", validators=[InputRequired(message="can't be blank")])


class LevelForm(PortalForm):
    level = SelectField("Expert level", choices=LEVEL_CHOICES, validate_choice=False)


class ApiKeyForm(PortalForm):
    name = StringField("Name", validators=[InputRequired(message="can't be blank"), Length(max=100)])
    scope = MultiCheckboxField(
        "Scopes", choices=choices([("read", "read"), ("write", "write")]), default=["read"], coerce=str
    )
    level = SelectField("Expert level", choices=LEVEL_CHOICES, default="1", validate_choice=False)
    customer_id = SelectField("Only this customer's data", choices=[], validate_choice=False)


class BillingRunForm(PortalForm):
    run_at = StringField("Invoice up to (UTC)", validators=[Optional()])
    approve = BooleanField("Approve the invoices it creates")


class AuditFilterForm(PortalForm):
    """GET filters of the audit log (no CSRF: reading only, bookmarkable)."""

    class Meta:
        csrf = False

    action = SelectField("Action", choices=[], validate_choice=False)
    actor = StringField("Who", validators=[Optional(), Length(max=200)])
    invoice = StringField("Invoice id", validators=[Optional(), Length(max=20)])
