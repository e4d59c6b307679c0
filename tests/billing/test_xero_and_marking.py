"""Xero link/unlink and mark-delivered services: module switch, UUIDs, levels, states."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from portal.billing.bulk import request_bulk_approval, selected_ids
from portal.billing.bulk_execution import execute_bulk_approval
from portal.billing.xero import link_invoice_to_xero, unlink_invoice_from_xero
from portal.delivery.marking import mark_invoice_delivered
from portal.foundations.errors import InvalidState, PermissionDenied, ValidationFailed
from portal.foundations.permissions import Actor
from portal.models import AuditEvent, BulkApprovalItem
from tests.invoices import (  # noqa: F401 - pytest fixtures
    XERO_ID,
    approved_invoice,
    make_invoice,
    pending_invoice,
    xero_enabled,
)

L = {n: Actor(f"level{n}@telco.example", kind="admin", level=n) for n in range(1, 6)}


def test_xero_actions_refused_while_the_module_is_disabled(app, approved_invoice):
    with pytest.raises(InvalidState, match="The Xero module is not enabled"):
        link_invoice_to_xero(approved_invoice, XERO_ID, actor=L[5])
    with pytest.raises(InvalidState, match="not enabled"):
        unlink_invoice_from_xero(approved_invoice, actor=L[5])


def test_link_needs_level_3_and_a_uuid(app, xero_enabled, approved_invoice, session):
    with pytest.raises(PermissionDenied, match="level 3"):
        link_invoice_to_xero(approved_invoice, XERO_ID, actor=L[2])
    for bad in ("", "not-a-uuid", "550e8400"):
        with pytest.raises(ValidationFailed) as exc:
            link_invoice_to_xero(approved_invoice, bad, actor=L[3])
        assert exc.value.errors[0].field == "xeroID"
    link_invoice_to_xero(approved_invoice, XERO_ID, actor=L[3])
    assert approved_invoice.xero_id == uuid.UUID(XERO_ID)
    assert session.query(AuditEvent).filter_by(action="invoice.xero_linked").count() == 1


def test_replacing_or_removing_a_link_needs_level_5(app, xero_enabled, approved_invoice):
    link_invoice_to_xero(approved_invoice, XERO_ID, actor=L[3])
    link_invoice_to_xero(approved_invoice, XERO_ID.upper(), actor=L[3])  # the same link again is fine
    other = str(uuid.uuid4())
    with pytest.raises(PermissionDenied, match="level 5"):
        link_invoice_to_xero(approved_invoice, other, actor=L[4])
    with pytest.raises(PermissionDenied, match="level 5"):
        unlink_invoice_from_xero(approved_invoice, actor=L[4])
    link_invoice_to_xero(approved_invoice, other, actor=L[5])
    assert str(approved_invoice.xero_id) == other
    unlink_invoice_from_xero(approved_invoice, actor=L[5])
    assert approved_invoice.xero_id is None
    with pytest.raises(InvalidState, match="not linked"):
        unlink_invoice_from_xero(approved_invoice, actor=L[5])


def test_mark_delivered_printed_or_by_hand(app, approved_invoice):
    mark_invoice_delivered(approved_invoice, actor=L[3], how="printed")
    assert approved_invoice.printed_at is not None and approved_invoice.marked_delivered_at is None
    mark_invoice_delivered(approved_invoice, actor=L[3], how="by hand")
    assert approved_invoice.marked_delivered_at is not None
    with pytest.raises(ValidationFailed, match="how - must be printed or by hand"):
        mark_invoice_delivered(approved_invoice, actor=L[3], how="pigeon")
    with pytest.raises(PermissionDenied):
        mark_invoice_delivered(approved_invoice, actor=L[2])


def test_mark_delivered_refuses_unapproved_invoices(app, pending_invoice):
    with pytest.raises(InvalidState, match="Only approved invoices"):
        mark_invoice_delivered(pending_invoice, actor=L[3])


def test_bulk_approve_approves_pending_and_skips_the_rest_with_the_reason(app, session):
    pending = make_invoice("Pending")
    new = make_invoice("New")
    approved = make_invoice("Approved")
    batch = request_bulk_approval([pending.id, new.id, approved.id, 999999], actor=L[3])
    session.commit()  # outside a request and without a queue, the commit runs the job at once
    outcomes = session.execute(
        select(BulkApprovalItem.invoice_id, BulkApprovalItem.outcome, BulkApprovalItem.reason).order_by(
            BulkApprovalItem.invoice_id
        )
    ).all()
    assert outcomes == [
        (pending.id, "approved", None),
        (new.id, "skipped", "Invoice can't be approved"),
        (approved.id, "skipped", "Invoice already approved"),
        (999999, "skipped", "The record identified by 999999 could not be found."),
    ]
    session.expire_all()
    assert pending.state == "Approved" and new.state == "New"
    assert execute_bulk_approval(batch.id) == "done"  # a second delivery of the job does nothing


def test_bulk_approve_needs_level_3(app, pending_invoice):
    with pytest.raises(PermissionDenied):
        request_bulk_approval([pending_invoice.id], actor=L[2])
    assert pending_invoice.state == "Pending"


def test_selected_ids_ignores_junk_and_duplicates():
    assert selected_ids(["3", "x", "3", "", None, "7"]) == [3, 7]
