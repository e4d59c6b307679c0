"""Forms of the customer portal: the invoice list filters (GET, no CSRF), the account switcher, PDF download."""

from __future__ import annotations

import datetime as dt

from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from portal.forms import PortalForm, choices
from portal.foundations.dates import FIRST_DAY, LAST_DAY, in_day_range
from portal.foundations.errors import ValidationFailed
from portal.models import STATUS_FILTER_LABELS
from portal.reading.customer_views import PAGE_SIZES, PRESETS, SORTS, STATUSES, CustomerInvoiceFilters, preset_window

DATE_MESSAGE = "Enter a date as YYYY-MM-DD."
DAY_RANGE_FIELD_MESSAGE = f"Enter a date between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}."
MAX_PAGE = 100_000


class _GetForm(PortalForm):
    """A filter form read from the query string: bookmarkable, so no CSRF token."""

    class Meta:
        csrf = False

    def __init__(self, formdata, accounts, **kwargs):
        super().__init__(formdata=formdata, **kwargs)
        if hasattr(self, "account"):
            self.account.choices = choices([("", "All accounts")] + [(str(a.id), a.name) for a in accounts])

    def validate_account(self, field):
        # Unknown ids and ids of other customers get the same answer: they are not the user's.
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose one of your accounts.")

    @property
    def account_id(self) -> int | None:
        return int(self.account.data) if self.account.data else None


class AccountSwitchForm(_GetForm):
    account = SelectField("Account", validate_choice=False)


class InvoiceFilterForm(_GetForm):
    account = SelectField("Account", validate_choice=False)
    preset = SelectField(
        "Period", choices=choices([("", "Custom dates")] + list(PRESETS.items())), validate_choice=False
    )
    period_from = DateField("Period from", validators=[Optional()], render_kw={"autocomplete": "off"})
    period_to = DateField("Period to", validators=[Optional()])
    invoice_date_from = DateField("Invoice date from", validators=[Optional()])
    invoice_date_to = DateField("Invoice date to", validators=[Optional()])
    due_date_from = DateField("Due date from", validators=[Optional()])
    due_date_to = DateField("Due date to", validators=[Optional()])
    status = SelectField(
        "Status",
        choices=choices([("", "Any status")] + [(s, STATUS_FILTER_LABELS[s]) for s in STATUSES]),
        validate_choice=False,
    )
    number = StringField("Invoice number", validators=[Optional(), Length(max=64)])
    per_page = SelectField(
        "Per page", choices=choices((str(n), str(n)) for n in PAGE_SIZES), default="25", validate_choice=False
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
            raise ValidationError("Choose one of the listed periods.")

    def validate_status(self, field):
        if field.data and field.data not in STATUSES:
            raise ValidationError("Choose unpaid, paid or overdue.")

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
                DATE_MESSAGE if "date" in str(e).lower() and "valid" in str(e).lower() else e for e in field.errors
            ]
            # A real date can still be too far out to become an instant in the account's zone.
            if not field.errors and field.data and not in_day_range(field.data):
                field.errors = [DAY_RANGE_FIELD_MESSAGE]
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
                target.errors = list(target.errors) + [_sentence(error.message)]

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
