"""Password-reset mail, sent by a background job so the time `/password/forgot` takes never depends on the e-mail."""

from __future__ import annotations

import logging

from flask import render_template
from flask_babel import gettext as _

from portal.audit import record_event
from portal.auth import rules
from portal.auth.sessions import USER_MODELS
from portal.auth.tokens import make_password_reset_token
from portal.extensions import db
from portal.foundations.errors import DeliveryFailed
from portal.foundations.i18n import in_language
from portal.foundations.permissions import actor_for
from portal.foundations.urls import public_url
from portal.jobs import huey, job_app
from portal.mail import send_message
from portal.models import CustomerUser

log = logging.getLogger(__name__)


def send_password_reset(kind: str, user_id: int) -> bool:
    """Mail a reset link to one user now; False when the user is gone or disabled, or the mail failed (logged)."""
    user = db.session.get(USER_MODELS.get(kind, CustomerUser), user_id)
    if user is None or rules.reset_refused(user):
        return False
    link = public_url("auth.password_reset", token=make_password_reset_token(user))
    context = {"user": user, "link": link, "minutes": 60}
    # A customer user reads it in the customer's language, an admin in English.
    language = getattr(getattr(user, "customer", None), "language", None)
    try:
        with in_language(language):
            subject = _("Reset your password")
            text = render_template("auth/email/password_reset.txt", **context)
            html = render_template("auth/email/password_reset.html", **context)
        send_message([user.email], subject, text, html)
    except DeliveryFailed as exc:
        log.warning("password reset mail to user %s:%s failed: %s", user.kind, user.id, exc.message)
        return False
    record_event(actor_for(user), f"{user.kind}_user.password_reset_requested", user)
    db.session.flush()
    return True


@huey.task(retries=2, retry_delay=30)
def send_password_reset_job(kind: str, user_id: int) -> str:
    """Mail a fresh reset link to the user (if still there and enabled)."""
    with job_app().app_context():
        sent = send_password_reset(kind, user_id)
        db.session.commit()
        return "sent" if sent else "skipped"
