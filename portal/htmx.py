"""The one htmx helper of the HTML faces: a fragment or the whole page, `Vary`, the pushed URL, history
restores, and redirects (an expired session among them) that htmx follows as a whole page."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Response, make_response, redirect, render_template, request, url_for

# Every request header that decides between the fragment and the whole page: a cache keeps them apart.
VARY = ("HX-Request", "HX-Target", "HX-History-Restore-Request")


def is_htmx_request() -> bool:
    """The request comes from htmx (a swap, a poll, or a history restore)."""
    return request.headers.get("HX-Request") == "true"


def is_history_restore() -> bool:
    """htmx restores a page after Back/Forward: it wants the whole page although htmx sent the request."""
    return request.headers.get("HX-History-Restore-Request") == "true"


def wants_fragment(target: str | None = None) -> bool:
    """htmx swaps a part of the page (aimed at the element with id `target`, when given): answer only that part.

    A history restore, and an htmx request aimed at another element, get the whole page.
    """
    if not is_htmx_request() or is_history_restore():
        return False
    return target is None or request.headers.get("HX-Target") == target


def render(
    page_template: str,
    fragment_template: str,
    *,
    target: str | None = None,
    push_url: str | None = None,
    status: int = 200,
    **context,
) -> Response:
    """The whole page, or only its fragment when htmx swaps `target`; the template gets `fragment` (bool).

    `push_url` (the address without empty fields) replaces the one htmx would push for a fragment, so the
    address bar, Back/Forward and a bookmark all give the same list.
    """
    fragment = wants_fragment(target)
    template = fragment_template if fragment else page_template
    response = make_response(render_template(template, fragment=fragment, **context), status)
    response.vary.update(VARY)
    if fragment and push_url:
        response.headers["HX-Push-Url"] = push_url
    return response


def redirect_page(location: str) -> Response:
    """Send the browser to `location` as a whole page.

    An htmx swap would follow a plain redirect inside the XHR and paste the next page into the part being
    swapped (a sign-in page inside the results); it gets `HX-Redirect` instead, which htmx follows as a
    navigation. A history restore follows a plain redirect and shows the whole page it gets.
    """
    if is_htmx_request() and not is_history_restore():
        response = make_response("", 401 if location.startswith(url_for("auth.login")) else 200)
        response.headers["HX-Redirect"] = location
        response.vary.update(VARY)
        return response
    return redirect(location)


def redirect_to_sign_in() -> Response:
    """To the sign-in page, coming back afterwards to the page the user was on (see `return_path`)."""
    return redirect_page(url_for("auth.login", next=return_path()))


def return_path() -> str:
    """The address to come back to: for a GET, this one without its empty fields (a submitted filter form
    sends every field); for an htmx POST, the page it was sent from; else the path alone."""
    if request.method == "GET":
        filled = [(k, v) for k, v in request.args.items(multi=True) if v != ""]
        return request.path + ("?" + urlencode(filled) if filled else "")
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    if is_htmx_request() and current.netloc == request.host and current.path:
        return current.path + ("?" + current.query if current.query else "")
    return request.path
