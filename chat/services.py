"""Writes to the chat: storing the trader's message, finishing replies, sweeping stale ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from chat.errors import RateLimited, ReplyInProgress
from chat.ratelimit import message_allowance_return, message_allowance_take
from chat.models import Conversation, Message
from chat.providers.base import StreamOutcome
from strategies.models import StrategyVersion
from strategies.services import strategy_lock_for_conversation, strategy_version_append

TITLE_CHARS = 80


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
    counter = message_allowance_take(user_id=user.pk, limit=rate_limit_per_minute)
    if counter is None:
        raise RateLimited(f"You can send {rate_limit_per_minute} messages a minute. Please wait a moment.")
    try:
        return _message_store(
            user=user, conversation=conversation, reply_id=reply_id, content=content, history=history,
            provider=provider, model_id=model_id,
        )
    except BaseException:
        message_allowance_return(counter)
        raise


def _message_store(
    *,
    user: AbstractBaseUser,
    conversation: Conversation | None,
    reply_id: Any,
    content: str,
    history: list[dict[str, str]],
    provider: str,
    model_id: str,
) -> Submission:
    """Store the message and the reply placeholder in one transaction; raises ReplyInProgress before writing."""
    created = conversation is None
    with transaction.atomic():
        if conversation is None:
            conversation = Conversation.objects.create(owner=user, title=content.strip()[:TITLE_CHARS])
        else:
            # Touching updated_at first takes the row lock (PostgreSQL) that keeps two sockets from both
            # passing the streaming check below; a refused message rolls it back.
            now = timezone.now()
            if not Conversation.objects.filter(pk=conversation.pk).update(updated_at=now):
                raise Conversation.DoesNotExist("Conversation matching query does not exist.")
            conversation.updated_at = now
            if conversation.messages.filter(status=Message.Status.STREAMING).exists():
                raise ReplyInProgress("A reply is still being written. Wait for it, or stop it first.")
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


@transaction.atomic
def reply_finish(
    *,
    conversation: Conversation,
    reply_id: Any,
    content: str,
    status: str,
    error: str | None,
    outcome: StreamOutcome,
    strategy: dict[str, Any] | None,
    new_conversation: bool = False,
) -> StrategyVersion | None:
    """Store a finished reply once, with the strategy version it produced (if it differs from the current one).

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
    owned, created = strategy_lock_for_conversation(conversation=conversation, expect_new=new_conversation)
    current = owned.current_version
    if current is not None and current.data == strategy:
        return current
    return strategy_version_append(locked=owned, data=strategy, source_message_id=reply_id, first=created)


def replies_mark_interrupted(*, reply_ids: list[Any]) -> int:
    """Mark replies whose worker is gone as interrupted, so they are never left streaming."""
    return Message.objects.filter(pk__in=reply_ids, status=Message.Status.STREAMING).update(
        status=Message.Status.INTERRUPTED,
        error="The reply was interrupted before it finished.",
        completed_at=timezone.now(),
    )
