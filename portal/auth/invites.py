"""Invitations: a customer user created by an admin chooses a first password through a single-use link.

The link is the password-reset page (`/password/reset/<token>`, portal.auth.views) with a token
marked as an invitation, valid for seven days instead of one hour (portal.auth.tokens).
"""
from __future__ import annotations

import logging

from flask import render_template

from portal.auth.tokens import INVITE_MAX_AGE, make_password_reset_token
from portal.delivery.mail import send_message
from portal.foundations.errors import DeliveryFailed
from portal.models import CustomerUser
from portal.foundations.urls import public_url

log = logging.getLogger(__name__)


def make_password_token(user: CustomerUser) -> str:
    """An invitation token: lets `user` set a password once, within INVITE_MAX_AGE."""
    return make_password_reset_token(user, invite=True)


def invite_link(token: str) -> str:
    """The absolute set-password link of a token (under BASE_URL, never the request's host)."""
    return public_url("auth.password_reset", token=token)


def send_invite(user: CustomerUser, link: str, *, invited_by: str) -> bool:
    """E-mail the invitation link. Returns False (and logs) when the mail could not be sent,
    so the admin can pass the link on by hand."""
    context = {"user": user, "link": link, "days": INVITE_MAX_AGE // 86400, "invited_by": invited_by}
    try:
        send_message([user.email], f"Your access to the {user.customer.organization.name} invoice portal",
                     render_template("admin/users/email/invite.txt", **context),
                     render_template("admin/users/email/invite.html", **context))
    except DeliveryFailed as exc:
        log.warning("invitation mail to customer user %s failed: %s", user.id, exc.message)
        return False
    return True
