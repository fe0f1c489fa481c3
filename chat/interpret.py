"""Turns a finished, split reply into what the trader gets: the chat text, a strategy or a readable error."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chat.splitter import SplitReply
from vibewater.untrusted import UntrustedJSONError, load_json
from strategies.schemas import MAX_STRATEGY_JSON_BYTES, MAX_STRATEGY_JSON_DEPTH, Strategy
from strategies.validation import InvalidStrategy, validate_strategy

# `\s*+` never hands spaces back to `.*?`, which would rescan a long run of spaces once per space.
_FENCE = re.compile(r"```(?:json|JSON)?\s*+(.*?)```", re.DOTALL)
NOT_UPDATED = "The builder was not updated."
NO_STRATEGY = "The assistant's reply did not include a strategy, so the builder was not updated."
CUT_OFF = "The reply was cut off before the strategy was complete, so the builder was not updated."
BAD_JSON = f"The strategy in the assistant's reply is not valid JSON. {NOT_UPDATED}"


@dataclass(frozen=True)
class ReplyInterpretation:
    """The outcome of one reply: chat text, the validated strategy or None, an error or None, and whether
    the model broke the reply format (its strategy JSON could not be read at all)."""

    user_message: str
    strategy: Strategy | None
    error: str | None
    failed: bool = False


def extract_json_text(text: str) -> str:
    """Strip ```json fences and surrounding prose from a backend section, keeping the JSON object."""
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if start >= 0 and end > start else text.strip()


def _fenced_json_outside(outside_text: str) -> str | None:
    """A ```json block the model wrote outside the tags, used when `<backend>` is missing."""
    fenced = _FENCE.search(outside_text)
    return fenced.group(1) if fenced and "{" in fenced.group(1) else None


def interpret_reply(
    split: SplitReply, *, stop_reason: str | None, stated_capital_usd: float | None
) -> ReplyInterpretation:
    """Decide what a finished reply means for the trader; never raises on bad model output."""
    user_message = split.user_message
    if not split.saw_user_message:
        # No chat section at all: show the prose, without any JSON it carried.
        user_message = _FENCE.sub("", split.outside_text).strip()
    truncated = stop_reason == "max_tokens"

    backend_text = split.backend_text
    if backend_text is None:
        backend_text = _fenced_json_outside(split.outside_text)
    if backend_text is None:
        return ReplyInterpretation(user_message, None, CUT_OFF if truncated else NO_STRATEGY)
    if truncated or (split.backend_text is not None and not split.backend_closed):
        return ReplyInterpretation(user_message, None, CUT_OFF)

    try:
        data = load_json(
            extract_json_text(backend_text),
            max_bytes=MAX_STRATEGY_JSON_BYTES,
            max_depth=MAX_STRATEGY_JSON_DEPTH,
            what="The strategy in the assistant's reply",
        )
    except UntrustedJSONError as refused:  # too large, too deep, NaN, a lone surrogate, or not JSON at all
        return ReplyInterpretation(user_message, None, f"{refused} {NOT_UPDATED}", failed=True)
    try:
        strategy = validate_strategy(data, stated_capital_usd=stated_capital_usd)
    except InvalidStrategy as invalid:
        # The builder previewed this strategy as it streamed: say that it keeps what it had.
        return ReplyInterpretation(user_message, None, f"The proposed strategy was rejected: {invalid} {NOT_UPDATED}")
    return ReplyInterpretation(user_message, strategy, None)
