"""The admin dashboard: invoices by state, waiting for approval, money owed per currency, the last billing run."""

from __future__ import annotations

from flask import render_template

from portal.admin import bp
from portal.foundations.database import utcnow
from portal.reading.overview import dashboard_figures


@bp.get("/")
def dashboard():
    return render_template("admin/dashboard/index.html", figures=dashboard_figures(utcnow().date()))
