"""The Redis live-reply store on its own, against a real redis-server: records, leases, adoption, repair, cancel.

The TTL is long, so no worker here ever dies by accident of a busy machine; a test kills one on
purpose by stopping it and deleting its lease, which is what the TTL running out does.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from redis.asyncio import Redis

from chat.live_types import InProgress, Orphan, StrategySoFar
from chat.live_redis import RedisLiveReplies
from tests.scale.conftest import RedisServer

pytestmark = pytest.mark.asyncio

TTL = 30.0


@dataclass
class Cluster:
    """Workers' stores sharing one Redis under a prefix of one test's own, and a plain client to reach in."""

    url: str
    redis: Redis
    prefix: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:8]}")
    stores: list[RedisLiveReplies] = field(default_factory=list)

    def store(self, ttl: float = TTL) -> RedisLiveReplies:
        """A new worker's store."""
        store = RedisLiveReplies(url=self.url, ttl=ttl, options=settings.REDIS_CLIENT_OPTIONS, prefix=self.prefix)
        self.stores.append(store)
        return store

    def lease_key(self, store: RedisLiveReplies) -> str:
        return f"{self.prefix}:worker:{store.worker_id}:alive"

    async def kill(self, store: RedisLiveReplies) -> None:
        """The worker dies: nothing renews its lease any more, and the lease is gone as the TTL would make it."""
        await store.aclose()
        await self.redis.delete(self.lease_key(store))


@pytest.fixture
async def cluster(redis_server: RedisServer) -> AsyncIterator[Cluster]:
    if redis_server.process is None:  # a test before stopped it
        redis_server.start()
    cluster = Cluster(redis_server.url, Redis.from_url(redis_server.url, decode_responses=True))
    yield cluster
    for store in cluster.stores:
        await store.aclose()
    await cluster.redis.aclose()


@pytest.fixture
def stores(cluster: Cluster) -> tuple[RedisLiveReplies, RedisLiveReplies]:
    """Two workers' stores: the one streaming, and another."""
    return cluster.store(), cluster.store()


async def streaming(store: RedisLiveReplies, conversation_id: str, message_id: str) -> asyncio.Task[None]:
    task = asyncio.create_task(asyncio.sleep(3600))
    await store.claim(message_id)
    await store.start(conversation_id, message_id, task)
    return task


