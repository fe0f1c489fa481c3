"""Client frames: parsed and checked before anything else looks at them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from chat.errors import ChatError
from chat.untrusted import JSONTooLarge, UntrustedJSONError, has_visible_text, load_json

# The deepest a valid frame nests is three (frame → history → turn); a little room for extra keys.
MAX_FRAME_DEPTH = 8


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
    try:
        raw = load_json(text, max_bytes=max_bytes, max_depth=MAX_FRAME_DEPTH)
    except UntrustedJSONError as refused:
        code = "frame_too_large" if isinstance(refused, JSONTooLarge) else "invalid_json"
        raise ChatError(str(refused), code=code) from None
    if not isinstance(raw, dict) or raw.get("type") not in FRAME_TYPES:
        kind = raw.get("type") if isinstance(raw, dict) else None
        raise ChatError(
            f"Unknown frame type {_quoted(kind)}; expected one of: {', '.join(FRAME_TYPES)}.", code="unknown_type"
        )
    try:
        frame = _client_frame.validate_python(raw)
    except ValidationError as invalid:
        first = invalid.errors(include_url=False, include_input=False)[0]
        field = ".".join(str(part) for part in first["loc"][1:]) or "frame"
        raise ChatError(f"The frame's {field!r} is invalid: {first['msg']}.", code="invalid_frame") from None
    if isinstance(frame, MessageFrame):
        _check_content(frame.content, max_chars, what="The message")
        if len(frame.history) > max_history:
            raise ChatError(f"The history may hold at most {max_history} turns.", code="invalid_frame")
        for number, turn in enumerate(frame.history, start=1):
            _check_content(turn.content, max_chars, what=f"History turn {number}", code="invalid_frame")
    return frame


def _check_content(content: str, max_chars: int, *, what: str, code: str | None = None) -> None:
    """Reject content that is over-long or shows nothing."""
    if len(content) > max_chars:
        raise ChatError(
            f"{what} is {len(content):,} characters long; the limit is {max_chars:,}.",
            code=code or "content_too_long",
        )
    if not has_visible_text(content):
        raise ChatError(f"{what} is empty.", code=code or "empty_content")


def _quoted(value: object, limit: int = 40) -> str:
    """A client value for an error message, clipped so one frame can't echo a flood back."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
