"""Invoice state changes are atomic and invoice numbers gapless, proven through the real server.

Many requests released together by a barrier (each on its own connection, as browsers and API
clients would be) race for the same change: exactly one acts, the others get the service's
refusal in their face's format, never a 500, and the database is never left half-changed.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from decimal import Decimal

import pytest
import requests
from sqlalchemy import func, select

from portal.billing import fill as fill_module
from portal.billing.fill import fill_invoice
from portal.billing.tasks import fill_invoice_job
from portal.documents.service import pdf_filename
from portal.documents.tasks import enqueue_render_pdf
from portal.extensions import db
from portal.foundations.errors import NotFound
from portal.foundations.money import round_currency
from portal.models import AuditEvent, Invoice, InvoiceDocument, InvoiceNumberCounter, Payment
from tests.factories import PASSWORD, AdminUserFactory, CdrFactory, DiscountPlanFactory, InvoiceFactory
from tests.invoices import enqueued_pdf_jobs as enqueued  # noqa: F401 - fixture
from tests.invoices import make_invoice
from tests.live import csrf_token, signed_in_session

APPROVED_AS = re.compile(r"Invoice approved as (INV-\d{4}-\d{6})\.")


class Admin:
    """One signed-in admin on the live server; `session()` gives another connection with the same cookie."""

    def __init__(self, live_server, level: int = 5):
        user = AdminUserFactory(level=level)
        db.session.commit()
        self.url = live_server.url
        self._signed_in = signed_in_session(self.url, user.email, PASSWORD)
        self.token = csrf_token(self._signed_in.get(f"{self.url}/admin/invoices", timeout=30).text)

    def session(self) -> requests.Session:
        http = requests.Session()
        http.cookies.update(self._signed_in.cookies)
        return http

    def post(
        self, http: requests.Session, path: str, data: dict | None = None, *, redirects: bool = True
    ) -> requests.Response:
        return http.post(
            f"{self.url}{path}",
            data={"csrf_token": self.token, **(data or {})},
            timeout=120,
            allow_redirects=redirects,
        )


def race(calls) -> list:
    """Run each zero-argument call in its own thread, released together; their results (or exceptions) in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # reported by the assertions
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return results


def assert_answered(responses) -> None:
    """Every request got a proper page: no exception, no server error (redirects followed)."""
    for response in responses:
        assert isinstance(response, requests.Response), response
        assert response.status_code < 500, (response.status_code, response.text[:500])


def events(action: str, invoice_id: int, *, after: int = 0) -> list[AuditEvent]:
    """The audit events of `action` on the invoice, with ids above `after` (SQLite reuses a deleted invoice's id)."""
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.subject_id == invoice_id, AuditEvent.id > after
            )
        )
    )


def approved_events(invoice_id: int, *, after: int = 0) -> list[AuditEvent]:
    return events("invoice.approved", invoice_id, after=after)


def last_event_id() -> int:
    return db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))


def issued_so_far() -> int:
    return db.session.scalar(select(func.coalesce(func.sum(InvoiceNumberCounter.last_value), 0)))


def sequence(number: str) -> int:
    return int(number.rsplit("-", 1)[1])


# --- approving ---------------------------------------------------------------------------------


def test_fifty_simultaneous_approvals_of_one_invoice_approve_it_once_with_one_number(app, live_server):
    invoice = make_invoice("Pending")
    invoice_id = invoice.id
    admin = Admin(live_server)
    sessions = [admin.session() for _ in range(50)]

    responses = race([lambda http=http: admin.post(http, f"/admin/invoices/{invoice_id}/approve") for http in sessions])

    assert_answered(responses)
    winners = [APPROVED_AS.search(r.text).group(1) for r in responses if APPROVED_AS.search(r.text)]
    assert len(winners) == 1, [r.text[:300] for r in responses if "approved" not in r.text]
    assert sum("Invoice already approved" in r.text for r in responses) == 49
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice.id)
    assert invoice.state == "Approved" and invoice.invoice_number == winners[0]
    assert len(approved_events(invoice.id)) == 1
    assert issued_so_far() == 1 and sequence(winners[0]) == 1
    # Rendered once, after the commit (inline: no queue in the tests), with the number on it.
    document = db.session.scalars(select(InvoiceDocument).filter_by(invoice_id=invoice.id, kind="pdf")).one()
    assert document.filename == pdf_filename(invoice)
    rendered = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "invoice.pdf_rendered"))
    assert rendered == 1


