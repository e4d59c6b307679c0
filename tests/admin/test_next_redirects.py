"""A `next` parameter only ever sends the browser to a local path: never another site, and a line break or
control character in it is ignored (it would split the Location header) instead of failing the request."""

from __future__ import annotations

import pytest

from portal.foundations.urls import safe_next_path
from tests.admin.conftest import post

BAD_NEXT = [
    "/admin/invoices?state=New\r\nSet-Cookie: session=stolen",
    "/admin/invoices\nX: y",
    "/admin/invoices\r",
    "/admin/invoices\x00",
    "/admin/invoices\u2028",
    "https://evil.example/admin/invoices",
    "//evil.example/admin/invoices",
    "/admin/invoices\\..\\..",
    "/admin/users",
    "admin/invoices",
    "",
]


@pytest.mark.parametrize("target", BAD_NEXT, ids=repr)
def test_bulk_form_with_a_bad_next_goes_back_to_the_plain_list(admin_client, target):
    response = post(admin_client(5), "/admin/invoices/bulk", {"action": "approve", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/invoices"


def test_bulk_form_goes_back_to_the_filtered_list_it_came_from(admin_client):
    response = post(
        admin_client(5), "/admin/invoices/bulk", {"action": "approve", "next": "/admin/invoices?state=Pending&sort=-id"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/invoices?state=Pending&sort=-id"


def test_safe_next_path_keeps_local_paths_only():
    assert safe_next_path("/portal/invoices?page=2#top") == "/portal/invoices?page=2#top"
    assert safe_next_path("/admin/invoices?q=Müller", under="/admin/invoices") == "/admin/invoices?q=Müller"
    assert safe_next_path("/portal/", under="/admin/") is None
    for target in BAD_NEXT[:9] + [None, "/\\evil.example", "/x\ty\x7f", "http:/admin"]:
        assert safe_next_path(target, under="/") is None or target == "/admin/users", repr(target)
