"""Forms of the customer portal: the invoice list filters (GET, no CSRF), the account switcher, PDF download."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from portal.forms import PortalForm, choices
from portal.foundations.dates import FIRST_DAY, LAST_DAY, in_day_range
from portal.foundations.errors import ValidationFailed
from portal.foundations.i18n import N_
from portal.models import STATUS_FILTER_LABELS
from portal.reading.customer_views import PAGE_SIZES, PRESETS, SORTS, STATUSES, CustomerInvoiceFilters, preset_window

DATE_MESSAGE = N_("Enter a date as YYYY-MM-DD.")
DAY_RANGE_FIELD_MESSAGE = N_("Enter a date between %(first)s and %(last)s.")
MAX_PAGE = 100_000
# The labels shown for payment statuses and presets (portal.models.PaymentStatus.label, PRESETS, STATUS_FILTER_LABELS)
# and the service's refusal a user can reach through this form (portal.reading.customer_views.check_filters),
# marked for the catalogs: they are translated where they are shown.
LABELS = (
    N_("Must not be before the start date."),
    N_("Draft"),
    N_("Open"),
    N_("Partially paid"),
    N_("Overdue"),
    N_("Paid"),
    N_("Credit note"),
    N_("All unpaid"),
    N_("This month"),
    N_("Last month"),
    N_("Last 3 months"),
    N_("This year"),
    N_("Last year"),
)


class _GetForm(PortalForm):
    """A filter form read from the query string: bookmarkable, so no CSRF token."""

    class Meta:
        csrf = False

    def __init__(self, formdata, accounts, **kwargs):
        super().__init__(formdata=formdata, **kwargs)
        if hasattr(self, "account"):
            self.account.choices = choices([("", _("All accounts"))] + [(str(a.id), a.name) for a in accounts])

    def validate_account(self, field):
        # Unknown ids and ids of other customers get the same answer: they are not the user's.
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_("Choose one of your accounts."))

    @property
    def account_id(self) -> int | None:
        return int(self.account.data) if self.account.data else None


class AccountSwitchForm(_GetForm):
    account = SelectField(_l("Account"), validate_choice=False)


class InvoiceFilterForm(_GetForm):
    account = SelectField(_l("Account"), validate_choice=False)
    preset = SelectField(
        _l("Period"),
        choices=choices([("", _l("Custom dates"))] + [(key, _l(label)) for key, label in PRESETS.items()]),
        validate_choice=False,
    )
    period_from = DateField(_l("Period from"), validators=[Optional()], render_kw={"autocomplete": "off"})
    period_to = DateField(_l("Period to"), validators=[Optional()])
    invoice_date_from = DateField(_l("Invoice date from"), validators=[Optional()])
    invoice_date_to = DateField(_l("Invoice date to"), validators=[Optional()])
    due_date_from = DateField(_l("Due date from"), validators=[Optional()])
    due_date_to = DateField(_l("Due date to"), validators=[Optional()])
    status = SelectField(
        _l("Status"),
        choices=choices([("", _l("Any status"))] + [(s, _l(STATUS_FILTER_LABELS[s])) for s in STATUSES]),
        validate_choice=False,
    )
    number = StringField(_l("Invoice number"), validators=[Optional(), Length(max=64)])
    per_page = SelectField(
        _l("Per page"), choices=choices((str(n), str(n)) for n in PAGE_SIZES), default="25", validate_choice=False
    )
    sort = HiddenField(default="date")
    direction = HiddenField(default="desc")
    page = IntegerField("Page", validators=[Optional()], default=1)
    # The cursors of the Next and Previous links (keyset paging); the filter form never carries them.
    after = HiddenField()
    before = HiddenField()

    DATE_FIELDS = ("period_from", "period_to", "invoice_date_from", "invoice_date_to", "due_date_from", "due_date_to")

    def validate_preset(self, field):
        if field.data and field.data not in PRESETS:
            raise ValidationError(_("Choose one of the listed periods."))

    def validate_status(self, field):
        if field.data and field.data not in STATUSES:
            raise ValidationError(_("Choose unpaid, paid or overdue."))

    def validate_per_page(self, field):
        if (field.data or "25") not in {str(n) for n in PAGE_SIZES}:
            raise ValidationError(
                f"Choose {', '.join(map(str, PAGE_SIZES[:-1]))} or {PAGE_SIZES[-1]} rows (at most {PAGE_SIZES[-1]})."
            )

    def validate_page(self, field):
        # Compared as integers: WTForms' NumberRange turns the value into a float first, which a
        # number of 400 digits overflows.
        if field.data is not None and not 1 <= field.data <= MAX_PAGE:
            raise ValidationError(f"Number must be between 1 and {MAX_PAGE}.")

    def validate_sort(self, field):
        if (field.data or "date") not in SORTS:
            raise ValidationError("Sort by date, number or amount.")

    def validate_direction(self, field):
        if (field.data or "desc") not in ("asc", "desc"):
            raise ValidationError("Sort direction is asc or desc.")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for name in self.DATE_FIELDS:
            field = self[name]
            # DateField's own message is vague; say what format works.
            field.errors = [
                _(DATE_MESSAGE) if "date" in str(e).lower() and "valid" in str(e).lower() else e for e in field.errors
            ]
            # A real date can still be too far out to become an instant in the account's zone.
            if not field.errors and field.data and not in_day_range(field.data):
                field.errors = [_(DAY_RANGE_FIELD_MESSAGE, first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())]
                ok = False
        return ok

    def to_filters(self, today: dt.date) -> CustomerInvoiceFilters:
        """The validated values as service filters; a preset replaces the period dates."""
        period_from, period_to = self.period_from.data, self.period_to.data
        if self.preset.data:
            period_from, period_to = preset_window(self.preset.data, today)
        return CustomerInvoiceFilters(
            account_id=self.account_id,
            period_from=period_from,
            period_to=period_to,
            invoice_date_from=self.invoice_date_from.data,
            invoice_date_to=self.invoice_date_to.data,
            due_date_from=self.due_date_from.data,
            due_date_to=self.due_date_to.data,
            status=self.status.data or None,
            number=(self.number.data or "").strip() or None,
            sort=self.sort.data or "date",
            direction=self.direction.data or "desc",
            page=self.page.data or 1,
            per_page=int(self.per_page.data or 25),
            after=self.after.data or None,
            before=self.before.data or None,
        )

    def add_service_errors(self, exc: ValidationFailed) -> None:
        """Show the service's FieldErrors (dasherized names) beside the matching fields."""
        for error in exc.errors:
            name = (error.field or "").replace("-", "_")
            target = self[name] if name in self else None
            if target is None:
                self.form_errors.append(error.message)
            else:
                target.errors = list(target.errors) + [_(_sentence(error.message))]

    def query_args(self, **changes) -> dict:
        """The current filters as query-string arguments (for sort and page links), with changes applied."""
        args = {
            name: field.raw_data[0]
            for name, field in self._fields.items()
            if field.raw_data and field.raw_data[0] not in ("", None)
        }
        args.update(changes)
        return {k: v for k, v in args.items() if v not in ("", None)}


class DownloadPdfForm(PortalForm):
    """The "Download PDF" button: a POST with a CSRF token, so a link elsewhere cannot trigger it."""


def _sentence(message: str) -> str:
    return message[0].upper() + message[1:] + ("" if message.endswith(".") else ".")
