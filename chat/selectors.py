"""Reads for the chat: who may see a conversation, its state for a joining socket, a provider's request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from chat.models import Conversation, Message
from chat.providers.base import ChatTurn, ReplyRequest
from strategies.intent import parse_capital
from strategies.models import Strategy, StrategyVersion


def conversation_for_user(*, user: AbstractBaseUser, conversation_id: Any) -> Conversation | None:
    """The conversation if `user` may see it; None both when it is someone else's and when it does not exist."""
    return Conversation.objects.filter(pk=conversation_id, owner=user).first()


def current_version(*, conversation: Conversation) -> StrategyVersion | None:
    """The conversation's current strategy version, if it has produced one."""
    try:  # get(), not first(): at most one strategy per conversation, so no ORDER BY to build
        strategy = Strategy.objects.select_related("current_version").get(conversation=conversation)
    except Strategy.DoesNotExist:
        return None
    return strategy.current_version


def streaming_reply_ids(*, conversation: Conversation) -> list[str]:
    """Ids of the conversation's replies stored as still streaming."""
    return [str(pk) for pk in conversation.messages.filter(status=Message.Status.STREAMING).values_list("pk", flat=True)]


def message_as_frame(message: Message, version_numbers: dict[Any, int]) -> dict[str, Any]:
    """A stored message as a `conversation_state` entry."""
    return {
        "id": str(message.id),
        "role": message.role,
        "content": message.content,
        "status": message.status,
        "error": message.error or None,
        "provider": message.provider or None,
        "created_at": message.created_at.isoformat(),
        "strategy_version": version_numbers.get(message.id),
    }


def conversation_state(*, conversation: Conversation) -> dict[str, Any]:
    """What a socket joining the conversation is told first (without the live `in_progress` part)."""
    messages = list(conversation.messages.all())
    version_numbers = dict(
        StrategyVersion.objects.filter(source_message__conversation=conversation).values_list("source_message", "number")
    )
    current = current_version(conversation=conversation)
    return {
        "type": "conversation_state",
        "conversation_id": str(conversation.id),
        "title": conversation.title,
        "messages": [message_as_frame(message, version_numbers) for message in messages],
        "strategy_json": current.data if current else None,
        "strategy_version": current.number if current else None,
    }


def reply_request(*, conversation: Conversation) -> tuple[ReplyRequest, float | None]:
    """The provider's request for the next reply, and the capital the trader last stated."""
    stored = conversation.messages.exclude(status=Message.Status.STREAMING).values_list("role", "content")
    current = current_version(conversation=conversation)
    return request_from_turns(stored, current_strategy=current.data if current else None)


def request_from_turns(
    turns: Iterable[tuple[str, str]], *, current_strategy: dict[str, Any] | None
) -> tuple[ReplyRequest, float | None]:
    """The provider's request for the conversation's (role, content) turns, and the capital the trader last stated."""
    chat_turns = [ChatTurn(role=role, content=content) for role, content in turns if content.strip()]
    capital = next(
        (amount for turn in reversed(chat_turns) if turn.role == "user" and (amount := parse_capital(turn.content))),
        None,
    )
    return ReplyRequest(turns=chat_turns, current_strategy=current_strategy), capital
