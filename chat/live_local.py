"""The in-process live-reply store: one worker, with the in-memory channel layer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

from chat.live_types import InProgress, Orphan, OrphanHandler, StrategySoFar, strategy_so_far


@dataclass
class _LiveReply:
    conversation_id: str
    message_id: str
    task: asyncio.Task[None] | None = None
    parts: list[str] = field(default_factory=list)
    seq: int = 0
    strategy: list[StrategySoFar] = field(default_factory=list)


class LocalLiveReplies:
    """In-process registry of streaming replies, keyed by conversation (one reply at a time each)."""

    def __init__(self) -> None:
        self._by_conversation: dict[str, _LiveReply] = {}
        self._conversation_of: dict[str, str] = {}

    async def claim(self, message_id: str) -> None:
        """Mark a reply live before it is stored, so no sweep takes it for stale in between."""
        self._conversation_of.setdefault(message_id, "")

    async def start(self, conversation_id: str, message_id: str, task: asyncio.Task[None]) -> None:
        """Record that `task` now streams reply `message_id`."""
        self._by_conversation[conversation_id] = _LiveReply(conversation_id, message_id, task)
        self._conversation_of[message_id] = conversation_id

    async def append(self, message_id: str, text: str, seq: int) -> None:
        """Record chat text released with chunk number `seq`."""
        reply = self._streaming(message_id)
        if reply is not None:
            reply.parts.append(text)
            reply.seq = seq

    async def append_strategy(self, message_id: str, increment: StrategySoFar) -> None:
        """Record what progress frame number `increment.seq` carried of the reply's strategy."""
        reply = self._streaming(message_id)
        if reply is not None:
            reply.strategy.append(increment)

    def _streaming(self, message_id: str) -> _LiveReply | None:
        reply = self._by_conversation.get(self._conversation_of.get(message_id, ""))
        return reply if reply is not None and reply.message_id == message_id else None

    async def snapshot(self, conversation_id: str) -> InProgress | None:
        """The conversation's streaming reply as it stands, or None."""
        reply = self._by_conversation.get(conversation_id)
        if reply is None:
            return None
        reply.parts[:] = ["".join(reply.parts)]
        reply.strategy[:] = [strategy_so_far(reply.strategy)]  # joins cost what arrived since the last one
        return InProgress(reply.message_id, reply.parts[0], reply.seq, reply.strategy[0])

    async def adopt_orphans(self, message_ids: Iterable[str]) -> list[Orphan]:
        """Those of `message_ids` this process does not stream: the one process that could have is gone.

        Their text died with that process; what a checkpoint stored in the reply's row is all there is.
        """
        return [Orphan(message_id, "") for message_id in message_ids if message_id not in self._conversation_of]

    async def sweep_forever(self, handle: OrphanHandler) -> None:
        """Return at once: with no other worker, no reply can lose its worker while this process runs."""

    async def cancel(self, conversation_id: str) -> bool:
        """Stop the conversation's streaming reply; False when there is none."""
        reply = self._by_conversation.get(conversation_id)
        if reply is None or reply.task is None or reply.task.done():
            return False
        reply.task.cancel()
        return True

    async def finish(self, message_id: str) -> None:
        """Forget a reply that has been stored (streamed here, or adopted as an orphan)."""
        conversation_id = self._conversation_of.pop(message_id, None)
        reply = self._by_conversation.get(conversation_id or "")
        if reply is not None and reply.message_id == message_id:
            del self._by_conversation[conversation_id]
