"""Who and when of an e-invoice: seller and buyer (BG-4, BG-7), the period (BG-14), terms, references and payment.

The money of the e-invoice comes from the invoice statement (`portal.statement`); this module
only turns the organization's and the customer's records, and the statement's payment
instructions, into the EN 16931 structures.
"""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.einvoice.model import Address, Identifier, Party, PaymentMeans, Period
from portal.foundations.dates import local_date
from portal.models import Customer, Invoice, Organization
from portal.statement import PaymentInstructions

_INSTANT = dt.timedelta(microseconds=1)
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
#: Peppol endpoint schemes (CEF EAS) for a VAT number of these countries; elsewhere the e-mail address (EM).
VAT_ENDPOINT_SCHEMES = {
    "AT": "9914",
    "BE": "9925",
    "DE": "9930",
    "ES": "9920",
    "FR": "9957",
    "GB": "9932",
    "NL": "9944",
    "PL": "9945",
}
# The line of an address that holds the postcode and the city, by how the countries write it.
_POSTCODE_FIRST = re.compile(r"^(\d{2}-\d{3}|\d{4}\s?[A-Z]{2}|\d{4,5})\s+(.+)$")  # DE FR ES IT PL TR NL
_POSTCODE_LAST = re.compile(r"^(.+?),?\s+((?:[A-Z]{2}\s+)?\d{5,6}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})$")


def split_address(text: str | None, country_code: str) -> Address:
    """An Address from a free-text address: the country line dropped, postcode and city found where they can be."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > 1 and not any(ch.isdigit() for ch in lines[-1]):
        lines = lines[:-1]  # the country's name: the code says it
    city = postcode = subdivision = None
    if lines:
        last = lines[-1]
        if match := _POSTCODE_FIRST.match(last):
            postcode, city = match.group(1), match.group(2)
            lines = lines[:-1]
        elif match := _POSTCODE_LAST.match(last):
            city, postcode = match.group(1).rstrip(","), match.group(2)
            if " " in postcode and postcode.split()[0].isalpha() and postcode.split()[0].isupper():
                subdivision, postcode = postcode.split(maxsplit=1)  # "NY 10001"
            lines = lines[:-1]
    if len(lines) > 3:
        lines = [*lines[:2], ", ".join(lines[2:])]
    return Address(country_code, tuple(lines), city, postcode, subdivision)


def _country_of_vat(vat_number: str | None) -> str | None:
    prefix = (vat_number or "")[:2].upper()
    if not prefix.isalpha():
        return None
    return "GR" if prefix == "EL" else prefix


def _endpoint(vat_number: str | None, country: str, email: str | None) -> Identifier | None:
    scheme = VAT_ENDPOINT_SCHEMES.get(country)
    if vat_number and scheme:
        return Identifier(vat_number, scheme)
    if email:
        return Identifier(email, "EM")
    return None


def seller_country(org: Organization) -> str:
    """The seller's country: the prefix of its VAT number (the organization has no address fields)."""
    return _country_of_vat(org.vat_number) or "GB"


def buyer_country(customer: Customer) -> str:
    """The customer's country: its country code, else the prefix of its VAT number."""
    return (customer.country_code or _country_of_vat(customer.vat_number) or "GB").upper()


def seller_party(org: Organization) -> Party:
    """BG-4: the operator, from its organization record."""
    country = seller_country(org)
    return Party(
        name=org.legal_name or org.name,
        trading_name=org.name if org.legal_name and org.name != org.legal_name else None,
        address=split_address(org.address, country),
        vat_id=org.vat_number or None,
        electronic_address=_endpoint(org.vat_number, country, org.email),
    )


def customer_number(customer: Customer) -> str:
    """BT-46: the seller's number for the customer."""
    return f"C-{customer.id:04d}"


def buyer_party(customer: Customer) -> Party:
    """BG-7: the customer with its VAT number, address and customer number."""
    country = buyer_country(customer)
    return Party(
        name=customer.name,
        address=split_address(customer.address, country),
        vat_id=customer.vat_number or None,
        identifier=Identifier(customer_number(customer)),
        electronic_address=_endpoint(customer.vat_number, country, customer.email),
    )


def invoice_period(invoice: Invoice) -> Period:
    """BG-14: the first and last day the invoice covers, in the account's time zone (its period is half-open)."""
    tz = invoice.account.timezone
    start = local_date(invoice.start_date, tz)
    last = local_date(invoice.end_date - _INSTANT, tz)
    return Period(start, max(start, last))


def payment_terms(invoice: Invoice) -> str | None:
    """BT-20: the payment terms as text, in the current language (see `einvoices.einvoice_for`)."""
    if invoice.credited_invoice_id is not None:
        return _("Credited against invoice %(number)s", number=invoice.credited_invoice.invoice_number or "")
    days = invoice.account.payment_terms_days
    if days:
        return ngettext(
            "Payable within %(num)d day of the invoice date", "Payable within %(num)d days of the invoice date", days
        )
    return _("Payable on receipt")


def buyer_reference(invoice: Invoice) -> str:
    """BT-10: the customer's buyer reference (a Leitweg-ID), else its reference on the invoice, else the account."""
    return invoice.customer.buyer_reference or invoice.customer_reference or invoice.account.name


def payment_means(payment: PaymentInstructions) -> PaymentMeans | None:
    """BG-16 from the statement's payment instructions: a (SEPA, for EUR) credit transfer to the
    operator's IBAN with the reference to quote; none without an IBAN (EN 16931 requires the
    account for a transfer, BR-61)."""
    if not payment.iban:
        return None
    return PaymentMeans(
        type_code="58" if payment.currency == "EUR" else "30",
        iban=re.sub(r"\s", "", payment.iban).upper(),
        bic=payment.bic.upper() or None,
        account_name=payment.beneficiary or None,
        payment_reference=payment.reference,
    )
