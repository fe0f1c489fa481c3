"""Server frames (`chat.frames` models) on the wire: compact UTF-8 JSON that can always be sent and never
exceeds the budget.

daphne (autobahn) refuses to send a WebSocket message over 1 MiB and closes the socket with 1011, so
every server frame is measured in the UTF-8 bytes daphne sends, and one over
`CHAT_MAX_SERVER_FRAME_BYTES` goes out without its largest parts rather than not at all.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings

from chat.frames import ContentChunk, ServerFrame
from vibewater.untrusted import storable_text

logger = logging.getLogger(__name__)

TOO_LARGE = (
    "Part of this update was too large to send over the connection and is left out. "
    "Nothing stored was lost: reload the conversation to see it."
)
_ERROR_FIELD_BYTES = len(',"error":') + len(TOO_LARGE.encode()) + 2


def _encoded(value: Any) -> tuple[str, int]:
    """`value` as compact JSON text that UTF-8 can encode, and its size in UTF-8 bytes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        return text, len(text.encode())
    except UnicodeEncodeError:  # an unpaired surrogate has no UTF-8 form
        text = storable_text(text)
        return text, len(text.encode())


def json_text(value: Any) -> str:
    """`value` as compact JSON text, non-ASCII characters as themselves, always encodable as UTF-8."""
    return _encoded(value)[0]


def json_size(value: Any) -> int:
    """The size of `value`'s JSON text in UTF-8 bytes."""
    return _encoded(value)[1]


def encode_frame(frame: ServerFrame) -> str:
    """A server frame as the text sent on the socket: at most `CHAT_MAX_SERVER_FRAME_BYTES` in UTF-8."""
    fields = frame.model_dump()
    text, size = _encoded(fields)
    limit = settings.CHAT_MAX_SERVER_FRAME_BYTES
    if size <= limit:
        return text
    return _encoded(_without_largest_parts(fields, size=size, limit=limit))[0]


def encode_chunk(*, message_id: str, chunk: str, seq: int) -> str:
    """`encode_frame(ContentChunk(...))`, written without building the model: a reply sends one per delta.

    tests/chat/test_wire.py checks that the two give the same text; anything unusual (a chunk over the
    budget, text UTF-8 cannot encode) takes the general path.
    """
    text = (
        f'{{"type":"content_chunk","message_id":{json.dumps(message_id, ensure_ascii=False)},'
        f'"chunk":{json.dumps(chunk, ensure_ascii=False)},"seq":{int(seq)}}}'
    )
    try:
        size = len(text.encode())
    except UnicodeEncodeError:
        size = None
    if size is None or size > settings.CHAT_MAX_SERVER_FRAME_BYTES:
        return encode_frame(ContentChunk(message_id=message_id, chunk=chunk, seq=seq))
    return text


def _without_largest_parts(frame: dict[str, Any], *, size: int, limit: int) -> dict[str, Any]:
    """The frame with its largest values set to null until it fits in `limit` bytes, and an `error` saying so."""
    parts = sorted(
        ((json_size(value), key) for key, value in frame.items() if key not in ("type", "error")), reverse=True
    )
    bounded = {**frame, "error": TOO_LARGE}
    excess = size + _ERROR_FIELD_BYTES - limit
    left_out = []
    for part_size, key in parts:
        if excess <= 0:
            break
        bounded[key] = None
        excess -= part_size - len("null")
        left_out.append(key)
    logger.error(
        "a %s frame of %d bytes is over CHAT_MAX_SERVER_FRAME_BYTES (%d): sent without %s",
        frame.get("type"), size, limit, ", ".join(left_out),
    )
    return bounded
