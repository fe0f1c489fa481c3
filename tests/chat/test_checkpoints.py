"""chat.checkpoints: a streaming reply's text so far reaches its row, one write at a time."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model

from chat.checkpoints import ReplyCheckpoints
from chat.models import Conversation, Message

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def streaming_reply() -> Message:
    owner = get_user_model().objects.create_user(f"trader-{uuid.uuid4().hex[:6]}")
    conversation = Conversation.objects.create(owner=owner)
    return Message.objects.create(conversation=conversation, role="assistant", status="streaming")


@sync_to_async
def content_of(reply: Message) -> str:
    return Message.objects.get(pk=reply.pk).content


async def test_the_row_gets_the_text_so_far_with_one_write_in_flight_at_a_time() -> None:
    reply = await streaming_reply()
    checkpoints = ReplyCheckpoints(reply_id=str(reply.id), interval=1e-9)  # always due: the test sets the pace

    checkpoints.add("Buy ")  # starts a write
    checkpoints.add("the ")  # one is in flight: waits for the next
    await checkpoints.close()
    assert await content_of(reply) == "Buy "

    checkpoints.add("dip")
    await checkpoints.close()
    assert await content_of(reply) == "Buy the dip"


async def test_no_checkpoint_is_written_when_they_are_off_or_not_yet_due() -> None:
    reply = await streaming_reply()
    for interval in (0, 3600):
        checkpoints = ReplyCheckpoints(reply_id=str(reply.id), interval=interval)
        checkpoints.add("Hello")
        await checkpoints.close()
    assert await content_of(reply) == ""


async def test_a_failed_checkpoint_never_fails_the_reply(caplog: Any) -> None:
    checkpoints = ReplyCheckpoints(reply_id="not-a-uuid", interval=1e-9)

    checkpoints.add("Hello")
    await checkpoints.close()

    assert "could not checkpoint reply not-a-uuid" in caplog.text
