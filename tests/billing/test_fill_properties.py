"""Property: for any CDRs and transactions, the filled totals equal the sums of the detail rows
and a direct recomputation from the raw data."""

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.billing.fill import fill_invoice
from portal.billing.invoices import create_invoice
from portal.extensions import db
from portal.models import Cdr, Transaction
from tests.factories import AccountFactory

UTC = dt.timezone.utc
START = dt.datetime(2026, 3, 1, tzinfo=UTC)
END = dt.datetime(2026, 4, 1, tzinfo=UTC)
NOW = dt.datetime(2026, 11, 1, tzinfo=UTC)

prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("50"), places=6, allow_nan=False)
moments = st.integers(min_value=-3 * 86400, max_value=34 * 86400).map(lambda s: START + dt.timedelta(seconds=s))
cdrs = st.lists(
    st.fixed_dictionaries(
        {
            "side": st.sampled_from(["customer", "vendor", "both"]),
            "time_start": moments,
            "duration": st.integers(0, 7200),
            "billed": st.integers(0, 7200),
            "success": st.booleans(),
            "is_last_cdr": st.booleans(),
            "price": prices,
            "vendor_price": prices,
            "prefix": st.sampled_from(["49", "4915", "44", "447", "33"]),
            "rate": st.sampled_from([Decimal("0.01"), Decimal("0.125")]),
            "reverse": st.booleans(),
        }
    ),
    max_size=25,
)
transactions = st.lists(
    st.fixed_dictionaries(
        {
            "amount": st.decimals(
                min_value=Decimal("-100"), max_value=Decimal("100"), places=6, allow_nan=False
            ).filter(lambda d: d != 0),
            "created_at": moments,
            "category": st.sampled_from(["recurring", "one-off", "refund", "manual"]),
        }
    ),
    max_size=8,
)


def in_period(moment) -> bool:
    return START <= moment < END


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cdr_specs=cdrs, tx_specs=transactions)
def test_totals_equal_rows_and_direct_recomputation(app, cdr_specs, tx_specs):
    account, other = AccountFactory(), AccountFactory()
    for spec in cdr_specs:
        customer = account.id if spec["side"] in ("customer", "both") else other.id
        vendor = account.id if spec["side"] in ("vendor", "both") else other.id
        db.session.add(
            Cdr(
                time_start=spec["time_start"],
                duration=spec["duration"],
                customer_duration=spec["billed"],
                vendor_duration=spec["billed"],
                success=spec["success"],
                customer_acc_id=customer,
                vendor_acc_id=vendor,
                customer_price=spec["price"],
                vendor_price=spec["vendor_price"],
                dst_prefix=spec["prefix"],
                dialpeer_prefix=spec["prefix"],
                destination_rate=spec["rate"],
                dialpeer_rate=spec["rate"],
                destination_reverse_billing=spec["reverse"],
                dialpeer_reverse_billing=spec["reverse"],
                is_last_cdr=spec["is_last_cdr"],
            )
        )
    for spec in tx_specs:
        db.session.add(Transaction(account_id=account.id, **spec))
    db.session.flush()

    invoice = fill_invoice(create_invoice(account_id=account.id, start_date=START, end_date=END, now=NOW))

    # 1. Totals are the sums of the rows.
    for side in ("originated", "terminated"):
        rows = [r for r in invoice.destinations if r.direction == side]
        assert getattr(invoice, f"{side}_amount_spent") == sum((r.amount for r in rows if r.spent), Decimal(0))
        assert getattr(invoice, f"{side}_amount_earned") == sum((r.amount for r in rows if not r.spent), Decimal(0))
        assert getattr(invoice, f"{side}_calls_count") == sum(r.calls_count for r in rows)
        networks = [n for n in invoice.networks if n.direction == side]
        assert sum(n.calls_count for n in networks) == sum(r.calls_count for r in rows)
        assert sum((n.amount for n in networks), Decimal(0)) == sum((r.amount for r in rows), Decimal(0))
    assert invoice.services_amount_spent == sum((r.amount for r in invoice.service_data if r.spent), Decimal(0))
    assert invoice.amount_total == invoice.amount_spent - invoice.amount_earned

    # 2. Totals equal a recomputation straight from the generated data and the billing rules.
    originated = [
        s for s in cdr_specs if s["side"] in ("customer", "both") and s["is_last_cdr"] and in_period(s["time_start"])
    ]
    terminated = [s for s in cdr_specs if s["side"] in ("vendor", "both") and in_period(s["time_start"])]
    assert invoice.originated_calls_count == len(originated)
    assert invoice.originated_successful_calls_count == sum(1 for s in originated if s["success"])
    assert invoice.originated_calls_duration == sum(s["duration"] for s in originated)
    assert invoice.originated_billing_duration == sum(s["billed"] for s in originated)
    assert invoice.originated_amount_spent == sum((s["price"] for s in originated if not s["reverse"]), Decimal(0))
    assert invoice.originated_amount_earned == sum((s["price"] for s in originated if s["reverse"]), Decimal(0))
    assert invoice.terminated_calls_count == len(terminated)
    assert invoice.terminated_amount_earned == sum(
        (s["vendor_price"] for s in terminated if not s["reverse"]), Decimal(0)
    )
    assert invoice.terminated_amount_spent == sum((s["vendor_price"] for s in terminated if s["reverse"]), Decimal(0))
    txs = [t for t in tx_specs if in_period(t["created_at"])]
    assert invoice.services_amount_spent == sum((t["amount"] for t in txs if t["amount"] > 0), Decimal(0))
    assert invoice.services_amount_earned == sum((-t["amount"] for t in txs if t["amount"] < 0), Decimal(0))
    assert invoice.service_transactions_count == len(txs)
    assert invoice.charges_non_call == sum((t["amount"] for t in txs), Decimal(0))
    if originated:
        assert invoice.originated_first_call_at == min(s["time_start"] for s in originated)
        assert invoice.originated_last_call_at == max(s["time_start"] for s in originated)
    else:
        assert invoice.originated_first_call_at is None
