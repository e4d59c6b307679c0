"""The front door: sends each visitor to the area that is theirs."""

from flask import Blueprint, redirect, url_for
from flask_login import current_user
from sqlalchemy import text

from portal.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.kind == "admin":
        return redirect(url_for("admin.dashboard"))
    return redirect(url_for("customer.dashboard"))


@bp.get("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
