"""Faults of ours around a reply never leave it streaming: the reply runs, ends and is stored."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model

from accounts.sessions import user_group_name
from chat import broadcast
from chat.models import Message
from tests.chat.test_consumer import seed_frame
from tests.conftest import drain_replies

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_a_socket_that_fails_to_join_its_new_conversation_still_gets_the_reply_stored(
    connect, alice_session, monkeypatch
):
    alice = await sync_to_async(get_user_model().objects.get)(username="alice")
    layer_class = type(get_channel_layer())
    real_group_add = layer_class.group_add

    async def group_add_failing_for_conversations(self, group, channel):
        if group != user_group_name(alice.pk):
            raise RuntimeError("channel layer unavailable")
        await real_group_add(self, group, channel)

    monkeypatch.setattr(layer_class, "group_add", group_add_failing_for_conversations)
    socket = await connect(session=alice_session)

    await socket.send(seed_frame())
    error = await socket.receive()
    await drain_replies()

    assert (error["type"], error["code"]) == ("error", "server_error")
    reply = await sync_to_async(Message.objects.get)(role="assistant")
    assert reply.status == "complete" and reply.content
    monkeypatch.undo()
    again = await connect(f"/ws/chat/{reply.conversation_id}/", session=alice_session)
    assert (await again.receive())["messages"][-1]["status"] == "complete"
    await again.send(seed_frame("And a follow-up"))
    assert (await again.receive_until("message_complete"))[0]["type"] == "message_received"


async def test_a_fault_while_streaming_ends_the_reply_with_its_text_so_far(connect, alice_session, monkeypatch):
    real_close = broadcast.ChunkPublisher.close

    async def failing_close(self):
        await real_close(self)
        raise RuntimeError("a bug in publishing")

    monkeypatch.setattr(broadcast.ChunkPublisher, "close", failing_close)
    socket = await connect(session=alice_session)

    await socket.send(seed_frame())
    frames = await socket.receive_until("message_complete")

    complete = frames[-1]
    streamed = "".join(frame["chunk"] for frame in frames if frame["type"] == "content_chunk")
    assert complete["status"] == "error" and complete["error"].startswith("Something went wrong")
    assert complete["user_message"] == streamed and streamed
    reply = await sync_to_async(Message.objects.get)(pk=complete["message_id"])
    assert (reply.status, reply.content) == ("error", streamed)
