"""Frames to every socket on a conversation, on any worker: publishing one frame,
and a reply's chat text and strategy so far as numbered, coalesced `content_chunk` and
`strategy_progress` frames."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings

from chat.checkpoints import ReplyCheckpoints
from chat.frames import ServerFrame, StrategyProgress, group_name
from chat.live import live_replies
from chat.progress import StrategyDraft
from chat.wire import encode_chunk, encode_frame

logger = logging.getLogger(__name__)


def frame_event(frame: ServerFrame, **routing: Any) -> dict[str, Any]:
    """A group message carrying one server frame, encoded once for every socket."""
    return {"type": "chat.frame", "text": encode_frame(frame), **routing}


async def publish(conversation_id: Any, frame: ServerFrame, **routing: Any) -> None:
    """Send a frame to every socket on the conversation; a layer outage loses the frame, never the reply."""
    await _send(conversation_id, frame.type, frame_event(frame, **routing))


async def _send(conversation_id: Any, frame_type: str, event: dict[str, Any]) -> None:
    try:
        await get_channel_layer().group_send(group_name(conversation_id), event)
    except Exception:  # what was stored is still stored, and a socket that rejoins reads it back
        logger.warning("could not publish %s to conversation %s", frame_type, conversation_id, exc_info=True)


class ChunkPublisher:
    """Publishes a reply's chat text as `content_chunk` frames, and what completes of its strategy (read by
    `draft`) as `strategy_progress` frames, each numbered from 1.

    Deltas that arrive within `window` seconds of each other are merged into one frame of each kind, which
    keeps the frame count (and the channel layer's load) bounded when a model streams tiny deltas; while
    no chat text waits, strategy parts wait `progress_window` (the longer) for company.
    """

    def __init__(
        self, *, conversation_id: str, message_id: str, window: float, progress_window: float, draft: StrategyDraft
    ) -> None:
        self._conversation_id = conversation_id
        self._message_id = message_id
        self._window = window
        self._progress_window = max(window, progress_window)
        self._draft = draft
        self._progress_seq = 0
        self._parts: list[str] = []
        self._ready = asyncio.Event()
        self._closing = False
        self._seq = 0
        self._task: asyncio.Task[None] | None = None
        self._checkpoints = ReplyCheckpoints(reply_id=message_id, interval=settings.CHAT_CHECKPOINT_SECONDS)

    def add(self, text: str) -> None:
        """Queue chat text for the next chunk (and any strategy parts the draft completed for the next progress)."""
        if text:
            self._parts.append(text)
        elif not self._draft.has_news:
            return
        self._ready.set()
        if self._task is None:
            self._task = asyncio.create_task(self._flush_loop())

    async def close(self) -> None:
        """Publish whatever is queued and stop."""
        self._closing = True
        self._ready.set()
        if self._task is not None:
            await self._task
        await self._checkpoints.close()

    async def _flush_loop(self) -> None:
        while True:
            await self._ready.wait()
            window = self._window if self._parts else self._progress_window
            if window and not self._closing:
                await asyncio.sleep(window)
            self._ready.clear()
            if self._parts:
                await self._publish("".join(self._parts))
            if self._draft.has_news:
                await self._publish_progress()
            if self._closing and not self._parts and not self._draft.has_news:
                return

    async def _publish(self, text: str) -> None:
        self._parts.clear()
        self._seq += 1
        # The text is recorded before it is sent, so a socket that joins sees it in the snapshot or live.
        await live_replies.append(self._message_id, text, self._seq)
        self._checkpoints.add(text)
        encoded = encode_chunk(message_id=self._message_id, chunk=text, seq=self._seq)
        event = {"type": "chat.frame", "text": encoded, "message_id": self._message_id, "seq": self._seq}
        await _send(self._conversation_id, "content_chunk", event)

    async def _publish_progress(self) -> None:
        parts = self._draft.take()
        if parts is None:
            return
        self._progress_seq += 1
        increment = dataclasses.replace(parts, seq=self._progress_seq)
        # Recorded before it is sent, as chunks are: a joining socket sees it in the snapshot or live.
        await live_replies.append_strategy(self._message_id, increment)
        frame = StrategyProgress(
            message_id=self._message_id,
            seq=increment.seq,
            nodes=increment.nodes,
            edges=increment.edges,
            degen_class=increment.degen_class,
            strategy_metrics=increment.strategy_metrics,
        )
        event = frame_event(frame, message_id=self._message_id, progress_seq=increment.seq)
        await _send(self._conversation_id, frame.type, event)
