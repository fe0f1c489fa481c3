"""Untrusted text made safe to use: JSON parsed within size and depth bounds, and text made storable.

Client frames, the model's output and imported strategy files all come from outside; the chat and the
strategy domain both parse them, so this module sits below both. `load_json` bounds a document's size
before parsing it and its nesting after (pydantic-core's parser never recurses past ~200 levels, so
nothing here can exhaust Python's stack), and refuses what JSON does not define: NaN, infinities and
unpaired surrogate escapes, and NUL characters, which PostgreSQL cannot store. `storable_text` repairs text the database or a UTF-8 socket would refuse.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic_core import from_json

_UNSTORABLE = "\x00"


class UntrustedJSONError(ValueError):
    """A JSON document refused before use; the message is a sentence naming why."""


class JSONTooLarge(UntrustedJSONError):
    """A JSON document over its size limit, refused before it was parsed."""


def load_json(text: str, *, max_bytes: int, max_depth: int, what: str = "The frame") -> Any:
    """Parse `text` as JSON of at most `max_bytes` UTF-8 bytes and `max_depth` levels of nesting."""
    if len(text) > max_bytes:  # a character is at least one byte: refuse before encoding a huge string
        raise JSONTooLarge(f"{what} is larger than {_size(max_bytes)}.")
    try:
        encoded = text.encode()
    except UnicodeEncodeError:
        raise UntrustedJSONError(f"{what} contains text that is not valid Unicode.") from None
    if len(encoded) > max_bytes:
        raise JSONTooLarge(f"{what} is larger than {_size(max_bytes)}.")
    try:
        value = from_json(encoded, allow_inf_nan=False)
    except ValueError as invalid:
        if "recursion limit" in str(invalid):
            raise UntrustedJSONError(f"{what} is nested more than {max_depth} levels deep.") from None
        # jiter words a lone "\\ud800" as "unexpected end of hex escape", a lone "\\udc00" as "lone ... surrogate".
        if "surrogate" in str(invalid) or "hex escape" in str(invalid):
            raise UntrustedJSONError(f"{what} contains text that is not valid Unicode.") from None
        raise UntrustedJSONError(f"{what} is not valid JSON.") from None
    _check_nesting(value, max_depth=max_depth, what=what)
    return value


def _check_nesting(value: Any, *, max_depth: int, what: str) -> None:
    """Refuse containers nested deeper than `max_depth`, numbers too large to be finite, and NUL in any text."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if any(_UNSTORABLE in key for key in item):
                raise UntrustedJSONError(f"{what} contains a NUL character.")
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            if isinstance(item, float) and not math.isfinite(item):  # 1e400 parses as infinity
                raise UntrustedJSONError(f"{what} contains a number too large to use.")
            if isinstance(item, str) and _UNSTORABLE in item:  # PostgreSQL stores no NUL, in text or jsonb
                raise UntrustedJSONError(f"{what} contains a NUL character.")
            continue
        if depth > max_depth:
            raise UntrustedJSONError(f"{what} is nested more than {max_depth} levels deep.")
        stack.extend((child, depth + 1) for child in children)


def storable_text(text: str) -> str:
    """`text` with unpaired surrogates and NUL characters replaced by U+FFFD, so any database and socket take it."""
    if text.isascii():
        return text.replace(_UNSTORABLE, "\ufffd") if _UNSTORABLE in text else text
    try:
        text.encode()
    except UnicodeEncodeError:
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text.replace(_UNSTORABLE, "\ufffd") if _UNSTORABLE in text else text


def has_visible_text(text: str) -> bool:
    """Whether `text` has a character a reader would see (not only spaces, zero-width or control characters)."""
    return any(char.isprintable() and not char.isspace() for char in text)


def _size(max_bytes: int) -> str:
    return f"{max_bytes // 1024} KiB" if max_bytes >= 1024 else f"{max_bytes} bytes"
