"""The demo's message templates use only placeholders the validator knows, save again unchanged, and render
every placeholder (no `{…}` left in a mail)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from portal.delivery import templates_service as ts
from portal.delivery.email_compose import placeholder_values
from portal.delivery.message_templates import PLACEHOLDERS, render_text, template_problems
from portal.demo.organization import create_document_settings
from portal.extensions import db
from portal.foundations.permissions import Actor
from portal.models import MessageTemplate
from tests.invoices import approved_invoice  # noqa: F401 - fixture

BOSS = Actor("boss@telco.example", kind="admin", level=5)
LEFTOVER = re.compile(r"\{[^{}]*\}")


def demo_templates() -> list[MessageTemplate]:
    create_document_settings(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    templates = list(db.session.scalars(select(MessageTemplate).order_by(MessageTemplate.name)))
    assert templates
    return templates


def test_every_demo_template_passes_the_validator_and_saves_again(app):
    for template in demo_templates():
        for text in (template.subject, template.body_text, template.body_html):
            assert template_problems(text) == [], (template.name, text)
        ts.update_message_template(
            template,
            actor=BOSS,
            name=template.name,
            subject=template.subject,
            body_text=template.body_text,
            body_html=template.body_html,
        )


def test_every_demo_template_renders_with_no_placeholder_left(app, approved_invoice):
    values = placeholder_values(approved_invoice, "https://portal.example/d/token")
    assert set(values) == set(PLACEHOLDERS)
    assert values["organization"] == approved_invoice.organization.name != ""
    for template in demo_templates():
        for text, html in ((template.subject, False), (template.body_text, False), (template.body_html, True)):
            rendered = render_text(text, values, html=html)
            assert not LEFTOVER.search(rendered), (template.name, rendered)
        assert approved_invoice.organization.name in render_text(template.body_text, values)