def test_fifty_invoices_approved_at_once_get_a_gapless_sequence_of_numbers(app, live_server, enqueued):
    pending = [make_invoice("Pending") for _ in range(50)]
    admin = Admin(live_server)

    responses = race(
        [
            lambda http=admin.session(), pk=invoice.id: admin.post(http, f"/admin/invoices/{pk}/approve")
            for invoice in pending
        ]
    )

    assert_answered(responses)
    assert all(APPROVED_AS.search(r.text) for r in responses)
    db.session.expire_all()
    numbers = [db.session.get(Invoice, invoice.id).invoice_number for invoice in pending]
    assert sorted(sequence(n) for n in numbers) == list(range(1, 51))  # no duplicate, no hole
    assert issued_so_far() == 50
    # One PDF job per approval, each enqueued after its approval was committed.
    assert sorted(enqueued) == sorted((invoice.id, "Approved") for invoice in pending)


def test_approving_through_the_admin_page_enqueues_the_pdf_after_the_commit_and_renders_nothing_inline(
    app, live_server, enqueued
):
    invoice = make_invoice("Pending")
    admin = Admin(live_server)

    response = admin.post(admin.session(), f"/admin/invoices/{invoice.id}/approve")

    assert response.status_code == 200 and APPROVED_AS.search(response.text)
    assert enqueued == [(invoice.id, "Approved")]  # the job saw the approval committed
    assert db.session.scalar(select(func.count(InvoiceDocument.id)).filter_by(invoice_id=invoice.id)) == 0
    enqueue_render_pdf(invoice.id)  # what the worker does (inline here)
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice.id)
    assert db.session.scalars(select(InvoiceDocument).filter_by(invoice_id=invoice.id)).one().filename == pdf_filename(
        invoice
    )


def test_approving_through_the_admin_page_without_a_queue_leaves_the_pdf_stored(app, live_server):
    invoice = make_invoice("Pending")
    admin = Admin(live_server)

    admin.post(admin.session(), f"/admin/invoices/{invoice.id}/approve")

    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice.id)
    document = db.session.scalars(select(InvoiceDocument).filter_by(invoice_id=invoice.id, kind="pdf")).one()
    assert invoice.state == "Approved" and document.filename == f"{invoice.invoice_number}.pdf"
    assert document.data.startswith(b"%PDF")


# --- delete, payments, refill, discounts, documents against approval ---------------------------


def test_delete_and_approve_at_once_exactly_one_wins_and_nothing_is_half_done(app, live_server):
    admin = Admin(live_server)
    outcomes = set()
    for _ in range(4):
        invoice = make_invoice("Pending")
        invoice_id, issued_before, mark = invoice.id, issued_so_far(), last_event_id()
        approve, delete = race(
            [
                lambda: admin.post(admin.session(), f"/admin/invoices/{invoice_id}/approve"),
                lambda: admin.post(admin.session(), f"/admin/invoices/{invoice_id}/delete", {"confirmed": "yes"}),
            ]
        )
        assert_answered([approve, delete])
        db.session.expire_all()
        survivor = db.session.get(Invoice, invoice_id)
        deleted_events = events("invoice.deleted", invoice_id, after=mark)
        if survivor is None:  # the delete won: no approval, no number issued
            outcomes.add("deleted")
            assert "deleted." in delete.text and not APPROVED_AS.search(approve.text)
            assert approve.status_code == 404 or "no longer exists" in approve.text
            assert approved_events(invoice_id, after=mark) == [] and len(deleted_events) == 1
            assert issued_so_far() == issued_before
        else:  # the approval won: the delete was refused
            outcomes.add("approved")
            assert survivor.state == "Approved" and APPROVED_AS.search(approve.text)
            assert (
                "Approved invoice can&#39;t be deleted" in delete.text
                or "Approved invoice can't be deleted" in delete.text
            )
            assert len(approved_events(invoice_id, after=mark)) == 1 and deleted_events == []
            assert issued_so_far() == issued_before + 1
    assert outcomes  # which one wins is up to the scheduler


