"""The single-process channel layer: every socket on a conversation gets every frame, in order."""

from __future__ import annotations

import asyncio

import pytest

from chat.layers import ThrottledInMemoryChannelLayer


async def test_group_send_reaches_every_member_in_order_each_with_its_own_copy() -> None:
    layer = ThrottledInMemoryChannelLayer()
    members = [await layer.new_channel() for _ in range(3)]
    for channel in members:
        await layer.group_add("conversation.1", channel)

    for seq in (1, 2):
        await layer.group_send("conversation.1", {"type": "chat.frame", "text": f"chunk {seq}", "seq": seq})

    received = [[await layer.receive(channel) for _ in range(2)] for channel in members]
    assert all([m["seq"] for m in messages] == [1, 2] for messages in received)
    received[0][0]["text"] = "changed by one consumer"
    assert received[1][0]["text"] == "chunk 1"


async def test_a_member_at_capacity_misses_the_frame_and_the_others_still_get_it() -> None:
    layer = ThrottledInMemoryChannelLayer(capacity=1)
    full, free = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("conversation.1", full)
    await layer.group_add("conversation.1", free)
    await layer.send(full, {"type": "chat.frame", "text": "unread"})

    await layer.group_send("conversation.1", {"type": "chat.frame", "text": "new"})

    assert (await layer.receive(free))["text"] == "new"
    assert (await layer.receive(full))["text"] == "unread"
    with pytest.raises(asyncio.TimeoutError):  # "new" was dropped for the full channel, not queued late
        await asyncio.wait_for(layer.receive(full), 0.05)


async def test_a_group_send_to_an_empty_group_is_a_no_op_and_discarded_members_get_nothing() -> None:
    layer = ThrottledInMemoryChannelLayer()
    await layer.group_send("conversation.none", {"type": "chat.frame", "text": "nobody"})
    channel = await layer.new_channel()
    await layer.group_add("conversation.1", channel)
    await layer.group_discard("conversation.1", channel)

    await layer.group_send("conversation.1", {"type": "chat.frame", "text": "gone"})

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(channel), 0.05)


async def test_expired_messages_are_swept_on_the_first_frame_then_at_most_once_per_interval() -> None:
    layer = ThrottledInMemoryChannelLayer(expiry=-1)  # every message is expired the moment it is sent
    layer.CLEAN_INTERVAL = 3600
    stale, kept = await layer.new_channel(), await layer.new_channel()
    await layer.send(stale, {"type": "chat.frame", "text": "expired"})

    await layer.group_send("conversation.none", {"type": "chat.frame", "text": "sweeps"})
    await layer.send(kept, {"type": "chat.frame", "text": "expired too, but the next sweep is an hour away"})
    await layer.group_send("conversation.none", {"type": "chat.frame", "text": "does not sweep"})

    assert stale not in layer.channels
    assert kept in layer.channels
    assert (await asyncio.wait_for(layer.receive(kept), 10))["text"].startswith("expired too")
