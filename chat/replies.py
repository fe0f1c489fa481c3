"""The streaming reply pipeline: accept the trader's message (`chat.acceptance`), stream the provider's
reply to the conversation's group as numbered chunks, then parse, validate and store the outcome once.

A socket calls in once per client frame (`handle_message`, `handle_explain`, `handle_cancel`) and once
when it joins a conversation (`joining_state`). Replies run as their own tasks, not the socket's, so a
trader who disconnects still gets a stored reply. Every frame goes through the channel layer group, so
all sockets on a conversation see the same.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from chat.acceptance import AcceptedMessage, message_accept
from chat.broadcast import ChunkPublisher, publish
from chat.db import db_call
from chat.errors import NothingToCancel, NoStrategy
from chat.frames import ConversationState, MessageComplete, MessageFrame, MessageReceived, MessageStart
from chat.interpret import interpret_reply
from chat.live import live_replies
from chat.models import Conversation, Message
from chat.progress import StrategyDraft
from chat.providers import get_provider
from chat.providers.base import LLMProvider, ProviderError, ReplyRequest, StreamOutcome
from chat.recovery import sweep_stale_replies
from chat.selectors import conversation_state, current_version
from chat.services import Submission, reply_finish
from chat.splitter import SplitReply, TagSplitter
from vibewater.untrusted import storable_text
from strategies.models import StrategyVersion
from strategies.schemas import Strategy

logger = logging.getLogger(__name__)

EXPLAIN_REQUEST = "Explain this strategy: how it enters, exits and manages risk."
STOPPED = "The reply was stopped before it finished."
TRUNCATED = "The reply hit the model's length limit and was cut off."
UNEXPECTED = "Something went wrong while writing the reply. Please try again."
NOT_STORED = "The reply could not be saved, so it will not be there after a reload. Please try again."
STRATEGY_NOT_STORED = "The strategy could not be saved, so the builder was not updated. Please try again."

_reply_tasks: set[asyncio.Task[None]] = set()

# What a socket does with a conversation its message created: take it as its own and join its group.
EnterConversation = Callable[[Conversation], Awaitable[None]]


async def joining_state(conversation: Conversation) -> ConversationState:
    """The `conversation_state` frame for a socket that has just joined the conversation's group."""
    await sweep_stale_replies(conversation)
    # Read before the messages, so the messages are fitted beside it within the frame budget.
    in_progress = await live_replies.snapshot(str(conversation.id))
    return await db_call(conversation_state)(
        conversation=conversation,
        in_progress=in_progress,
        max_bytes=settings.CHAT_MAX_SERVER_FRAME_BYTES,
    )


async def handle_message(
    *, user: AbstractBaseUser, conversation: Conversation | None, frame: MessageFrame, enter: EnterConversation
) -> None:
    """Store the trader's message and a streaming placeholder for the reply, then start the reply."""
    accepted = await message_accept(user=user, conversation=conversation, content=frame.content, history=frame.history)
    await _start(accepted, enter=enter)


async def handle_explain(*, user: AbstractBaseUser, conversation: Conversation | None, enter: EnterConversation) -> None:
    """Turn the builder's Explain button into a stored request the strategist answers, then start the reply."""
    has_strategy = conversation is not None and await db_call(current_version)(conversation=conversation)
    if not has_strategy:
        raise NoStrategy("There is no strategy to explain yet. Ask for one first.")
    accepted = await message_accept(user=user, conversation=conversation, content=EXPLAIN_REQUEST, history=[])
    await _start(accepted, enter=enter)


async def handle_cancel(*, conversation: Conversation | None) -> None:
    """Stop the conversation's streaming reply; its partial text is stored as interrupted."""
    if conversation is None or not await live_replies.cancel(str(conversation.id)):
        raise NothingToCancel("No reply is being written right now.")


async def _start(accepted: AcceptedMessage, *, enter: EnterConversation) -> None:
    """Let the socket enter a conversation the message created, then announce the message and run its reply."""
    try:
        if accepted.submission.created:
            await enter(accepted.conversation)
    finally:  # the message and its reply placeholder are stored: the reply must run, entered or not
        await _start_reply(accepted)


async def _start_reply(accepted: AcceptedMessage) -> None:
    """Announce the stored message to every socket, then stream the reply in a task of its own."""
    conversation_id = str(accepted.conversation.id)
    message = accepted.submission.user_message
    await publish(
        conversation_id,
        MessageReceived(
            message_id=str(message.id),
            conversation_id=conversation_id,
            content=message.content,
            created_at=message.created_at.isoformat(),
        ),
    )
    task = asyncio.create_task(_run_reply(accepted.submission, accepted.request, accepted.capital, get_provider()))
    _reply_tasks.add(task)
    task.add_done_callback(_reply_tasks.discard)


