"""Calls registered with call_after_commit run once the transaction commits, and never for rolled-back work."""

from __future__ import annotations

import logging

from portal.extensions import db
from portal.jobs import call_after_commit
from tests.factories import AccountFactory


def test_a_call_runs_once_after_the_commit_and_not_before(app):
    calls = []
    AccountFactory()
    call_after_commit(calls.append, "one")
    db.session.flush()
    assert calls == []
    db.session.commit()
    assert calls == ["one"]
    db.session.commit()
    assert calls == ["one"]


def test_a_call_is_dropped_when_its_transaction_rolls_back(app):
    calls = []
    AccountFactory()
    call_after_commit(calls.append, "rolled back")
    db.session.rollback()
    db.session.commit()
    assert calls == []


def test_a_call_made_in_a_rolled_back_savepoint_is_dropped_and_a_released_one_kept(app):
    calls = []
    AccountFactory()
    call_after_commit(calls.append, "outer")
    try:
        with db.session.begin_nested():
            call_after_commit(calls.append, "refused")
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    with db.session.begin_nested():
        call_after_commit(calls.append, "released")
    assert calls == []  # releasing a savepoint is no commit
    db.session.commit()
    assert calls == ["outer", "released"]


def test_a_failing_call_is_logged_and_the_others_still_run(app, caplog):
    calls = []

    def broken(_):
        raise RuntimeError("queue down")

    AccountFactory()
    call_after_commit(broken, 1)
    call_after_commit(calls.append, 2)
    with caplog.at_level(logging.ERROR, logger="portal.jobs"):
        db.session.commit()
    assert calls == [2]
    assert "after-commit call broken(1,) failed" in caplog.text


def test_the_session_connection_is_released_before_the_calls_run(app):
    """An inline job takes a connection of its own: the committing session must not still hold one."""
    seen = []
    AccountFactory()
    call_after_commit(lambda: seen.append(db.engine.pool.checkedout()))
    before = db.engine.pool.checkedout()
    db.session.commit()
    assert seen == [before - 1]
