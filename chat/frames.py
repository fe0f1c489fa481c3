"""Every frame of the chat socket, defined once: the client's (parsed and checked before anything else
looks at them) and the server's (built as models, encoded by `chat.wire`), and the group they go to.

The frontend's `frontend/src/types/generated/frames.ts` is generated from these models (`npm run types`).
The encoder stays in `chat.wire`: its byte budget and surrogate repair are a job of their own, and the
selectors measure message entries with it before any frame exists.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, WithJsonSchema

from chat.errors import ChatError
from chat.live_types import DraftDegenClass, DraftMetrics, DraftNode, InProgress
from vibewater.untrusted import JSONTooLarge, UntrustedJSONError, has_visible_text, load_json
from strategies.backtest.results import BacktestReport
from strategies.schemas import StrategyProblem, Timeframe

# The deepest a valid frame nests is eight (frame → strategy_json → flowchart → nodes → node → meta →
# conditions → condition); a little room for extra keys.
MAX_FRAME_DEPTH = 10


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


class BacktestParams(BaseModel):
    """What a Run Backtest may choose; each defaults (the strategy's symbol and timeframe, all stored history)."""

    model_config = ConfigDict(extra="forbid")
    symbol: str | None = None
    timeframe: Timeframe | None = None
    start: str | None = None  # ISO 8601 date or time, UTC
    end: str | None = None
    source: str | None = None  # a candle source; default: imported or fetched candles, else the demo set
    fee_pct: float | None = Field(default=None, ge=0, le=5)


class ActionFrame(BaseModel):
    """A press of one of the builder's buttons."""

    model_config = ConfigDict(extra="ignore")
    type: Literal["action"]
    action: Literal["explain", "run_backtest"]
    params: BacktestParams | None = None


class EditStrategyFrame(BaseModel):
    """The trader's edit in the builder: the whole edited strategy, made from version `base_version`."""

    model_config = ConfigDict(extra="ignore")
    type: Literal["edit_strategy"]
    base_version: int
    strategy_json: dict[str, Any]


class CancelFrame(BaseModel):
    """Stop the reply that is streaming."""

    model_config = ConfigDict(extra="ignore")
    type: Literal["cancel"]


ClientFrame = Annotated[MessageFrame | ActionFrame | EditStrategyFrame | CancelFrame, Field(discriminator="type")]
_client_frame = TypeAdapter(ClientFrame)
FRAME_TYPES = ("message", "action", "edit_strategy", "cancel")


def parse_client_frame(
    text: str | None, *, max_bytes: int, max_chars: int, max_history: int
) -> MessageFrame | ActionFrame | EditStrategyFrame | CancelFrame:
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


# --- server frames ----------------------------------------------------------------------------

MessageStatus = Literal["complete", "streaming", "interrupted", "error"]  # chat.models.Message.Status
VersionSource = Literal["reply", "edit", "restore", "import"]  # strategies.models.StrategyVersion.Source
# Stored strategy JSON goes out as it was stored (validated then): typed for the frontend, not re-validated.
StoredStrategy = Annotated[
    dict[str, Any], WithJsonSchema({"tsType": "Strategy", "description": "A strategy as strategy.schema.json has it."})
]


def group_name(conversation_id: Any) -> str:
    """The channel-layer group of every socket on a conversation."""
    return f"conversation.{conversation_id}"


class _ServerFrame(BaseModel):
    """Base of every server frame: all fields are sent, null included, in the order declared."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MessageReceived(_ServerFrame):
    """The trader's message, stored: shown on every socket on the conversation."""

    type: Literal["message_received"] = "message_received"
    message_id: str
    conversation_id: str
    content: str
    created_at: str


class MessageStart(_ServerFrame):
    """A reply begins streaming."""

    type: Literal["message_start"] = "message_start"
    message_id: str
    conversation_id: str


class ContentChunk(_ServerFrame):
    """The next piece of a reply's chat text; `seq` counts a reply's chunks from 1."""

    type: Literal["content_chunk"] = "content_chunk"
    message_id: str
    chunk: str
    seq: int


class StrategyProgress(_ServerFrame):
    """The parts of a streaming reply's strategy that completed since its previous progress frame.

    Incremental, numbered from 1 like chunks: the sum of a reply's frames is its strategy so far, and a
    joining socket's `in_progress.strategy` holds frames up to its `seq`. Parsed, not validated: the
    strategy the builder keeps arrives in `message_complete`, and one that fails there replaces nothing.
    """

    type: Literal["strategy_progress"] = "strategy_progress"
    message_id: str
    seq: int
    nodes: list[DraftNode]
    edges: list[tuple[str, str]]
    #: Sent once, in the frame after the section closed (and validated on its own).
    degen_class: DraftDegenClass | None = Field(default=None, exclude_if=lambda section: section is None)
    strategy_metrics: DraftMetrics | None = Field(default=None, exclude_if=lambda section: section is None)


class MessageComplete(_ServerFrame):
    """A reply is stored: its final text, status and (when it made one) strategy version."""

    type: Literal["message_complete"] = "message_complete"
    message_id: str
    conversation_id: str
    user_message: str
    strategy_json: StoredStrategy | None
    strategy_version: int | None
    status: MessageStatus
    error: str | None
    provider: str | None
    model_id: str | None


class MessageEntry(_ServerFrame):
    """A stored message, as `conversation_state` and the pages of older messages carry it."""

    id: str
    role: Literal["user", "assistant"]
    content: str
    status: MessageStatus
    error: str | None
    provider: str | None
    created_at: str
    strategy_version: int | None
    #: Sent (as true) only when the message alone was too large for a frame: `content` is its beginning.
    truncated: bool = Field(default=False, exclude_if=lambda truncated: not truncated)


class MessagePage(_ServerFrame):
    """The newest messages before a cursor, oldest first; `before` is the cursor for the page before them."""

    messages: list[MessageEntry]
    has_more: bool
    before: str | None


class ConversationState(_ServerFrame):
    """What a socket joining a conversation is told first: its strategy, reply in progress and newest messages."""

    type: Literal["conversation_state"] = "conversation_state"
    conversation_id: str
    title: str
    strategy_json: StoredStrategy | None
    strategy_version: int | None
    in_progress: InProgress | None
    messages: list[MessageEntry]
    has_more: bool
    before: str | None
    #: The latest backtest of the current version, if it has one.
    latest_backtest: BacktestReport | None


class StrategyUpdated(_ServerFrame):
    """A new current version not made by a reply (an edit, a restore), announced to every socket on the conversation."""

    type: Literal["strategy_updated"] = "strategy_updated"
    strategy_json: StoredStrategy
    strategy_version: int
    conversation_id: str
    source: VersionSource
    restored_from: int | None  # for a restore: the version it restored


class BacktestStarted(_ServerFrame):
    """A backtest of the current version was accepted and is running."""

    type: Literal["backtest_started"] = "backtest_started"
    backtest_id: str  # the stored run's id, in `backtest_progress` and `backtest_result` too
    strategy_version: int


class BacktestProgress(_ServerFrame):
    """How far a backtest running over a second has got."""

    type: Literal["backtest_progress"] = "backtest_progress"
    backtest_id: str
    pct: float


class BacktestResult(BacktestReport):
    """A finished, stored backtest: every socket on the conversation gets it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["backtest_result"] = "backtest_result"


class ErrorFrame(_ServerFrame):
    """A request the server could not take, with a machine-readable code and a sentence for the trader."""

    type: Literal["error"] = "error"
    code: str
    message: str
    #: For `invalid_strategy`: each problem by its JSON path; sent only when there are some.
    problems: list[StrategyProblem] = Field(default_factory=list, exclude_if=lambda problems: not problems)


ServerFrame = Annotated[
    MessageReceived
    | MessageStart
    | ContentChunk
    | StrategyProgress
    | MessageComplete
    | ConversationState
    | StrategyUpdated
    | BacktestStarted
    | BacktestProgress
    | BacktestResult
    | ErrorFrame,
    Field(discriminator="type"),
]
