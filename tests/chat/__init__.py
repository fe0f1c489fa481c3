"""Tests of the chat; `store_messages()` stores a conversation's history with the ORM, as older versions left it."""

from __future__ import annotations

import datetime

from django.utils import timezone

from chat.models import Conversation, Message

#: CJK (3 bytes each in UTF-8), an emoji (4) and Cyrillic (2): text whose size depends on the encoding.
TRADING = "交易策略 🚀 ставка "


def store_messages(conversation: Conversation, contents: list[str], *, same_time: bool = False) -> list[Message]:
    """Messages alternating user and assistant a second apart (or all at one instant), in the order they page."""
    start = timezone.now() - datetime.timedelta(days=1)
    messages = Message.objects.bulk_create(
        Message(conversation=conversation, role="user" if i % 2 == 0 else "assistant", content=content)
        for i, content in enumerate(contents)
    )
    for i, message in enumerate(messages):  # auto_now_add ignores a given created_at
        message.created_at = start if same_time else start + datetime.timedelta(seconds=i)
    Message.objects.bulk_update(messages, ["created_at"])
    return sorted(messages, key=lambda m: (m.created_at, str(m.id)))