async def eventually(condition: Callable[[], Awaitable[bool]], *, timeout: float, what: str) -> None:
    """Poll `condition` until it holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        await asyncio.sleep(0.1)


async def test_another_worker_reads_the_text_so_far_and_its_seq(stores):
    owner, other = stores
    await streaming(owner, "c1", "m1")
    assert await other.snapshot("c1") == InProgress("m1", "", 0)

    await owner.append("m1", "Hello", 1)
    await owner.append("m1", ", trader", 2)

    assert await other.snapshot("c1") == InProgress("m1", "Hello, trader", 2)
    assert await other.snapshot("c2") is None
    await owner.finish("m1")
    assert await other.snapshot("c1") is None


START = {"id": "start", "type": "start", "label": "Start Strategy"}
ENTRY = {"id": "entry", "type": "entry_condition", "meta": {"rules": ["Buy the dip — 5 %"]}}
DEGEN = {"options": ["High", "Medium", "Low"], "selected": "High"}


async def test_another_worker_reads_the_strategy_so_far_and_its_seq(stores):
    owner, other = stores
    await streaming(owner, "c1", "m1")
    await owner.append("m1", "Hello", 1)
    assert (await other.snapshot("c1")).strategy == StrategySoFar()

    await owner.append_strategy("m1", StrategySoFar(1, [START], []))
    await owner.append_strategy("m1", StrategySoFar(2, [ENTRY], [("start", "entry")], degen_class=DEGEN))

    expected = StrategySoFar(2, [START, ENTRY], [("start", "entry")], degen_class=DEGEN)
    assert await other.snapshot("c1") == InProgress("m1", "Hello", 1, expected)


async def test_a_record_redis_lost_is_rewritten_with_the_strategy_so_far(cluster, stores):
    owner, other = stores
    await streaming(owner, "c1", "m1")
    await owner.append_strategy("m1", StrategySoFar(1, [START], []))
    await cluster.redis.flushdb()

    await owner.append_strategy("m1", StrategySoFar(2, [ENTRY], []))

    assert (await other.snapshot("c1")).strategy == StrategySoFar(2, [START, ENTRY], [])


async def test_a_reply_whose_worker_lives_is_nobodys_orphan_even_before_it_streams(stores):
    owner, other = stores
    await owner.claim("m0")
    await streaming(owner, "c1", "m1")

    assert await other.adopt_orphans(["m0", "m1"]) == [] and await other.adopt_dead_workers_replies() == []
    assert await other.snapshot("c1") == InProgress("m1", "", 0)


async def test_a_dead_workers_reply_goes_to_exactly_one_of_two_sweeping_workers_with_its_text(cluster):
    owner = cluster.store()
    sweepers = [cluster.store(), cluster.store()]
    await streaming(owner, "c1", "m1")
    await owner.append("m1", "Buy the dip, ", 1)
    await owner.append("m1", "sell the rip", 2)

    await cluster.kill(owner)
    taken = await asyncio.gather(*(sweeper.adopt_dead_workers_replies() for sweeper in sweepers))

    assert sorted(taken, key=len) == [[], [Orphan("m1", "Buy the dip, sell the rip")]]
    assert await asyncio.gather(*(sweeper.adopt_dead_workers_replies() for sweeper in sweepers)) == [[], []]
    holder = sweepers[0] if taken[0] else sweepers[1]
    assert await sweepers[0].adopt_orphans(["m1"]) == [] == await sweepers[1].adopt_orphans(["m1"])
    await holder.finish("m1")
    assert await sweepers[0].snapshot("c1") is None


async def test_replies_a_joining_socket_finds_streaming_go_to_one_worker_with_their_text(cluster):
    owner = cluster.store()
    sweepers = [cluster.store(), cluster.store()]
    await streaming(owner, "c1", "m1")
    await owner.append("m1", "Half a thought", 1)
    await cluster.kill(owner)

    taken = await asyncio.gather(*(sweeper.adopt_orphans(["m1", "lost"]) for sweeper in sweepers))

    # "lost": stored as streaming, unknown to Redis (lost in a restart): an orphan with no text to keep.
    assert sorted(taken, key=len) == [[Orphan("lost", "")], [Orphan("m1", "Half a thought"), Orphan("lost", "")]]


async def test_a_sweeper_that_dies_before_storing_its_orphans_hands_them_on(cluster):
    owner, first, second = cluster.store(), cluster.store(), cluster.store()
    await streaming(owner, "c1", "m1")
    await owner.append("m1", "Still here", 1)
    await cluster.kill(owner)
    assert await first.adopt_dead_workers_replies() == [Orphan("m1", "Still here")]
    assert await second.adopt_dead_workers_replies() == []  # first holds it, under a lease of its own

    await cluster.kill(first)

    assert await second.adopt_dead_workers_replies() == [Orphan("m1", "Still here")]


async def test_the_sweep_loop_offers_an_orphan_again_until_it_is_stored(cluster, stores):
    owner, sweeper = stores
    await streaming(owner, "c1", "m1")
    await owner.append("m1", "Kept", 1)
    await cluster.kill(owner)
    offered: list[list[Orphan]] = []

    async def store_when_the_database_is_back(orphans: list[Orphan]) -> None:
        offered.append(orphans)
        if len(offered) == 1:
            raise RuntimeError("database is down")
        for orphan in orphans:
            await sweeper.finish(orphan.message_id)

    async def offered_twice() -> bool:
        return len(offered) >= 2

    sweeping = asyncio.create_task(sweeper.sweep_forever(store_when_the_database_is_back))
    try:
        await eventually(offered_twice, timeout=10 * sweeper.sweep_seconds + 10, what="a second sweep")
    finally:
        sweeping.cancel()
    assert offered[:2] == [[Orphan("m1", "Kept")], [Orphan("m1", "Kept")]]
    assert await sweeper.snapshot("c1") is None and await sweeper.adopt_dead_workers_replies() == []


async def test_the_heartbeat_renews_the_lease_of_a_worker_whose_reply_is_paused(cluster):
    owner = cluster.store(ttl=3.0)
    await streaming(owner, "c1", "m1")
    lease = cluster.lease_key(owner)
    # Far longer than the TTL, so the lease cannot lapse here: only a renewal brings it back to the TTL.
    await cluster.redis.pexpire(lease, 600_000)

    async def renewed() -> bool:
        return 0 < await cluster.redis.pttl(lease) <= 3000

    await eventually(renewed, timeout=30, what="the heartbeat to renew the lease")


async def test_a_record_redis_lost_is_rewritten_whole_by_its_owner(cluster, stores):
    owner, other = stores
    await streaming(owner, "c1", "m1")
    await owner.append("m1", "one ", 1)
    await cluster.redis.flushdb()  # what a Redis restart without persistence leaves

    await owner.append("m1", "two", 2)

    assert await other.snapshot("c1") == InProgress("m1", "one two", 2)
    assert await other.adopt_orphans(["m1"]) == []  # the rewrite renewed the owner's lease too


async def test_a_cancel_on_another_worker_stops_the_owners_task(stores):
    owner, other = stores
    task = await streaming(owner, "c1", "m1")

    # True once the owner's cancel listener has subscribed and received it.
    await eventually(lambda: other.cancel("c1"), timeout=10, what="the owner's cancel listener")

    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
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
