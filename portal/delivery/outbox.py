"""Reading the outbox folder: the .eml files written when no SMTP server is configured."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from flask import current_app

from portal.foundations.errors import NotFound

# Only names the outbox writer produces: no path separators, so a name never leaves the folder.
_NAME = re.compile(r"^[0-9A-Za-z._-]{1,120}\.eml$")


@dataclass
class OutboxMessage:
    name: str
    date: dt.datetime | None
    sender: str
    to: str
    subject: str
    attachments: list[str] = field(default_factory=list)
    text: str = ""
    html: str | None = None


def outbox_folder() -> Path:
    return Path(current_app.config["OUTBOX_DIR"])


def list_outbox(limit: int = 200) -> list[OutboxMessage]:
    """The newest `limit` messages of the outbox, newest first (headers and attachment names only)."""
    folder = outbox_folder()
    if not folder.is_dir():
        return []
    paths = sorted(
        (p for p in folder.iterdir() if p.is_file() and _NAME.match(p.name)), key=lambda p: p.name, reverse=True
    )
    return [_read(path, bodies=False) for path in paths[:limit]]


def read_outbox_message(name: str) -> OutboxMessage:
    """One message with its text and HTML bodies. Raises NotFound for unknown or malformed names."""
    if not _NAME.match(name or ""):
        raise NotFound("No such message in the outbox.")
    path = outbox_folder() / name
    if not path.is_file():
        raise NotFound("No such message in the outbox.")
    return _read(path, bodies=True)


def _read(path: Path, *, bodies: bool) -> OutboxMessage:
    with path.open("rb") as fh:
        msg = BytesParser(policy=policy.default).parse(fh)
    try:
        date = parsedate_to_datetime(msg["Date"]) if msg["Date"] else None
    except (TypeError, ValueError):
        date = None
    result = OutboxMessage(
        name=path.name,
        date=date,
        sender=str(msg["From"] or ""),
        to=str(msg["To"] or ""),
        subject=str(msg["Subject"] or ""),
        attachments=[part.get_filename() or "(unnamed)" for part in msg.iter_attachments()],
    )
    if bodies:
        text_part = msg.get_body(preferencelist=("plain",))
        html_part = msg.get_body(preferencelist=("html",))
        result.text = text_part.get_content() if text_part is not None else ""
        result.html = html_part.get_content() if html_part is not None else None
    return result
