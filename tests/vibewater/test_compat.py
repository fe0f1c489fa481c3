"""The dependency internals vibewater.compat relies on, each named when an upgrade changes it."""

from __future__ import annotations

from typing import Any

import channels.consumer
import pytest
from channels.consumer import AsyncConsumer
from channels.layers import InMemoryChannelLayer

from vibewater.compat import InMemoryChannelLayerWithSweepHook, dispatch_without_closing_connections


class CountingSweeps(InMemoryChannelLayerWithSweepHook):
    """Counts how often channels runs the sweep hook."""

    sweeps = 0

    def sweep_expired(self) -> None:
        self.sweeps += 1
        super().sweep_expired()


class Handlers(AsyncConsumer):
    """A consumer with one handler, recording what it was given."""

    def __init__(self) -> None:
        self.handled: list[dict[str, Any]] = []

    async def chat_frame(self, message: dict[str, Any]) -> None:
        self.handled.append(message)


async def test_channels_still_sweeps_expiry_through_the_private_method_the_hook_overrides() -> None:
    assert callable(getattr(InMemoryChannelLayer, "_clean_expired", None)), (
        "channels InMemoryChannelLayer._clean_expired is gone: vibewater.compat's sweep hook overrides it"
    )
    layer = CountingSweeps()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "chat.frame"})
    await layer.receive(channel)
    await layer.group_send("conversation.1", {"type": "chat.frame"})

    assert layer.sweeps == 2, "channels InMemoryChannelLayer.receive/group_send no longer call _clean_expired"


async def test_the_sweep_hook_runs_channels_own_expiry_sweep() -> None:
    layer = InMemoryChannelLayerWithSweepHook(expiry=-1)  # every message is already expired
    channel = await layer.new_channel()
    await layer.group_add("conversation.1", channel)
    await layer.send(channel, {"type": "chat.frame"})

    layer.sweep_expired()

    assert channel not in layer.channels, "channels InMemoryChannelLayer._clean_expired no longer drops expired messages"
    assert channel not in layer.groups.get("conversation.1", {})


def test_channels_dispatch_is_still_what_the_copy_copies_plus_the_connection_clean_up() -> None:
    assert AsyncConsumer.dispatch.__code__.co_names == (
        "getattr", "get_handler_name", "aclose_old_connections", "ValueError"
    ), "channels AsyncConsumer.dispatch changed: compare vibewater.compat.dispatch_without_closing_connections with it"


async def test_dispatch_delivers_by_type_without_closing_database_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    cleanups: list[None] = []

    async def count_cleanup() -> None:
        cleanups.append(None)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", count_cleanup)
    consumer = Handlers()

    await AsyncConsumer.dispatch(consumer, {"type": "chat.frame", "n": 1})
    await dispatch_without_closing_connections(consumer, {"type": "chat.frame", "n": 2})

    assert [message["n"] for message in consumer.handled] == [1, 2]
    assert len(cleanups) == 1  # channels' own dispatch cleans up; the copy does not
    with pytest.raises(ValueError, match="No handler for message type chat.unknown"):
        await dispatch_without_closing_connections(consumer, {"type": "chat.unknown"})