@pytest.mark.parametrize("payers, share, landed", [(2, "0.6", 1), (10, "0.3", 3)])
def test_payments_at_once_never_pay_more_than_the_total(app, live_server, payers, share, landed):
    invoice = make_invoice("Approved")
    invoice_id, total = invoice.id, invoice.total_amount
    amount = (total * Decimal(share)).quantize(Decimal("0.01"))
    admin = Admin(live_server)

    responses = race(
        [
            lambda http=admin.session(): admin.post(
                http, f"/admin/invoices/{invoice_id}/payments", {"amount": str(amount), "paid_on": "2026-06-10"}
            )
            for _ in range(payers)
        ]
    )

    assert_answered(responses)
    assert sum("recorded." in r.text for r in responses) == landed
    assert sum("is more than the outstanding amount" in r.text for r in responses) == payers - landed
    db.session.expire_all()
    invoice = db.session.get(Invoice, invoice.id)
    assert db.session.scalar(select(func.count(Payment.id)).filter_by(invoice_id=invoice.id)) == landed
    assert invoice.paid_amount == amount * landed
    assert invoice.outstanding == total - amount * landed and invoice.outstanding >= 0


def _with_new_cdr(invoice):
    """A call in the period added after the fill, so that updating the call transactions changes the amounts."""
    CdrFactory(
        customer_acc_id=invoice.account_id,
        time_start=dt.datetime(2026, 5, 20, tzinfo=dt.timezone.utc),
        customer_price=Decimal("7.000000"),
    )


def _with_new_discount(invoice):
    """A discount plan added after the fill, so that reapplying discount plans changes the amounts."""
    DiscountPlanFactory(account=invoice.account, percent=Decimal("50"))


@pytest.mark.parametrize(
    "action, event, change",
    [
        ("refill", "invoice.refilled", _with_new_cdr),
        ("reapply-discounts", "invoice.discounts_reapplied", _with_new_discount),
        ("recreate", "invoice.documents_recreated", None),
    ],
)
def test_changes_racing_an_approval_never_change_an_approved_invoice(app, live_server, action, event, change):
    admin = Admin(live_server)
    for _ in range(3):
        invoice = make_invoice("Pending")
        if change:
            change(invoice)
            db.session.commit()
        invoice_id, mark = invoice.id, last_event_id()
        approve, other = race(
            [
                lambda: admin.post(admin.session(), f"/admin/invoices/{invoice_id}/approve"),
                lambda: admin.post(admin.session(), f"/admin/invoices/{invoice_id}/{action}"),
            ]
        )
        assert_answered([approve, other])
        assert APPROVED_AS.search(approve.text)
        db.session.expire_all()
        invoice = db.session.get(Invoice, invoice_id)
        [approval] = approved_events(invoice_id, after=mark)
        # The raised amounts are those of the rows the approval saw, and nothing changed them afterwards.
        assert invoice.state == "Approved"
        assert invoice.net_amount == round_currency(invoice.amount_total, invoice.currency)
        assert invoice.total_amount == invoice.net_amount + invoice.vat_amount == Decimal(approval.details["total"])
        rows = sum((r.amount if r.spent else -r.amount for r in invoice.destinations), Decimal(0)) + sum(
            (r.amount if r.spent else -r.amount for r in invoice.service_data), Decimal(0)
        )
        assert rows == invoice.amount_total
        later = events(event, invoice_id, after=approval.id)
        if action == "recreate":
            document = db.session.scalars(select(InvoiceDocument).filter_by(invoice_id=invoice_id, kind="pdf")).one()
            assert document.filename == f"{invoice.invoice_number}.pdf"  # never a draft on an approved invoice
        else:
            assert later == []
            assert "only" in other.text or "updated" in other.text or "reapplied" in other.text


