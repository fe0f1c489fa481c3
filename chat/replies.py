"""The streaming reply pipeline: store the trader's message, stream the provider's reply to the
conversation's group as numbered chunks, then parse, validate and store the outcome once.

Replies run as their own tasks, not the socket's, so a trader who disconnects still gets a stored
reply. Every frame goes through the channel layer group, so all sockets on a conversation see the same.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from chat.checkpoints import ReplyCheckpoints
from chat.db import db_call
from chat.errors import ChatError, NothingToCancel, NoStrategy, ReplyInProgress
from chat.frames import MessageFrame
from chat.interpret import interpret_reply
from chat.live import Orphan, live_replies
from chat.models import Conversation, Message
from chat.providers import get_provider
from chat.providers.base import LLMProvider, ProviderError, ReplyRequest, StreamOutcome
from chat.selectors import (
    conversation_state,
    current_version,
    reply_request,
    request_from_turns,
    streaming_reply_ids,
)
from chat.services import REPLY_INTERRUPTED, Submission, message_submit, replies_mark_interrupted, reply_finish
from chat.splitter import SplitReply, TagSplitter
from chat.untrusted import storable_text
from chat.wire import encode_frame

logger = logging.getLogger(__name__)

EXPLAIN_REQUEST = "Explain this strategy: how it enters, exits and manages risk."
STOPPED = "The reply was stopped before it finished."
TRUNCATED = "The reply hit the model's length limit and was cut off."
UNEXPECTED = "Something went wrong while writing the reply. Please try again."
NOT_STORED = "The reply could not be saved, so it will not be there after a reload. Please try again."

_reply_tasks: set[asyncio.Task[None]] = set()


def group_name(conversation_id: Any) -> str:
    """The channel-layer group of every socket on a conversation."""
    return f"conversation.{conversation_id}"


def frame_event(frame: dict[str, Any], **routing: Any) -> dict[str, Any]:
    """A group message carrying one server frame, encoded once for every socket."""
    return {"type": "chat.frame", "text": encode_frame(frame), **routing}


async def publish(conversation_id: Any, frame: dict[str, Any], **routing: Any) -> None:
    """Send a frame to every socket on the conversation; a layer outage loses the frame, never the reply."""
    try:
        await get_channel_layer().group_send(group_name(conversation_id), frame_event(frame, **routing))
    except Exception:  # what was stored is still stored, and a socket that rejoins reads it back
        logger.warning("could not publish %s to conversation %s", frame["type"], conversation_id, exc_info=True)


class ChunkPublisher:
    """Publishes a reply's chat text as `content_chunk` frames numbered from 1.

    Deltas that arrive within `window` seconds of each other are merged into one frame, which keeps
    the frame count (and the channel layer's load) bounded when a model streams tiny deltas.
    """

    def __init__(self, *, conversation_id: str, message_id: str, window: float) -> None:
        self._conversation_id = conversation_id
        self._message_id = message_id
        self._window = window
        self._parts: list[str] = []
        self._ready = asyncio.Event()
        self._closing = False
        self._seq = 0
        self._task: asyncio.Task[None] | None = None
        self._checkpoints = ReplyCheckpoints(reply_id=message_id, interval=settings.CHAT_CHECKPOINT_SECONDS)

    def add(self, text: str) -> None:
        """Queue chat text for the next chunk."""
        if not text:
            return
        self._parts.append(text)
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
            if self._window and not self._closing:
                await asyncio.sleep(self._window)
            self._ready.clear()
            if self._parts:
                await self._publish("".join(self._parts))
            if self._closing and not self._parts:
                return

    async def _publish(self, text: str) -> None:
        self._parts.clear()
        self._seq += 1
        # The text is recorded before it is sent, so a socket that joins sees it in the snapshot or live.
        await live_replies.append(self._message_id, text, self._seq)
        self._checkpoints.add(text)
        frame = {"type": "content_chunk", "message_id": self._message_id, "chunk": text, "seq": self._seq}
        await publish(self._conversation_id, frame, message_id=self._message_id, seq=self._seq)


async def interrupt_orphans(orphans: list[Orphan]) -> int:
    """Store replies whose worker died as interrupted, with the text they reached, and end them on every socket.

    Returns how many this call stored: a reply another sweeper stored first is neither stored nor announced again.
    """
    stored = await db_call(replies_mark_interrupted)(texts={orphan.message_id: orphan.text for orphan in orphans})
    for orphan in orphans:
        await live_replies.finish(orphan.message_id)
    for reply in stored:
        frame = {
            "type": "message_complete",
            "message_id": reply.message_id,
            "conversation_id": reply.conversation_id,
            "user_message": reply.content,
            "strategy_json": None,
            "strategy_version": reply.strategy_version,
            "status": Message.Status.INTERRUPTED,
            "error": REPLY_INTERRUPTED,
            "provider": reply.provider,
            "model_id": reply.model_id,
        }
        await publish(reply.conversation_id, frame)
    return len(stored)


async def sweep_stale_replies(conversation: Conversation) -> bool:
    """Store the conversation's replies that no live worker streams as interrupted; True if there were any."""
    stored = await db_call(streaming_reply_ids)(conversation=conversation)
    orphans = await live_replies.adopt_orphans(stored) if stored else []
    if orphans:
        await interrupt_orphans(orphans)
    return bool(orphans)


async def joining_state(conversation: Conversation) -> dict[str, Any]:
    """The `conversation_state` frame for a socket that has just joined the conversation's group."""
    await sweep_stale_replies(conversation)
    # Read before the messages, so the messages are fitted beside it within the frame budget.
    in_progress = await live_replies.snapshot(str(conversation.id))
    return await db_call(conversation_state)(
        conversation=conversation,
        in_progress=asdict(in_progress) if in_progress else None,
        max_bytes=settings.CHAT_MAX_SERVER_FRAME_BYTES,
    )


@dataclass(frozen=True)
class AcceptedMessage:
    """A stored message and reply placeholder, with the provider request read in the same database call."""

    submission: Submission
    request: ReplyRequest
    capital: float | None

    @property
    def conversation(self) -> Conversation:
        """The conversation the message was stored in (new for a first message)."""
        return self.submission.conversation


def _accept(**submit: Any) -> AcceptedMessage:
    """Store the message, then read what the provider needs: one trip to the database thread, not two."""
    submission = message_submit(**submit)
    if submission.created:  # the conversation holds only what was just stored: no need to read it back
        stored = [(turn["role"], turn["content"]) for turn in submit["history"]]
        stored.append((Message.Role.USER.value, submit["content"]))
        request, capital = request_from_turns(stored, current_strategy=None)
    else:
        request, capital = reply_request(conversation=submission.conversation)
    return AcceptedMessage(submission, request, capital)


async def submit_message(
    *, user: AbstractBaseUser, conversation: Conversation | None, frame: MessageFrame
) -> AcceptedMessage:
    """Store the trader's message and a streaming placeholder for the reply; nothing is sent yet."""
    return await _submit(user=user, conversation=conversation, content=frame.content, history=frame.history)


async def submit_action(
    *, user: AbstractBaseUser, conversation: Conversation | None, action: str
) -> AcceptedMessage:
    """Turn a builder button into a stored request the strategist answers."""
    if action == "run_backtest":
        raise ChatError("Backtesting is not available yet.", code="action_unavailable")
    has_strategy = conversation is not None and await db_call(current_version)(conversation=conversation)
    if not has_strategy:
        raise NoStrategy("There is no strategy to explain yet. Ask for one first.")
    return await _submit(user=user, conversation=conversation, content=EXPLAIN_REQUEST, history=[])


async def _submit(
    *, user: AbstractBaseUser, conversation: Conversation | None, content: str, history: list[Any]
) -> AcceptedMessage:
    provider = get_provider()
    reply_id = str(uuid.uuid4())
    accept = functools.partial(
        db_call(_accept),
        user=user,
        conversation=conversation,
        reply_id=reply_id,
        content=content,
        history=[turn.model_dump() for turn in history],
        provider=provider.name,
        model_id=provider.model_id,
        rate_limit_per_minute=settings.CHAT_RATE_LIMIT_PER_MINUTE,
    )
    await live_replies.claim(reply_id)
    try:
        try:
            return await accept()
        except ReplyInProgress:
            # A reply still stored as streaming may be one whose worker died: sweep only then, so the
            # usual message costs one trip to the database thread, not two.
            if conversation is None or not await sweep_stale_replies(conversation):
                raise
            return await accept()
    except BaseException:
        await live_replies.finish(reply_id)
        raise


async def start_reply(accepted: AcceptedMessage) -> None:
    """Announce the stored message to every socket, then stream the reply in a task of its own."""
    conversation_id = str(accepted.conversation.id)
    message = accepted.submission.user_message
    await publish(
        conversation_id,
        {
            "type": "message_received",
            "message_id": str(message.id),
            "conversation_id": conversation_id,
            "content": message.content,
            "created_at": message.created_at.isoformat(),
        },
    )
    task = asyncio.create_task(_run_reply(accepted.submission, accepted.request, accepted.capital, get_provider()))
    _reply_tasks.add(task)
    task.add_done_callback(_reply_tasks.discard)


async def cancel_reply(conversation: Conversation | None) -> None:
    """Stop the conversation's streaming reply; its partial text is stored as interrupted."""
    if conversation is None or not await live_replies.cancel(str(conversation.id)):
        raise NothingToCancel("No reply is being written right now.")


async def _run_reply(
    submission: Submission, request: ReplyRequest, capital: float | None, provider: LLMProvider
) -> None:
    conversation_id = str(submission.conversation.id)
    reply_id = str(submission.reply.id)
    try:
        await publish(
            conversation_id, {"type": "message_start", "message_id": reply_id, "conversation_id": conversation_id}
        )
        outcome = StreamOutcome()
        splitter = TagSplitter()
        chunks = ChunkPublisher(
            conversation_id=conversation_id, message_id=reply_id, window=settings.CHAT_COALESCE_MS / 1000
        )
        # Only the streaming itself is cancellable: a cancel that lands later must not stop the storing.
        streaming = asyncio.create_task(_stream(provider, request, outcome, splitter, chunks, reply_id))
        await live_replies.start(conversation_id, reply_id, streaming)
        try:
            status, error = await streaming
        except asyncio.CancelledError:
            if not streaming.cancelled():
                raise
            status, error = Message.Status.INTERRUPTED, STOPPED  # cancelled before it began
        await chunks.close()

        split = splitter.finish()
        user_message, strategy, status, error = _outcome(split, outcome, capital, status, error, reply_id)
        version = None
        store = functools.partial(
            db_call(reply_finish),
            conversation=submission.conversation,
            reply_id=reply_id,
            content=user_message,
            outcome=outcome,
            new_conversation=submission.created,
        )
        try:
            version = await store(status=status, error=error, strategy=strategy)
        except Exception:
            logger.exception("reply %s could not be stored", reply_id)
            status, error = Message.Status.ERROR, NOT_STORED
            try:  # keep the text at least: without the strategy, the write that failed may succeed
                await store(status=status, error=error, strategy=None)
            except Exception:  # the traders still get the text; the stored row is swept as interrupted
                logger.exception("reply %s could not be stored without its strategy either", reply_id)
    finally:
        await live_replies.finish(reply_id)
    await publish(
        conversation_id,
        {
            "type": "message_complete",
            "message_id": reply_id,
            "conversation_id": conversation_id,
            "user_message": user_message,
            "strategy_json": version.data if version else None,
            "strategy_version": version.number if version else None,
            "status": status,
            "error": error,
            "provider": provider.name,
            "model_id": provider.model_id,
        },
    )


def _outcome(
    split: SplitReply, outcome: StreamOutcome, capital: float | None, status: str, error: str | None, reply_id: str
) -> tuple[str, dict[str, Any] | None, str, str | None]:
    """The chat text, strategy, status and error a finished stream stores; model output can't make it raise."""
    if status != Message.Status.COMPLETE:
        return split.user_message, None, status, error
    try:
        result = interpret_reply(split, stop_reason=outcome.stop_reason, stated_capital_usd=capital)
    except Exception:  # interpret_reply is meant never to raise: if it does, the text is still stored
        logger.exception("reply %s could not be interpreted", reply_id)
        return split.user_message, None, Message.Status.ERROR, UNEXPECTED
    user_message, strategy, error = result.user_message, result.strategy, result.error
    if result.failed:
        return user_message, None, Message.Status.ERROR, error
    if outcome.stop_reason == "max_tokens":
        return user_message, strategy, Message.Status.INTERRUPTED, f"{TRUNCATED} {error or ''}".strip()
    return user_message, strategy, status, error


async def _stream(
    provider: LLMProvider,
    request: ReplyRequest,
    outcome: StreamOutcome,
    splitter: TagSplitter,
    chunks: ChunkPublisher,
    reply_id: str,
) -> tuple[str, str | None]:
    """Feed the provider's deltas to the splitter and the chunk publisher; return the status and error."""
    stream = provider.stream(request, outcome)
    try:
        async for delta in stream:
            chunks.add(splitter.feed(storable_text(delta)))
    except ProviderError as failure:
        logger.warning("reply %s failed: %s", reply_id, failure.code)
        return Message.Status.ERROR, failure.message
    except asyncio.CancelledError:
        return Message.Status.INTERRUPTED, STOPPED
    except Exception:
        logger.exception("reply %s failed unexpectedly", reply_id)
        return Message.Status.ERROR, UNEXPECTED
    finally:
        await stream.aclose()
    return Message.Status.COMPLETE, None
