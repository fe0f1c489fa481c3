"""Accepting a trader's message: stored (with the reply's streaming placeholder) before any model is called,
and the model's request read in the same trip to the database thread.

A message refused because a reply is still streaming gets one sweep for a dead worker's reply, then
one more try: the usual message costs one database trip, not two.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from chat.db import db_call
from chat.errors import ReplyInProgress
from chat.live import live_replies
from chat.models import Conversation, Message
from chat.providers import get_provider
from chat.providers.base import ReplyRequest
from chat.recovery import sweep_stale_replies
from chat.selectors import reply_request, request_from_turns
from chat.services import Submission, message_submit


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
        request, capital = reply_request(conversation=submission.conversation, max_turns=settings.CHAT_CONTEXT_TURNS)
    return AcceptedMessage(submission, request, capital)


async def message_accept(
    *, user: AbstractBaseUser, conversation: Conversation | None, content: str, history: list[Any]
) -> AcceptedMessage:
    """Store the message and the reply placeholder, claimed live before it is stored; nothing is sent yet."""
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