# --- bulk approval -----------------------------------------------------------------------------


def bulk_approval_done(admin: Admin, location: str, seconds: float = 120) -> str:
    """The progress page of a bulk approval once its job has finished approving (polled like the page does)."""
    deadline = time.monotonic() + seconds
    while True:
        page = admin.session().get(f"{admin.url}{location}", timeout=60).text
        if 'data-status="done"' in page:
            return page
        assert time.monotonic() < deadline, "the bulk approval never finished"
        time.sleep(0.2)


def test_bulk_approvals_and_single_approvals_at_once_approve_each_invoice_once_without_deadlock(app, live_server):
    pending = [make_invoice("Pending") for _ in range(10)]
    ids = [invoice.id for invoice in pending]
    admin = Admin(live_server)

    def bulk(selection):
        return lambda: admin.post(
            admin.session(), "/admin/invoices/bulk", {"action": "approve", "ids": selection}, redirects=False
        )

    responses = race(
        [bulk(ids), bulk(ids[:5])]
        + [lambda pk=pk: admin.post(admin.session(), f"/admin/invoices/{pk}/approve") for pk in ids]
    )

    assert_answered(responses)
    for response in responses[:2]:
        assert response.status_code == 303, response.text[:300]
        bulk_approval_done(admin, response.headers["Location"])
    db.session.expire_all()
    numbers = [db.session.get(Invoice, pk).invoice_number for pk in ids]
    assert sorted(sequence(n) for n in numbers) == list(range(1, 11))
    assert all(len(approved_events(pk)) == 1 for pk in ids)


def test_a_double_submitted_bulk_approval_approves_each_invoice_once_with_a_gapless_sequence(
    app, live_server, enqueued
):
    pending = [make_invoice("Pending") for _ in range(30)]
    ids = [invoice.id for invoice in pending]
    admin = Admin(live_server)
    form = {"action": "approve", "ids": ids}

    responses = race(
        [lambda: admin.post(admin.session(), "/admin/invoices/bulk", form, redirects=False) for _ in range(2)]
    )

    assert_answered(responses)
    assert [r.status_code for r in responses] == [303, 303]
    locations = {r.headers["Location"] for r in responses}
    assert len(locations) == 1  # the second submit found the first batch
    page = bulk_approval_done(admin, locations.pop())
    assert "30 approved · 0 skipped · 0 failed · 0 waiting" in page and "30 of 30 approved" in page
    db.session.expire_all()
    numbers = [db.session.get(Invoice, pk).invoice_number for pk in ids]
    assert sorted(sequence(n) for n in numbers) == list(range(1, 31))  # no duplicate, no hole
    assert issued_so_far() == 30
    assert all(len(approved_events(pk)) == 1 for pk in ids)
    assert sorted(enqueued) == sorted((pk, "Approved") for pk in ids)  # one PDF job each, after its commit


# --- the other faces ---------------------------------------------------------------------------


