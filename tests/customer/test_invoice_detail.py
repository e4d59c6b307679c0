"""Invoice detail: facts, amounts, spend breakdown and charts, and nothing a customer must not see."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from portal.billing.fill import fill_invoice
from portal.billing.invoices import approve_invoice, create_invoice
from portal.billing.payments import record_payment
from portal.extensions import db
from tests.factories import (
    AccountFactory,
    CdrFactory,
    CountryFactory,
    CustomerUserFactory,
    NetworkFactory,
    ServiceFactory,
    TransactionFactory,
)
from tests.invoices import raise_may_invoice
from tests.statements import recorded_statements

UTC = dt.timezone.utc
D = Decimal


@pytest.fixture
def filled(customer):
    """An approved invoice of a Berlin account built by the real engine from CDRs and transactions."""
    account = AccountFactory(
        customer=customer,
        timezone="Europe/Berlin",
        currency="EUR",
        vat_rate=D("19"),
        name="Berlin trunk",
        invoice_ref_template="REF-BERLIN-$id",
    )
    carrier = AccountFactory(name="Some carrier")
    de = CountryFactory(iso2="DE", name="Germany")
    fr = CountryFactory(iso2="FR", name="France")
    vodafone = NetworkFactory(name="Vodafone DE", country=de)
    orange = NetworkFactory(name="Orange FR", country=fr)
    t = dt.datetime(2026, 5, 10, 12, tzinfo=UTC)
    for success in (True, True, True, False):
        CdrFactory(
            customer_acc_id=account.id,
            vendor_acc_id=carrier.id,
            time_start=t,
            success=success,
            dst_prefix="4917",
            network=vodafone,
            customer_price=D("1.25"),
            customer_duration=120 if success else 0,
            destination_rate=D("0.625"),
        )
    CdrFactory(
        customer_acc_id=account.id,
        vendor_acc_id=carrier.id,
        time_start=t,
        dst_prefix="336",
        network=orange,
        customer_price=D("2.00"),
        destination_rate=D("2"),
    )
    # The customer also terminates traffic and earns from it: a credit on the statement.
    CdrFactory(
        customer_acc_id=carrier.id,
        vendor_acc_id=account.id,
        time_start=t,
        vendor_price=D("7.77"),
        dialpeer_prefix="4930",
        country_id=de.id,
    )
    port = ServiceFactory(name="Number porting")
    goodwill = ServiceFactory(name="Goodwill")
    TransactionFactory(account=account, service=port, amount=D("15.00"), created_at=t)
    TransactionFactory(account=account, service=goodwill, amount=D("-3.00"), category="refund", created_at=t)
    return raise_may_invoice(account)


def test_detail_shows_facts_amounts_and_period_in_account_time_zone(signed_in, filled):
    html = signed_in.get(f"/portal/invoices/{filled.uuid}").get_data(as_text=True)
    assert filled.invoice_number in html
    assert f"<dd>REF-BERLIN-{filled.id}</dd>" in html
    # [May 1, June 1) in Berlin: the last day covered is May 31.
    assert "May 1, 2026 – May 31, 2026" in html and "Europe/Berlin" in html
    assert "Jun 2, 2026" in html and "Jul 2, 2026" in html
    for value in (filled.net_amount, filled.vat_amount, filled.total_amount, filled.outstanding):
        assert f"€{value:,.2f}" in html
    assert "VAT 19% on" in html


def test_spend_breakdown_tables_and_charts(signed_in, filled):
    html = signed_in.get(f"/portal/invoices/{filled.uuid}").get_data(as_text=True)
    assert "Originated calls by destination" in html and "Originated calls by network" in html
    row = re.search(r"<th scope=\"row\">4917</th>(.*?)</tr>", html, re.S).group(1)
    cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    # country, network, rate, calls, successful calls, minutes, discount, amount
    assert cells == ["Germany", "Vodafone DE", "0.6250", "4", "3", "6.0", "—", "€5.00"]
    assert "France" in html and "Orange FR" in html
    assert "Number porting" in html and "€15.00" in html
    assert "Goodwill – credit" in html and "−€3.00" in html
    assert html.count("<svg") == 2
    assert "Spend by country" in html and "Originated, terminated and services" in html


def test_credited_traffic_is_a_signed_credit_line_and_internal_states_stay_hidden(signed_in, filled):
    assert filled.amount_earned > 0
    html = signed_in.get(f"/portal/invoices/{filled.uuid}").get_data(as_text=True)
    assert "earned" not in html.lower()
    # The net includes the credited traffic, so the page shows it: with a minus sign and the word.
    assert re.search(r"Terminated calls – credit.*?−€7\.77", html, re.S)
    for internal in ("Approved", "Pending", "Auto Full", "Manual", "billing run"):
        assert internal not in html, internal


def test_reverse_charge_is_explained_instead_of_vat(client, login, filled):
    customer = filled.customer
    customer.reverse_charge = True
    other = create_invoice(
        account_id=filled.account_id,
        start_date="2026-06-01",
        end_date="2026-07-01",
        now=dt.datetime(2026, 11, 1, tzinfo=UTC),
    )
    TransactionFactory(account=filled.account, amount=D("100"), created_at=dt.datetime(2026, 6, 5, tzinfo=UTC))
    fill_invoice(other)
    approve_invoice(other, today=dt.date(2026, 7, 2))
    user = CustomerUserFactory(customer=customer)
    db.session.commit()
    login(user)
    html = client.get(f"/portal/invoices/{other.uuid}").get_data(as_text=True)
    assert "reverse charge" in html and "€19.00" in html


@pytest.mark.parametrize("paid, status", [(None, "Overdue"), ("1.00", "Overdue"), ("all", "Paid")])
def test_payment_status(signed_in, filled, paid, status):
    if paid:
        amount = filled.outstanding if paid == "all" else D(paid)
        record_payment(filled, amount=amount, paid_on=dt.date(2026, 6, 20), today=dt.date(2026, 7, 1))
        db.session.commit()
    html = signed_in.get(f"/portal/invoices/{filled.uuid}").get_data(as_text=True)
    assert re.search(rf'class="badge badge--\w+">{status}</span>', html)


def test_partially_paid_before_the_due_date(signed_in, filled):
    filled.due_date = dt.date.today() + dt.timedelta(days=5)
    record_payment(filled, amount=D("1.00"), paid_on=dt.date(2026, 6, 20), today=dt.date(2026, 7, 1))
    db.session.commit()
    html = signed_in.get(f"/portal/invoices/{filled.uuid}").get_data(as_text=True)
    assert ">Partially paid</span>" in html


def test_detail_query_count_does_not_grow_with_rows(signed_in, filled):
    from tests.customer.test_invoice_list import _count_queries

    url = f"/portal/invoices/{filled.uuid}"
    few = _count_queries(signed_in, url)
    de = CountryFactory(iso2="DE", name="Germany")
    networks = [NetworkFactory(name=f"Net {i}", country=de) for i in range(20)]
    from portal.models import InvoiceDestination, InvoiceNetwork

    for i, net in enumerate(networks):
        for model, extra in ((InvoiceDestination, {"dst_prefix": f"49{i:03d}"}), (InvoiceNetwork, {})):
            db.session.add(
                model(
                    invoice_id=filled.id,
                    direction="originated",
                    country_id=de.id,
                    network_id=net.id,
                    rate=D("0.1"),
                    spent=True,
                    calls_count=1,
                    successful_calls_count=1,
                    calls_duration=60,
                    billing_duration=60,
                    amount=D("0.1"),
                    **extra,
                )
            )
    db.session.commit()
    many = _count_queries(signed_in, url)
    assert many == few
    assert "Net 19" in signed_in.get(url).get_data(as_text=True)


def test_detail_reads_the_traffic_rows_once_for_the_statement_and_the_breakdown(signed_in, filled):
    with recorded_statements() as seen:
        html = signed_in.get(f"/portal/invoices/{filled.uuid}").get_data(as_text=True)
    for table in ("invoice_destinations", "invoice_networks", "invoice_service_data"):
        assert len([s for s in seen if re.search(rf"\bFROM {table}\b", s)]) == 1, table
    # Country and network names come joined to the rows, not in queries of their own.
    assert not [s for s in seen if re.search(r"\bFROM (countries|networks)\b", s)]
    # The breakdown built from those rows: spent traffic only, by network, and spend per country.
    assert "Originated calls by network" in html and "Vodafone DE" in html
    chart = re.search(r"Spend by country.*?</svg>", html, re.S).group(0)
    assert "Germany" in chart and "€5.00" in chart
