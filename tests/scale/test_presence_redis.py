"""The Redis socket counter on its own, against a real redis-server: leases renewed, a Redis outage."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from django.conf import settings

from chat.presence import RedisSocketCounter
from tests.scale.conftest import RedisServer

pytestmark = pytest.mark.asyncio

LEASE = 3.0  # renewed every second: a renewal must miss twice in a row for a socket to lapse


@pytest.fixture
async def counters(redis_server: RedisServer) -> AsyncIterator[tuple[RedisSocketCounter, RedisSocketCounter]]:
    """Two workers' counters sharing one Redis, under a prefix of their own."""
    if redis_server.process is None:
        redis_server.start()
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    pair = tuple(
        RedisSocketCounter(url=redis_server.url, lease=LEASE, options=settings.REDIS_CLIENT_OPTIONS, prefix=prefix)
        for _ in range(2)
    )
    yield pair
    for counter in pair:
        await counter.aclose()


async def test_a_socket_open_for_longer_than_its_lease_still_counts_on_the_other_worker(counters):
    this_worker, other_worker = counters
    assert await this_worker.admit(user_id="7", socket_id="s1", limit=1)

    await asyncio.sleep(LEASE * 2)  # two leases: only renewal keeps it counted

    assert not await other_worker.admit(user_id="7", socket_id="s2", limit=1)
    await this_worker.release(user_id="7", socket_id="s1")
    assert await other_worker.admit(user_id="7", socket_id="s2", limit=1)


async def test_a_socket_whose_worker_stopped_renewing_stops_counting_after_its_lease(counters):
    dead_worker, other_worker = counters
    assert await dead_worker.admit(user_id="7", socket_id="s1", limit=1)
    await dead_worker.aclose()  # as if killed: no release, no renewal

    deadline = asyncio.get_running_loop().time() + LEASE + 10
    while not await other_worker.admit(user_id="7", socket_id="s2", limit=1):
        assert asyncio.get_running_loop().time() < deadline, "a dead worker's socket still counts"
        await asyncio.sleep(0.2)


async def test_sockets_are_admitted_while_redis_is_down(counters, redis_server: RedisServer, caplog):
    counter, _ = counters
    redis_server.stop()
    try:
        assert await counter.admit(user_id="7", socket_id="s1", limit=1)
    finally:
        redis_server.start()
    assert "could not count the sockets of user 7 in Redis; admitting" in caplog.text