def test_api_deletes_racing_an_approval_answer_in_their_own_format(app, live_server):
    from tests.api.jsonapi.conftest import ADMIN as JSONAPI_ADMIN
    from tests.api.key_clients import bearer, make_key

    key = make_key()
    user = AdminUserFactory(level=5)
    db.session.commit()
    token = requests.post(
        f"{live_server.url}{JSONAPI_ADMIN}/auth",
        timeout=30,
        json={"auth": {"username": user.email, "password": PASSWORD}},
    ).json()["jwt"]
    admin = Admin(live_server)
    for _ in range(3):
        invoice = make_invoice("Pending")
        invoice_id, mark = invoice.id, last_event_id()
        approve, backend, jsonapi = race(
            [
                lambda: admin.post(admin.session(), f"/admin/invoices/{invoice_id}/approve"),
                lambda: requests.delete(
                    f"{live_server.url}/backend/api/v1/invoices/{invoice_id}", headers=bearer(key), timeout=60
                ),
                lambda: requests.delete(
                    f"{live_server.url}{JSONAPI_ADMIN}/invoices/{invoice_id}",
                    timeout=60,
                    headers={"Authorization": f"Bearer {token}", "Accept": "application/vnd.api+json"},
                ),
            ]
        )
        assert_answered([approve, backend, jsonapi])
        db.session.expire_all()
        survivor = db.session.get(Invoice, invoice_id)
        deletes = [backend.status_code, jsonapi.status_code]
        if survivor is None:
            assert deletes.count(204) == 1 and not APPROVED_AS.search(approve.text)
            assert approved_events(invoice_id, after=mark) == []
        else:
            assert survivor.state == "Approved" and 204 not in deletes
        if backend.status_code != 204:
            assert backend.json()["error_code"] in (400005, 404001)
        if jsonapi.status_code != 204:
            assert jsonapi.status_code in (404, 422) and "errors" in jsonapi.json()


# --- services ----------------------------------------------------------------------------------


def test_a_number_is_never_issued_twice_for_one_invoice(app):
    from portal.billing.invoices import approve_invoice
    from portal.billing.numbering import issue_invoice_number
    from portal.foundations.errors import InvalidState

    invoice = make_invoice("Approved")
    with pytest.raises(InvalidState, match="already has a number"):
        issue_invoice_number(invoice)
    with pytest.raises(InvalidState, match="Invoice already approved"):
        approve_invoice(invoice)
    db.session.rollback()
    assert issued_so_far() == 1


def test_billing_run_with_approval_numbers_gaplessly_and_stores_every_pdf(app, runner):
    from tests.factories import AccountFactory

    UTC = dt.timezone.utc
    for _ in range(3):
        account = AccountFactory(
            invoice_period="Daily", next_invoice_at=dt.datetime(2026, 5, 2, tzinfo=UTC), next_invoice_type="Auto Full"
        )
        CdrFactory(customer_acc_id=account.id, time_start=dt.datetime(2026, 5, 1, 12, tzinfo=UTC))
    db.session.commit()

    result = runner.invoke(args=["billing", "run", "--at", "2026-05-04T06:00:00Z", "--approve"])

    assert result.exit_code == 0, result.output
    invoices = db.session.scalars(select(Invoice)).all()
    assert len(invoices) == 9 and {i.state for i in invoices} == {"Approved"}
    assert sorted(sequence(i.invoice_number) for i in invoices) == list(range(1, 10))
    with_pdf = db.session.scalar(select(func.count(InvoiceDocument.id)).where(InvoiceDocument.kind == "pdf"))
    assert with_pdf == 9


def test_an_invoice_filled_twice_at_once_is_filled_once(app):
    """Two fills of a New invoice at once (a retried job): one fills, the other finds it filled."""
    from portal.foundations.errors import InvalidState

    invoice = InvoiceFactory()
    CdrFactory(customer_acc_id=invoice.account_id)
    db.session.commit()
    invoice_id = invoice.id

    def fill():
        with app.app_context():
            try:
                fill_invoice(db.session.get(Invoice, invoice_id))
                db.session.commit()
                return "filled"
            except InvalidState as exc:
                db.session.rollback()
                return exc.message
            finally:
                db.session.remove()

    assert sorted(map(str, race([fill, fill]))) == ["filled", "invoice already filled"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "invoice.filled")) == 1


def test_a_fill_job_for_an_invoice_deleted_before_its_lock_reports_it_gone(app, monkeypatch):
    invoice = make_invoice("New")
    db.session.commit()

    def deleted_meanwhile(_invoice):
        raise NotFound("The record identified by it could not be found.")

    monkeypatch.setattr(fill_module, "lock_invoice", deleted_meanwhile)
    assert fill_invoice_job.call_local(invoice.id) == "gone"
