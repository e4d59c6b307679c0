"""Which process executes a piece of background work (a billing run, a bulk approval), and whether it is gone.

An execution is named "host:pid:token" and stored on the row it works on; the token is held in
this process while the execution runs. Another process on the same host can then tell that the
executing process died (its pid is no longer alive); this very process can tell that the
execution ended without finishing (its token is no longer held). On another host only a
heartbeat that stopped can tell.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager

# Tokens of the executions running in this process.
_ACTIVE_TOKENS: set[str] = set()


@contextmanager
def execution() -> Iterator[str]:
    """Hold a new execution name ("host:pid:token") for the duration of the block."""
    token = secrets.token_hex(6)
    _ACTIVE_TOKENS.add(token)
    try:
        yield f"{socket.gethostname()}:{os.getpid()}:{token}"
    finally:
        _ACTIVE_TOKENS.discard(token)


def execution_gone(name: str | None) -> bool:
    """True when the execution `name` is known to have stopped: its process on this host is not alive,
    or it was this process's and has ended. False when it may still run (or runs on another host)."""
    host, _, rest = (name or "").partition(":")
    pid_text, _, token = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another machine: only the heartbeat can tell
    pid = int(pid_text)
    if pid == os.getpid():
        return token not in _ACTIVE_TOKENS
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False
