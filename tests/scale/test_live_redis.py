"""The Redis live-reply store on its own, against a real redis-server: records, expiry, repair, cancel."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from django.conf import settings

from chat.live import InProgress
from chat.live_redis import RedisLiveReplies
from tests.scale.conftest import RedisServer

pytestmark = pytest.mark.asyncio

TTL = 0.6


@pytest.fixture
async def stores(redis_server: RedisServer) -> AsyncIterator[tuple[RedisLiveReplies, RedisLiveReplies]]:
    """Two workers' stores sharing one Redis, under a prefix of their own."""
    if redis_server.process is None:
        redis_server.start()
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    pair = tuple(
        RedisLiveReplies(url=redis_server.url, ttl=TTL, options=settings.REDIS_CLIENT_OPTIONS, prefix=prefix)
        for _ in range(2)
    )
    yield pair
    for store in pair:
        await store.aclose()


async def streaming(store: RedisLiveReplies, conversation_id: str, message_id: str) -> asyncio.Task[None]:
    task = asyncio.create_task(asyncio.sleep(30))
    await store.claim(message_id)
    await store.start(conversation_id, message_id, task)
    return task


async def test_another_worker_reads_the_text_so_far_and_its_seq(stores):
    owner, other = stores
    await streaming(owner, "c1", "m1")
    assert await other.snapshot("c1") == InProgress("m1", "", 0)

    await owner.append("m1", "Hello", 1)
    await owner.append("m1", ", trader", 2)

    assert await other.snapshot("c1") == InProgress("m1", "Hello, trader", 2)
    assert await other.is_live("m1") and await other.snapshot("c2") is None
    await owner.finish("m1")
    assert await other.snapshot("c1") is None and not await other.is_live("m1")


async def test_a_claimed_reply_is_live_before_it_streams(stores):
    owner, other = stores
    await owner.claim("m1")
    assert await other.is_live("m1") and await other.snapshot("c1") is None


async def test_the_heartbeat_keeps_a_paused_reply_live_and_a_dead_workers_reply_expires(stores):
    owner, other = stores
    await streaming(owner, "c1", "m1")
    await owner.append("m1", "Thinking", 1)

    await asyncio.sleep(TTL * 3)  # no chunk for three TTLs: only the heartbeat keeps it live
    assert await other.is_live("m1") and (await other.snapshot("c1")).text == "Thinking"

    for task in owner._owner_tasks[1]:  # the worker dies: nothing refreshes the record any more
        task.cancel()
    await asyncio.sleep(TTL * 1.5)
    assert not await other.is_live("m1") and await other.snapshot("c1") is None


async def test_a_record_redis_lost_is_rewritten_whole_by_its_owner(stores):
    owner, other = stores
    await streaming(owner, "c1", "m1")
    await owner.append("m1", "one ", 1)
    await owner._redis().client.flushdb()  # what a Redis restart without persistence leaves

    await owner.append("m1", "two", 2)

    assert await other.snapshot("c1") == InProgress("m1", "one two", 2)


async def test_a_cancel_on_another_worker_stops_the_owners_task(stores):
    owner, other = stores
    task = await streaming(owner, "c1", "m1")
    await asyncio.sleep(0.2)  # the owner's cancel listener subscribes

    assert await other.cancel("c1")
    await asyncio.sleep(0.1)
    assert task.cancelled()
    assert not await other.cancel("nothing-streams-here")


async def test_finishing_never_leaves_a_pointer_to_a_newer_reply_dangling(stores):
    owner, other = stores
    await streaming(owner, "c1", "m1")
    await owner.finish("m1")
    await streaming(owner, "c1", "m2")

    await owner.finish("m1")  # late and repeated: must not touch m2

    assert (await other.snapshot("c1")).message_id == "m2"


async def test_a_burst_of_replies_keeps_every_replys_text(stores):
    owner, other = stores
    replies = 300
    tasks = [await streaming(owner, f"c{n}", f"m{n}") for n in range(replies)]

    for seq in (1, 2, 3):
        await asyncio.gather(*(owner.append(f"m{n}", f"part{seq} ", seq) for n in range(replies)))

    snapshots = await asyncio.gather(*(other.snapshot(f"c{n}") for n in range(replies)))
    assert all(s == InProgress(f"m{n}", "part1 part2 part3 ", 3) for n, s in enumerate(snapshots))
    for task in tasks:
        task.cancel()
