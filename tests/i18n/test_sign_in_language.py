"""The sign-in pages speak the visitor's language before sign-in: the one chosen on the page (a cookie), else the
best one the browser asks for; once signed in, a customer user sees the customer's language and an admin English."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.foundations.i18n import LANGUAGE_COOKIE
from tests.auth.conftest import csrf_from
from tests.factories import PASSWORD, AdminUserFactory, CustomerFactory, CustomerUserFactory

GERMAN_BROWSER = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def sign_in(client, email: str, password: str = PASSWORD, headers: dict | None = None):
    data = {"csrf_token": csrf_from(client, "/login"), "email": email, "password": password}
    return client.post("/login", data=data, headers=headers or {})


def test_a_german_browser_gets_the_sign_in_page_in_german(client):
    response = client.get("/login", headers=GERMAN_BROWSER)
    html = response.get_data(as_text=True)
    assert '<html lang="de">' in html
    page = text(html)
    assert "<h1>Anmelden</h1>" in html and "Passwort vergessen?" in page and "Angemeldet bleiben" in page
    assert re.search(r'<label for="email">E-Mail</label>', html) and re.search(r'<label for="password">Passwort', html)
    assert "Sign in" not in page and "Remember me" not in page


def test_without_a_wish_the_sign_in_page_is_english(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html and "<h1>Sign in</h1>" in html
    html = client.get("/login", headers={"Accept-Language": "pl-PL,pl;q=0.9"}).get_data(as_text=True)
    assert "<h1>Sign in</h1>" in html


def test_the_sign_in_errors_are_in_the_visitors_language(client, app):
    CustomerUserFactory(email="ann@customer.example")
    db.session.commit()
    html = sign_in(client, "ann@customer.example", "wrong password!", GERMAN_BROWSER).get_data(as_text=True)
    assert "E-Mail-Adresse oder Passwort ist falsch." in html and "Invalid email or password." not in html
    html = client.post("/login", data={"csrf_token": csrf_from(client, "/login")}, headers=GERMAN_BROWSER).get_data(
        as_text=True
    )
    # WTForms' own messages come in the language too (Flask-WTF's translations).
    assert "Dieses Feld wird benötigt." in html or "Dieses Feld ist erforderlich." in html
    forgot = text(client.get("/password/forgot", headers=GERMAN_BROWSER).get_data(as_text=True))
    assert "Link senden" in forgot and "Zurück zur Anmeldung" in forgot
    invalid = text(client.get("/password/reset/not-a-token", headers=GERMAN_BROWSER).get_data(as_text=True))
    assert "Dieser Link zum Zurücksetzen des Passworts ist ungültig." in invalid


def test_the_language_chosen_on_the_page_wins_over_the_browser_and_is_kept(client):
    response = client.get("/language/de?next=/password/forgot")
    assert response.status_code == 302 and response.headers["Location"].endswith("/password/forgot")
    cookie = client.get_cookie(LANGUAGE_COOKIE)
    assert cookie is not None and cookie.value == "de" and cookie.http_only
    html = client.get("/login", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert "<h1>Anmelden</h1>" in html
    # The choice is a row of links, the current language marked, each named in its own language.
    assert '<span lang="de" aria-current="true"><strong>Deutsch</strong></span>' in html
    assert 'hreflang="fr">Français</a>' in html
    client.get("/language/en")
    assert "<h1>Sign in</h1>" in client.get("/login", headers=GERMAN_BROWSER).get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_the_language_link_goes_back_only_to_a_local_page(client, target):
    response = client.get("/language/de", query_string={"next": target})
    assert response.headers["Location"].endswith("/login")


def test_an_unknown_language_sets_nothing(client):
    client.get("/language/xx")
    assert client.get_cookie(LANGUAGE_COOKIE) is None


def test_after_sign_in_the_customer_language_applies_and_sign_out_speaks_the_choice(client):
    customer = CustomerFactory(language="fr")
    CustomerUserFactory(customer=customer, email="luc@client.example")
    db.session.commit()
    client.get("/language/de")
    response = sign_in(client, "luc@client.example", headers=GERMAN_BROWSER)
    assert response.status_code == 302
    dashboard = client.get("/portal/", headers=GERMAN_BROWSER).get_data(as_text=True)
    assert '<html lang="fr">' in dashboard
    # The profile (a sign-in page) follows the customer too, not the cookie.
    assert '<html lang="fr">' in client.get("/profile/password").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', dashboard).group(1)
    signed_out = client.post("/logout", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "Sie sind abgemeldet." in signed_out and "<h1>Anmelden</h1>" in signed_out


def test_admins_see_english_after_sign_in_whatever_the_browser(client):
    AdminUserFactory(email="boss@telco.example", level=5)
    db.session.commit()
    client.get("/language/de")
    assert sign_in(client, "boss@telco.example", headers=GERMAN_BROWSER).status_code == 302
    html = client.get("/admin/", headers=GERMAN_BROWSER).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert '<html lang="en">' in client.get("/profile/password").get_data(as_text=True)


def test_other_visitor_pages_stay_english(client):
    html = client.get("/no-such-page", headers=GERMAN_BROWSER).get_data(as_text=True)
    assert '<html lang="en">' in html


@pytest.mark.parametrize(
    ("accept", "heading", "forgot"),
    [
        ("fr-FR,fr;q=0.9", "Se connecter", "Mot de passe oublié ?"),
        ("es-ES", "Iniciar sesión", "¿Ha olvidado su contraseña?"),
    ],
)
def test_french_and_spanish_browsers_get_their_language_too(client, accept, heading, forgot):
    html = client.get("/login", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in html and forgot in html
