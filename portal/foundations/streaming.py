"""Streamed response bodies: each reads through a database session of its own, open for the stream's whole life."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from flask import Response
from sqlalchemy.orm import Session
from werkzeug.utils import secure_filename

from portal.extensions import db

T = TypeVar("T")


def stream_with_own_session(produce: Callable[..., Iterator[T]], *args, **kwargs) -> Iterator[T]:
    """`produce(session, *args, **kwargs)`, run lazily with a database session that lives as long as the stream.

    A response body is sent after the view has returned, when Flask-SQLAlchemy has already
    removed the request's `db.session` (its teardown runs before the body is iterated). A
    generator reading through `db.session` then loses its cursor at the next batch: SQLite
    says the identity map is no longer valid, PostgreSQL that the server-side cursor does not
    exist, and the client gets a 200 with a cut file. So every streamed body reads here instead.

    The engine is taken now (call this inside the request or app context); nothing else runs
    until the first item is asked for. The session then holds one connection and one
    transaction, so a server-side cursor (`yield_per` with `stream_results` on PostgreSQL) lives
    until the stream ends, and is closed, connection back to the pool, in the generator's
    `finally`: when the stream is exhausted, fails, or is closed because the client went away
    (WSGI servers call `close()` on the body). `produce` must close its own results in its
    `finally` (they go first) and must not touch `db.session`. The stream needs no request
    context: do not wrap it in `stream_with_context`.

    Args:
        produce: a generator function taking the session first, then `args` and `kwargs`.

    Returns:
        An iterator over what `produce` yields.
    """
    engine = db.engine

    def run() -> Iterator[T]:
        session = Session(engine, autoflush=False)
        try:
            yield from produce(session, *args, **kwargs)
        finally:
            session.close()

    return run()


def streamed_download(chunks: Iterator, *, mimetype: str, filename: str) -> Response:
    """A response that streams `chunks` (str or bytes) as an attachment named `filename` (made safe first).

    The status and headers go out before the first chunk; a failure after that aborts the
    chunked body (the client sees a broken download, never a complete-looking cut file).
    """
    response = Response(chunks, mimetype=mimetype)
    name = secure_filename(filename) or "download"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# The UTF-8 byte-order mark: a spreadsheet that sees it reads the file as UTF-8 ("Türkiye", not "TÃ¼rkiye").
UTF8_BOM = "\ufeff"


def csv_download(chunks: Iterator[str], *, filename: str) -> Response:
    """A streamed CSV attachment (see streamed_download) that starts with the UTF-8 byte-order mark."""
    return streamed_download(_with_bom(chunks), mimetype="text/csv", filename=filename)


def _with_bom(chunks: Iterator[str]) -> Iterator[str]:
    yield UTF8_BOM
    # `yield from` hands a close() on to `chunks`, so a database stream under it ends with the response.
    yield from chunks
