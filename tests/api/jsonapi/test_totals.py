"""The JSON:API `meta.total-count` is exact: a page that is known to be the last (it ends short, or
the row after it is missing) tells it without counting; a page with rows after it, or an empty page,
counts (portal/reading/exact_count.py), reused while no invoice changes, and any write shows at once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Invoice
from portal.reading import page_anchors
from tests.api.jsonapi.conftest import ADMIN, jsonapi_headers
from tests.invoices import account_of_five, other_connection_adds  # noqa: F401 - fixture
from tests.reading.test_exact_count import WRITE_PATHS
from tests.statements import loaded_objects, recorded_statements


@pytest.fixture
def step_of_two(monkeypatch):
    monkeypatch.setattr(page_anchors, "ANCHOR_STEP", 2)


def counts(statements) -> list[str]:
    return [s for s in statements if "count(" in s.lower()]


def listing(client, token, **params):
    response = client.get(f"{ADMIN}/invoices", query_string=params, headers=jsonapi_headers(token))
    assert response.status_code == 200, response.data
    return response.get_json()


def test_a_page_that_ends_short_tells_the_total_without_counting(client, admin_token, account_of_five):
    with recorded_statements() as seen:
        body = listing(client, admin_token, **{"filter[account_id_eq]": str(account_of_five.id)})
    assert body["meta"]["total-count"] == 5 and len(body["data"]) == 5
    assert counts(seen) == []
    with recorded_statements() as seen:
        body = listing(client, admin_token, **{"page[size]": "2", "page[number]": "3"})
    assert body["meta"]["total-count"] == 5 and len(body["data"]) == 1
    assert counts(seen) == []


def test_a_full_last_page_tells_the_total_without_counting(client, admin_token, account_of_five):
    with recorded_statements() as seen:
        body = listing(client, admin_token, **{"page[size]": "5"})
    assert body["meta"]["total-count"] == 5 and len(body["data"]) == 5 and "next" not in body["links"]
    assert counts(seen) == []


def test_pages_with_rows_after_them_and_empty_pages_count(client, admin_token, account_of_five):
    with recorded_statements() as seen:
        body = listing(client, admin_token, **{"page[size]": "4"})
    assert body["meta"]["total-count"] == 5 and body["links"]["next"].endswith("page%5Bnumber%5D=2&page%5Bsize%5D=4")
    assert len(counts(seen)) == 1
    body = listing(client, admin_token, **{"page[size]": "2", "page[number]": "9"})
    assert body["data"] == [] and body["meta"]["total-count"] == 5
    assert body["links"]["last"].endswith("page%5Bnumber%5D=3&page%5Bsize%5D=2")
    assert body["links"]["prev"].endswith("page%5Bnumber%5D=3&page%5Bsize%5D=2")
    body = listing(client, admin_token, **{"filter[account_id_eq]": str(account_of_five.id + 1000)})
    assert body["data"] == [] and body["meta"]["total-count"] == 0


def test_the_api_total_follows_a_commit_elsewhere(client, admin_token, account_of_five):
    assert listing(client, admin_token, **{"page[size]": "5"})["meta"]["total-count"] == 5
    assert listing(client, admin_token, **{"page[size]": "5"})["meta"]["total-count"] == 5
    db.session.commit()
    other_connection_adds(account_of_five)
    assert listing(client, admin_token, **{"page[size]": "5"})["meta"]["total-count"] == 6


def test_the_count_is_reused_until_an_invoice_changes(client, admin_token, account_of_five):
    with recorded_statements() as seen:
        listing(client, admin_token, **{"page[size]": "4"})
    assert len(counts(seen)) == 1
    with recorded_statements() as seen:
        body = listing(client, admin_token, **{"page[size]": "4", "page[number]": "2"})
        body = listing(client, admin_token, **{"page[size]": "4"})
    assert body["meta"]["total-count"] == 5
    assert counts(seen) == []


@pytest.mark.parametrize("how, write, change", WRITE_PATHS, ids=[path[0] for path in WRITE_PATHS])
def test_a_list_after_any_write_shows_the_new_total(client, admin_token, account_of_five, how, write, change):
    """Every write path, on both databases: the admin list (every state) shows the table's new total."""
    assert listing(client, admin_token, **{"page[size]": "1"})["meta"]["total-count"] == 5
    assert (
        listing(client, admin_token, **{"page[size]": "1", "filter[state_eq]": "Approved"})["meta"]["total-count"] == 3
    )
    write(account_of_five)
    db.session.commit()
    every = db.session.scalar(select(func.count(Invoice.id)))
    approved = db.session.scalar(select(func.count(Invoice.id)).where(Invoice.state == "Approved"))
    assert approved == 3 + change
    assert listing(client, admin_token, **{"page[size]": "1"})["meta"]["total-count"] == every
    assert (
        listing(client, admin_token, **{"page[size]": "1", "filter[state_eq]": "Approved"})["meta"]["total-count"]
        == approved
    )


def test_an_admin_page_is_read_as_rows_not_invoice_objects(client, admin_token, account_of_five):
    with loaded_objects(Invoice) as built:
        body = listing(client, admin_token, **{"page[size]": "2"})
    assert len(body["data"]) == 2 and built == []
    assert body["data"][0]["attributes"]["invoice-type"] == "Manual"
    assert body["data"][0]["relationships"]["account"]["data"] == {"type": "accounts", "id": str(account_of_five.id)}


def test_deep_pages_read_anchors_only_once_a_version_has_been_seen_enough_times(
    client, admin_token, account_of_five, step_of_two
):
    """A deep page (offset >= the anchor step) is read at its offset until a process has read
    page_anchors.STABLE_AFTER deep pages under the same version; that one reads the anchors, and the
    following ones use them; a write restarts the tally. The page and its total are always those of
    an offset read and an exact count."""
    params = {"page[size]": "1", "page[number]": "4"}
    wait = page_anchors.STABLE_AFTER - 1

    def deep_page() -> tuple[list, int, int]:
        with recorded_statements() as seen:
            body = listing(client, admin_token, **params)
        ids = [int(row["id"]) for row in body["data"]]
        return ids, body["meta"]["total-count"], sum("page_anchors" in s for s in seen)

    ids = list(db.session.scalars(select(Invoice.id).order_by(Invoice.id)))
    pages = [deep_page() for _ in range(wait + 2)]
    assert pages == [(ids[3:4], 5, 0)] * wait + [(ids[3:4], 5, 1), (ids[3:4], 5, 0)]
    db.session.commit()
    db.session.delete(db.session.get(Invoice, ids[0]))
    db.session.commit()
    ids = ids[1:]
    assert [deep_page() for _ in range(wait + 1)] == [(ids[3:4], 4, 0)] * wait + [(ids[3:4], 4, 1)]
