"""Reading a JSON request body, the same way for every API: an object, not too deep, only real characters."""

from __future__ import annotations

import json
import math

# No documented request nests deeper than four levels; the limit keeps every later walk over the
# body (and the JSON parser itself, which recurses per level) far from Python's recursion limit.
MAX_DEPTH = 32
MAX_NAME_IN_POINTER = 40


class BadJsonBody(ValueError):
    """The body is not one the APIs accept; `reason` says why in words fit for the client."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON (RFC 8259); Python's parser would return floats no field can hold.
    raise ValueError(name)


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):  # 1e999 is valid JSON syntax, but Python reads it as Infinity
        raise ValueError(text)
    return number


def load_json_object(raw: bytes | str) -> dict:
    """The JSON object in `raw` (an empty body is `{}`).

    Raises BadJsonBody: not UTF-8 or not JSON (NaN, Infinity and numbers beyond a float included), nested deeper
    than MAX_DEPTH
    (however deep: the parser's RecursionError is caught too), not an object, or a string (key or
    value) holding a lone surrogate such as `"\\ud800"`, which is valid JSON syntax but no character:
    neither database can store it and no response could repeat it.
    """
    if not raw or not raw.strip():
        return {}
    try:
        body = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise BadJsonBody(f"The request body is nested too deeply (at most {MAX_DEPTH} levels).") from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise BadJsonBody("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise BadJsonBody("The request body must be a JSON object.")
    _check_values(body)
    return body


def _check_values(body: dict) -> None:
    """Depth and characters of every value, walked with a stack (no recursion, whatever the depth)."""
    stack: list[tuple[object, str, int]] = [(body, "", 1)]
    while stack:
        value, pointer, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadJsonBody(f"The request body is nested too deeply (at most {MAX_DEPTH} levels).")
        if isinstance(value, dict):
            for key, item in value.items():
                where = f"{pointer}/{_escape(key)}"
                if not _encodable(key):
                    raise BadJsonBody(
                        f"The member name at {where} is not valid Unicode text "
                        "(it holds a lone surrogate escape such as \\ud800)."
                    )
                stack.append((item, where, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{pointer}/{index}", depth + 1) for index, item in enumerate(value))
        elif isinstance(value, str) and not _encodable(value):
            raise BadJsonBody(
                f"The string at {pointer} is not valid Unicode text (it holds a lone surrogate escape such as \\ud800)."
            )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _escape(key: str) -> str:
    """A member name as a JSON Pointer token (RFC 6901), printable even when it is not valid Unicode,
    and short: the pointer goes into the error message."""
    token = key[:MAX_NAME_IN_POINTER].replace("~", "~0").replace("/", "~1")
    if len(key) > MAX_NAME_IN_POINTER:
        token += "…"
    return token.encode("utf-8", "backslashreplace").decode("utf-8")