async def _run_reply(
    submission: Submission, request: ReplyRequest, capital: float | None, provider: LLMProvider
) -> None:
    conversation_id = str(submission.conversation.id)
    reply_id = str(submission.reply.id)
    draft = StrategyDraft()
    outcome, splitter = StreamOutcome(), TagSplitter(on_backend=draft.feed)
    try:
        try:
            status, error = await _stream_to_sockets(
                provider, request, outcome, splitter, draft, conversation_id, reply_id
            )
        except Exception:  # a fault of ours mid-stream: the text streamed so far is still stored and shown
            logger.exception("reply %s failed unexpectedly", reply_id)
            status, error = Message.Status.ERROR, UNEXPECTED
        user_message, strategy, status, error = _outcome(splitter.finish(), outcome, capital, status, error, reply_id)
        version, status, error = await _store(
            submission, reply_id=reply_id, content=user_message, outcome=outcome, status=status, error=error,
            strategy=strategy,
        )
    finally:
        await live_replies.finish(reply_id)
    await publish(
        conversation_id,
        MessageComplete(
            message_id=reply_id,
            conversation_id=conversation_id,
            user_message=user_message,
            strategy_json=version.data if version else None,
            strategy_version=version.number if version else None,
            status=status,
            error=error,
            provider=provider.name,
            model_id=provider.model_id,
        ),
    )


async def _stream_to_sockets(
    provider: LLMProvider,
    request: ReplyRequest,
    outcome: StreamOutcome,
    splitter: TagSplitter,
    draft: StrategyDraft,
    conversation_id: str,
    reply_id: str,
) -> tuple[str, str | None]:
    """Announce the reply and stream its chat text and strategy so far to every socket on the conversation;
    the status and error."""
    await publish(conversation_id, MessageStart(message_id=reply_id, conversation_id=conversation_id))
    chunks = ChunkPublisher(
        conversation_id=conversation_id,
        message_id=reply_id,
        window=settings.CHAT_COALESCE_MS / 1000,
        progress_window=settings.CHAT_PROGRESS_COALESCE_MS / 1000,
        draft=draft,
    )
    # Only the streaming itself is cancellable: a cancel that lands later must not stop the storing.
    streaming = asyncio.create_task(_stream(provider, request, outcome, splitter, chunks, reply_id))
    try:
        await live_replies.start(conversation_id, reply_id, streaming)
        return await streaming
    except asyncio.CancelledError:
        if not streaming.cancelled():
            raise
        return Message.Status.INTERRUPTED, STOPPED  # cancelled before it began
    finally:
        await chunks.close()


async def _store(
    submission: Submission,
    *,
    reply_id: str,
    content: str,
    outcome: StreamOutcome,
    status: str,
    error: str | None,
    strategy: Strategy | None,
) -> tuple[StrategyVersion | None, str, str | None]:
    """Store the finished reply (and its strategy version); the version, and the status and error stored."""
    store = functools.partial(
        db_call(reply_finish),
        conversation=submission.conversation,
        reply_id=reply_id,
        content=content,
        outcome=outcome,
        new_conversation=submission.created,
    )
    try:
        return await store(status=status, error=error, strategy=strategy), status, error
    except Exception:
        logger.exception("reply %s could not be stored", reply_id)
    if strategy is not None:
        try:  # keep the text at least: without the strategy, the write that failed may succeed
            await store(status=Message.Status.ERROR, error=STRATEGY_NOT_STORED, strategy=None)
            return None, Message.Status.ERROR, STRATEGY_NOT_STORED
        except Exception:
            logger.exception("reply %s could not be stored without its strategy either", reply_id)
    # The traders still get the text; the row stays streaming until a sweep stores it as interrupted.
    return None, Message.Status.ERROR, NOT_STORED


def _outcome(
    split: SplitReply, outcome: StreamOutcome, capital: float | None, status: str, error: str | None, reply_id: str
) -> tuple[str, Strategy | None, str, str | None]:
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
        try:
            await stream.aclose()
        except Exception:  # closing a stream that failed must not replace its outcome
            logger.warning("could not close the stream of reply %s", reply_id, exc_info=True)
    return Message.Status.COMPLETE, None


async def drain(*, timeout: float) -> None:
    """Wait up to `timeout` seconds for every reply this process is streaming to finish and be stored."""
    pending = list(_reply_tasks)
    if pending:
        await asyncio.wait_for(asyncio.gather(*pending, return_exceptions=True), timeout)
