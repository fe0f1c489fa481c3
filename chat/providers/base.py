"""The provider interface every LLM backend implements: an async iterator of text deltas."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol


@dataclass(frozen=True)
class ChatTurn:
    """One stored turn of the conversation, as the provider sees it."""

    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class ReplyRequest:
    """Everything a provider needs to write the next assistant reply.

    `turns` is the stored history ending with the trader's new message; `current_strategy` is the
    conversation's current validated strategy JSON (or None) so follow-ups can build on it.
    """

    turns: list[ChatTurn]
    current_strategy: dict[str, Any] | None = None


@dataclass
class StreamOutcome:
    """What a provider learned about the stream besides its text; filled in while streaming."""

    stop_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_ms: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class ProviderError(Exception):
    """A provider failure; `message` is a sentence a trader can read, `code` is for logs and tests."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class LLMProvider(Protocol):
    """A source of assistant replies in the `<user_message>` / `<backend>` tag format."""

    #: Short name shown to traders and stored on messages, e.g. "offline" or "bedrock".
    name: str
    #: The model identifier stored on each reply.
    model_id: str

    def stream(self, request: ReplyRequest, outcome: StreamOutcome) -> AsyncIterator[str]:
        """Yield the reply's raw text deltas; fill `outcome`; raise ProviderError on failure.

        Closing the iterator early (aclose) must release whatever the stream holds.
        """
        ...
