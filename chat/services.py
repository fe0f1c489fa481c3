"""Writes to the chat: storing the trader's message, checkpointing and finishing replies, sweeping stale ones,
and the builder's edits and restores, which wait for no reply: one streaming refuses them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from chat.errors import ReplyInProgress
from chat.library import conversation_title_from_strategy
from chat.models import Conversation, Message
from chat.notes import note_create
from chat.providers.base import StreamOutcome
from chat.ratelimit import allowance
from chat.selectors import stated_capital
from strategies.models import Strategy as StrategyModel
from strategies.models import StrategyVersion
from strategies.schemas import Strategy
from strategies.services import (
    strategy_lock_for_conversation,
    strategy_version_append,
    strategy_version_edit,
    strategy_version_restore,
)
from strategies.validation import strategy_summary
from strategies.versions import same_strategy

TITLE_CHARS = 80  # a conversation's title until its first strategy names it (chat.library)
REPLY_INTERRUPTED = "The reply was cut off because the server writing it stopped. Ask again to continue."
REPLY_STREAMING = "A reply is still being written. Wait for it, or stop it first."


@dataclass(frozen=True)
class Submission:
    """A stored user message and the assistant reply placeholder that will stream after it."""

    conversation: Conversation
    user_message: Message
    reply: Message
    created: bool  # the message started the conversation


def message_submit(
    *,
    user: AbstractBaseUser,
    conversation: Conversation | None,
    reply_id: Any,
    content: str,
    history: list[dict[str, str]],
    provider: str,
    model_id: str,
    rate_limit_per_minute: int,
) -> Submission:
    """Store the trader's message (and a streaming reply placeholder) before any model is called.

    A client `history` seeds only a conversation with no stored messages; only the message itself counts
    against the trader's rate limit (atomically, across every socket and worker). Raises RateLimited or
    ReplyInProgress (before writing anything); on ReplyInProgress the caller sweeps stale replies and
    tries once more.
    """
    refusal = f"You can send {rate_limit_per_minute} messages a minute. Please wait a moment."
    with allowance(scope="messages", user_id=user.pk, limit=rate_limit_per_minute, refusal=refusal):
        created = conversation is None
        with transaction.atomic():
            if conversation is None:
                conversation = Conversation.objects.create(owner=user, title=content.strip()[:TITLE_CHARS])
            else:
                _claim_idle(conversation)
            # A conversation created just now has no messages to check for.
            if history and (created or not conversation.messages.exists()):
                Message.objects.bulk_create(
                    Message(conversation=conversation, role=turn["role"], content=turn["content"]) for turn in history
                )
            user_message = Message.objects.create(conversation=conversation, role=Message.Role.USER, content=content)
            reply = Message.objects.create(
                id=reply_id,
                conversation=conversation,
                role=Message.Role.ASSISTANT,
                status=Message.Status.STREAMING,
                provider=provider,
                model_id=model_id,
            )
        return Submission(conversation, user_message, reply, created)


def _claim_idle(conversation: Conversation) -> None:
    """Row-lock the conversation for this transaction, raising ReplyInProgress while a reply streams on it.

    Touching updated_at takes the row lock (PostgreSQL; SQLite's transactions are serial anyway) that keeps
    two writers (two messages, a message and an edit) from both passing the streaming check; a refused
    write rolls it back.
    """
    now = timezone.now()
    if not Conversation.objects.filter(pk=conversation.pk).update(updated_at=now):
        raise Conversation.DoesNotExist("Conversation matching query does not exist.")
    conversation.updated_at = now
    if conversation.messages.filter(status=Message.Status.STREAMING).exists():
        raise ReplyInProgress(REPLY_STREAMING)


@transaction.atomic
def strategy_edit(*, conversation: Conversation, base_version: int, strategy: Strategy) -> StrategyVersion:
    """Store the trader's validated edit of `base_version` as the next version, unless a reply is streaming.

    Raises ReplyInProgress, or what `strategy_version_edit` raises (VersionConflict, NoChange).
    """
    _claim_idle(conversation)
    return strategy_version_edit(
        conversation=conversation, base_version=base_version, data=strategy.model_dump(mode="json")
    )


@transaction.atomic
def strategy_restore(
    *, conversation: Conversation, strategy: StrategyModel, number: int
) -> tuple[StrategyVersion, Message]:
    """Make version `number` current again as a new version, and post a note saying so to the chat.

    Raises ReplyInProgress while a reply streams, or what `strategy_version_restore` raises (NoChange,
    InvalidStrategy). Its capital is checked against what the trader has stated in this conversation.
    """
    _claim_idle(conversation)
    capital = stated_capital(conversation=conversation, max_turns=settings.CHAT_CONTEXT_TURNS)
    version = strategy_version_restore(strategy=strategy, number=number, stated_capital_usd=capital)
    content = f"Restored v{number} as v{version.number}: {strategy_summary(version.data)}"
    return version, note_create(conversation=conversation, content=content)


@transaction.atomic
def reply_finish(
    *,
    conversation: Conversation,
    reply_id: Any,
    content: str,
    status: str,
    error: str | None,
    outcome: StreamOutcome,
    strategy: Strategy | None,
    new_conversation: bool = False,
) -> StrategyVersion | None:
    """Store a finished reply once, with the strategy version it produced (unless it trades as the current one).

    `new_conversation`: the reply answers the message that started the conversation, so it most likely
    has no strategy yet. Returns the conversation's strategy version after the reply (None without a
    strategy); raises Message.DoesNotExist when the reply's conversation was deleted meanwhile.
    """
    stored = Message.objects.filter(pk=reply_id).update(
        content=content,
        status=status,
        error=error or "",
        input_tokens=outcome.input_tokens,
        output_tokens=outcome.output_tokens,
        latency_ms=outcome.latency_ms,
        completed_at=timezone.now(),
    )
    if not stored:
        raise Message.DoesNotExist("Message matching query does not exist.")
    if strategy is None:
        return None
    data = strategy.model_dump(mode="json")
    owned, created = strategy_lock_for_conversation(conversation=conversation, expect_new=new_conversation)
    if created:
        conversation_title_from_strategy(conversation=conversation, strategy=owned, data=strategy)
    current = owned.current_version
    if current is not None and same_strategy(current.data, data):
        return current
    return strategy_version_append(locked=owned, data=data, source_message_id=reply_id, first=created)


@dataclass(frozen=True)
class InterruptedReply:
    """A reply just stored as interrupted, with what the `message_complete` frame that ends it needs."""

    message_id: str
    conversation_id: str
    content: str
    provider: str
    model_id: str
    strategy_version: int | None  # the conversation's current version: an interrupted reply adds none


def reply_checkpoint(*, reply_id: Any, content: str) -> None:
    """Store the chat text a reply has streamed so far, so it survives its worker; a stored reply is left alone."""
    Message.objects.filter(pk=reply_id, status=Message.Status.STREAMING).update(content=content)


def replies_mark_interrupted(*, texts: dict[str, str]) -> list[InterruptedReply]:
    """Store replies whose worker is gone as interrupted, each with the chat text it reached.

    `texts` maps reply ids to that text; an empty one keeps the content the row holds (a checkpoint).
    Only replies still stored as streaming change, so of two sweepers racing for one reply, one
    stores it; the replies this call stored are returned.
    """
    now = timezone.now()
    stored = []
    for reply_id, text in texts.items():
        changes = {"status": Message.Status.INTERRUPTED, "error": REPLY_INTERRUPTED, "completed_at": now}
        if text:
            changes["content"] = text
        if Message.objects.filter(pk=reply_id, status=Message.Status.STREAMING).update(**changes):
            stored.append(reply_id)
    rows = Message.objects.filter(pk__in=stored).values_list(
        "id", "conversation_id", "content", "provider", "model_id", "conversation__strategy__current_version__number"
    )
    return [InterruptedReply(str(pk), str(conversation), *rest) for pk, conversation, *rest in rows]
