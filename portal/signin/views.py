"""Sign-in pages: login, logout, forgotten password, reset by e-mail link, change password."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from portal.auth import rules, service
from portal.auth.sessions import MIN_PASSWORD_LENGTH
from portal.error_handlers import wants_json
from portal.extensions import db, limiter
from portal.foundations.errors import Gone, NotFound, ValidationFailed
from portal.foundations.i18n import LANGUAGE_COOKIE, LANGUAGES
from portal.signin.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    SignOutEverywhereForm,
)

bp = Blueprint("auth", __name__)


def _ip_and_email() -> str:
    return f"{get_remote_address()}|{(request.form.get('email') or '').strip().lower()[:254]}"


def _limit(setting: tuple[str, str]):
    name, default = setting
    return lambda: current_app.config.get(name, default)


def _failed_login(response) -> bool:
    # Only failed attempts count towards the per-email limit; a success answers with a redirect.
    return response.status_code != 302


# The numbers are the sign-in rule's (portal.auth.rules), shared with the JSON:API sign-ins.
_per_ip = limiter.limit(_limit(rules.PER_ADDRESS_LIMIT), methods=["POST"], key_func=get_remote_address, scope="auth-ip")
_per_email = limiter.limit(
    _limit(rules.PER_LOGIN_LIMIT),
    methods=["POST"],
    key_func=_ip_and_email,
    deduct_when=_failed_login,
    scope="auth-email",
)


def is_safe_next(target: str | None) -> bool:
    """Only a local path may follow sign-in (no scheme, no host, no `//` or backslash tricks)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def home_url(user) -> str:
    """The user's start page: the admin dashboard or the customer dashboard."""
    endpoint = "admin.dashboard" if user.kind == "admin" else "customer.dashboard"
    if endpoint in current_app.view_functions:
        return url_for(endpoint)
    return url_for("auth.profile_password")


@bp.route("/login", methods=["GET", "POST"])
@_per_ip
@_per_email
def login():
    next_url = request.values.get("next")
    next_url = next_url if is_safe_next(next_url) else None
    if current_user.is_authenticated:
        return redirect(next_url or home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = service.sign_in(form.email.data, form.password.data, address=request.remote_addr, face="html")
        except service.SignInRefused:
            db.session.rollback()
            # Every refusal reads the same, so the page tells nothing about the account.
            form.form_errors.append(_(service.INVALID_CREDENTIALS))
        else:
            # Nothing from the anonymous session carries over into the signed-in one.
            session.clear()
            login_user(user, remember=bool(form.remember.data))
            db.session.commit()
            return redirect(next_url or home_url(user))
    return render_template("auth/login.html", form=form, next_url=next_url), 200


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        service.end_sessions(current_user._get_current_object())
        db.session.commit()
    session.clear()
    logout_user()  # after clear(): it leaves the flag that deletes the remember-me cookie
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))


@bp.get("/language/<code>")
def choose_language(code: str):
    """The language of the sign-in pages before sign-in (kept a year in a cookie); signed in, a customer user
    sees the customer's language and an admin English, whatever was chosen here."""
    next_url = request.args.get("next")
    response = redirect(next_url if is_safe_next(next_url) else url_for("auth.login"))
    if code in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, secure=request.is_secure, httponly=True, samesite="Lax"
        )
    return response


@bp.route("/password/forgot", methods=["GET", "POST"])
@_per_ip
@limiter.limit(_limit(rules.PER_LOGIN_LIMIT), methods=["POST"], key_func=_ip_and_email, scope="forgot-email")
def password_forgot():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        service.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("auth/forgot_sent.html", email=form.email.data)
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@_per_ip
def password_reset(token: str):
    try:
        service.check_password_reset_token(token)
    except (NotFound, Gone) as exc:
        return render_template("auth/reset_invalid.html", message=_(exc.message)), exc.status
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            service.reset_password(token, form.password.data)
        except ValidationFailed as exc:
            db.session.rollback()
            form.password.errors = [_(e.message) for e in exc.errors]
        except (NotFound, Gone) as exc:
            db.session.rollback()
            return render_template("auth/reset_invalid.html", message=_(exc.message)), exc.status
        else:
            db.session.commit()
            session.clear()
            logout_user()
            flash(_("Your password has been changed. Sign in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, token=token)


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
def profile_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            service.change_password(user, form.current_password.data, form.password.data)
        except ValidationFailed as exc:
            db.session.rollback()
            for error in exc.errors:
                target = form.current_password if error.field == "current-password" else form.password
                target.errors = [*target.errors, _(error.message)]
        else:
            db.session.commit()
            _stay_signed_in(user)
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("auth.profile_password"))
    return render_template(
        "auth/change_password.html", form=form, min_length=MIN_PASSWORD_LENGTH, sign_out_form=SignOutEverywhereForm()
    )


@bp.post("/profile/sign-out-everywhere")
@login_required
def profile_sign_out_everywhere():
    """End every other session, token, API session cookie and reset link; this browser stays signed in."""
    form = SignOutEverywhereForm()
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(url_for("auth.profile_password"))
    user = current_user._get_current_object()
    service.sign_out_everywhere(user)
    db.session.commit()
    _stay_signed_in(user)
    flash(
        _("Every other session has been signed out: other browsers, API tokens and unused password reset links."),
        "success",
    )
    return redirect(url_for("auth.profile_password"))


def _stay_signed_in(user) -> None:
    # This browser signs in again under the user's new session version; every other session is out.
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(user, remember=remembered)


@bp.app_errorhandler(429)
def too_many_requests(exc):
    """429 with how long to wait, in the page and in Retry-After."""
    limit = limiter.current_limit
    retry = max(1, int(limit.reset_at - time.time())) if limit is not None else 60
    if wants_json():
        body = jsonify(error="Too Many Requests", detail=f"Rate limit exceeded; retry in {retry} seconds.", status=429)
    else:
        body = render_template("auth/rate_limited.html", retry=retry)
    response = current_app.make_response((body, 429))
    response.headers["Retry-After"] = str(retry)
    return response
