"""Client frames: parsed and checked before anything else looks at them."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from chat.errors import ChatError


class HistoryTurn(BaseModel):
    """A turn the client remembers, used only to seed an empty conversation."""

    model_config = ConfigDict(extra="ignore")
    role: Literal["user", "assistant"]
    content: str


class MessageFrame(BaseModel):
    """The seed's frame: the trader's message, with optional client-side history."""

    model_config = ConfigDict(extra="ignore")
    type: Literal["message"]
    content: str
    history: list[HistoryTurn] = []


class ActionFrame(BaseModel):
    """A press of one of the builder's buttons."""

    model_config = ConfigDict(extra="ignore")
    type: Literal["action"]
    action: Literal["explain", "run_backtest"]


class CancelFrame(BaseModel):
    """Stop the reply that is streaming."""

    model_config = ConfigDict(extra="ignore")
    type: Literal["cancel"]


ClientFrame = Annotated[MessageFrame | ActionFrame | CancelFrame, Field(discriminator="type")]
_client_frame = TypeAdapter(ClientFrame)
FRAME_TYPES = ("message", "action", "cancel")


def parse_client_frame(
    text: str | None, *, max_bytes: int, max_chars: int, max_history: int
) -> MessageFrame | ActionFrame | CancelFrame:
    """Parse one text frame, raising ChatError with a code and a readable message when it is not acceptable."""
    if text is None:
        raise ChatError("Only text frames carrying JSON are accepted.", code="unsupported_frame")
    if len(text.encode()) > max_bytes:
        raise ChatError(f"The frame is larger than {max_bytes // 1024} KiB.", code="frame_too_large")
    try:
        raw = json.loads(text)
    except ValueError:
        raise ChatError("The frame is not valid JSON.", code="invalid_json") from None
    if not isinstance(raw, dict) or raw.get("type") not in FRAME_TYPES:
        kind = raw.get("type") if isinstance(raw, dict) else None
        raise ChatError(
            f"Unknown frame type {kind!r}; expected one of: {', '.join(FRAME_TYPES)}.", code="unknown_type"
        )
    try:
        frame = _client_frame.validate_python(raw)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        field = ".".join(str(part) for part in first["loc"][1:]) or "frame"
        raise ChatError(f"The frame's {field!r} is invalid: {first['msg']}.", code="invalid_frame") from None
    if isinstance(frame, MessageFrame):
        _check_content(frame.content, max_chars)
        if len(frame.history) > max_history:
            raise ChatError(f"The history may hold at most {max_history} turns.", code="invalid_frame")
    return frame


def _check_content(content: str, max_chars: int) -> None:
    """Reject an empty or over-long message."""
    if not content.strip():
        raise ChatError("The message is empty.", code="empty_content")
    if len(content) > max_chars:
        raise ChatError(
            f"The message is {len(content):,} characters long; the limit is {max_chars:,}.", code="content_too_long"
        )
