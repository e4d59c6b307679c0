"""The outbox page: mail written to the outbox folder when no SMTP server is configured."""

from __future__ import annotations

from flask import render_template

from portal.admin import bp
from portal.delivery.outbox import list_outbox, outbox_folder, read_outbox_message
from portal.mail import outbox_mode


@bp.get("/outbox")
def outbox_list():
    return render_template(
        "admin/outbox/list.html", messages=list_outbox(), folder=outbox_folder(), outbox_mode=outbox_mode()
    )


@bp.get("/outbox/<name>")
def outbox_show(name: str):
    return render_template("admin/outbox/show.html", message=read_outbox_message(name))
