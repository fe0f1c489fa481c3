"""Reads for the chat: who may see a conversation, its state for a joining socket (its newest messages within
the frame budget), pages of older messages, a provider's request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from chat.frames import ConversationState, MessageEntry, MessagePage
from chat.live_types import InProgress
from chat.models import Conversation, Message
from chat.providers.base import ChatTurn, ReplyRequest
from chat.wire import json_size
from strategies.intent import parse_capital
from strategies.models import Strategy, StrategyVersion
from strategies.runs import latest_backtest

#: The most messages `conversation_state` carries, and the most (and default) a page of older ones does.
PAGE_MESSAGES = 100
#: Bytes the page's keys take beside its messages' array: `,"messages":,"has_more":false,"before":"<uuid>"`.
PAGE_KEYS_BYTES = 96
#: The longest JSON form of one character: a control character's `\u001f`.
MAX_CHARACTER_BYTES = 6


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


def streaming_reply_ids(*, conversation: Conversation | None = None) -> list[str]:
    """Ids of the replies stored as still streaming: the conversation's, or (None) every conversation's."""
    streaming = Message.objects.filter(status=Message.Status.STREAMING)
    if conversation is not None:
        streaming = streaming.filter(conversation=conversation)
    return [str(pk) for pk in streaming.values_list("pk", flat=True)]


def message_in(*, conversation: Conversation, message_id: Any) -> Message | None:
    """The conversation's message with that id, if it has one."""
    return conversation.messages.filter(pk=message_id).first()


def message_as_frame(message: Message, version_numbers: dict[Any, int]) -> MessageEntry:
    """A stored message as an entry of `conversation_state` or of a page of older messages."""
    return MessageEntry(
        id=str(message.id),
        role=message.role,
        content=message.content,
        status=message.status,
        error=message.error or None,
        provider=message.provider or None,
        created_at=message.created_at.isoformat(),
        strategy_version=version_numbers.get(message.id),
    )


def message_page(
    *, conversation: Conversation, before: Message | None, limit: int, max_bytes: int
) -> MessagePage:
    """The newest `limit` messages older than `before` (or all) whose JSON array fits in `max_bytes`, oldest first.

    `has_more` says older ones remain; `before` is the cursor for the page before (the oldest message's id).
    The newest message is always included, shortened if it alone does not fit.
    """
    newest_first = conversation.messages.order_by("-created_at", "-id")
    if before is not None:
        # An index range on created_at, then ties broken by id: the order is (created_at, id).
        newest_first = newest_first.filter(created_at__lte=before.created_at).exclude(
            created_at=before.created_at, id__gte=before.id
        )
    rows = list(newest_first[: limit + 1])
    version_numbers = dict(
        StrategyVersion.objects.filter(source_message__in=[row.id for row in rows[:limit]]).values_list(
            "source_message", "number"
        )
    )
    entries = _newest_that_fit((message_as_frame(row, version_numbers) for row in rows[:limit]), max_bytes)
    entries.reverse()
    return MessagePage(messages=entries, has_more=len(entries) < len(rows), before=entries[0].id if entries else None)


def _newest_that_fit(entries: Iterable[MessageEntry], max_bytes: int) -> list[MessageEntry]:
    """The leading entries whose JSON array fits in `max_bytes`: at least one, shortened if need be."""
    kept: list[MessageEntry] = []
    used = len("[]")
    for entry in entries:
        size = json_size(entry.model_dump()) + (len(",") if kept else 0)
        if used + size > max_bytes:
            if not kept:
                kept.append(_shortened(entry, max_bytes - used))
            break
        kept.append(entry)
        used += size
    return kept


def _shortened(entry: MessageEntry, max_bytes: int) -> MessageEntry:
    """The entry with as much of its content as fits in `max_bytes` of JSON, marked `truncated`."""
    shell = entry.model_copy(update={"content": "", "truncated": True})
    room = max(max_bytes - json_size(shell.model_dump()), 0)
    content = entry.content
    keep = room  # no character takes less than a byte
    for _ in range(2):  # a prefix's bytes per character predict its own shorter prefix's closely
        size = json_size(content[:keep]) - len('""')
        if size <= room:
            return shell.model_copy(update={"content": content[:keep]})
        keep = keep * room // size
    return shell.model_copy(update={"content": content[: room // MAX_CHARACTER_BYTES]})


def conversation_state(
    *, conversation: Conversation, in_progress: InProgress | None, max_bytes: int
) -> ConversationState:
    """What a socket joining the conversation is told first, its newest messages fitted beside the rest in `max_bytes`.

    The rest includes the current version's latest backtest (its curves and trades are bounded to fit).

    `in_progress` is the reply still streaming (from the live replies), or None.
    """
    current = current_version(conversation=conversation)
    state = ConversationState(
        conversation_id=str(conversation.id),
        title=conversation.title,
        strategy_json=current.data if current else None,
        strategy_version=current.number if current else None,
        in_progress=in_progress,
        messages=[],
        has_more=False,
        before=None,
        latest_backtest=latest_backtest(version=current),
    )
    room = max_bytes - json_size(state.model_dump(exclude=set(MessagePage.model_fields))) - PAGE_KEYS_BYTES
    page = message_page(conversation=conversation, before=None, limit=PAGE_MESSAGES, max_bytes=room)
    return state.model_copy(update=dict(page))


def reply_request(*, conversation: Conversation, max_turns: int) -> tuple[ReplyRequest, float | None]:
    """The provider's request for the next reply (the newest `max_turns` turns), and the capital last stated.

    Bounded, so a reply's cost (and the model's context) does not grow with the conversation's length:
    the current strategy, sent with every request, carries what older turns settled.
    """
    stored = reversed(_newest_turns(conversation, max_turns))
    current = current_version(conversation=conversation)
    return request_from_turns(stored, current_strategy=current.data if current else None)


def stated_capital(*, conversation: Conversation, max_turns: int) -> float | None:
    """The capital the trader last stated in the newest `max_turns` turns, as `reply_request` finds it."""
    return _last_stated_capital(_newest_turns(conversation, max_turns))


def _newest_turns(conversation: Conversation, max_turns: int) -> list[tuple[str, str]]:
    """The conversation's newest `max_turns` stored (role, content) turns, newest first."""
    newest_first = (
        conversation.messages.exclude(status=Message.Status.STREAMING)
        .order_by("-created_at", "-id")
        .values_list("role", "content")[:max_turns]
    )
    return list(newest_first)


def request_from_turns(
    turns: Iterable[tuple[str, str]], *, current_strategy: dict[str, Any] | None
) -> tuple[ReplyRequest, float | None]:
    """The provider's request for the conversation's (role, content) turns, and the capital the trader last stated."""
    chat_turns = [ChatTurn(role=role, content=content) for role, content in turns if content.strip()]
    capital = _last_stated_capital((turn.role, turn.content) for turn in reversed(chat_turns))
    return ReplyRequest(turns=chat_turns, current_strategy=current_strategy), capital


def _last_stated_capital(newest_first: Iterable[tuple[str, str]]) -> float | None:
    """The amount the newest user turn that states one states (of (role, content) turns, newest first)."""
    return next(
        (
            amount
            for role, content in newest_first
            if role == "user" and content.strip() and (amount := parse_capital(content))
        ),
        None,
    )
