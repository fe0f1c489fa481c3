"""Open sockets per user, counted across workers, so one trader cannot hold an unbounded number.

`SocketCounter` is the interface the consumer uses: `admit` takes a place for a socket if the user
has fewer than `limit`, `release` gives it back. `LocalSocketCounter` counts in this process (with the
in-memory channel layer, one process is all there is); `RedisSocketCounter` counts for every worker
sharing Redis. `open_sockets` is the one the settings pick: Redis when `REDIS_URL` is set.

In Redis each user has a sorted set `{prefix}:sockets:{user_id}` of socket (channel) names, each
scored with the deadline of its worker's lease, in Redis's own clock. The worker pushes its sockets'
deadlines on by `lease` seconds every `lease / 3`; a killed worker's sockets stop counting once their
deadline passes, and every admission first drops the expired ones.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from django.conf import settings
from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Admits a socket if the user holds fewer than the limit (1), else refuses it (0).
# KEYS: the user's set. ARGV: socket name, limit, lease in ms.
ADMIT_LUA = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) and not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""

# Pushes the deadline of this worker's sockets of one user on by a lease (re-adding any Redis lost).
# KEYS: the user's set. ARGV: lease in ms, then the socket names.
RENEW_LUA = """
local clock = redis.call('TIME')
local deadline = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000) + tonumber(ARGV[1])
for index = 2, #ARGV do
  redis.call('ZADD', KEYS[1], deadline, ARGV[index])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
"""


class SocketCounter(Protocol):
    """Places for open sockets, at most `limit` per user."""

    async def admit(self, *, user_id: str, socket_id: str, limit: int) -> bool:
        """Take a place for the socket; False when the user already holds `limit`."""

    async def release(self, *, user_id: str, socket_id: str) -> None:
        """Give the socket's place back (nothing happens if it held none)."""


class LocalSocketCounter:
    """Open sockets of this process, per user."""

    def __init__(self) -> None:
        self._sockets: dict[str, set[str]] = {}

    async def admit(self, *, user_id: str, socket_id: str, limit: int) -> bool:
        """Take a place for the socket; False when the user already holds `limit`."""
        held = self._sockets.setdefault(user_id, set())
        if len(held) >= limit:
            return False
        held.add(socket_id)
        return True

    async def release(self, *, user_id: str, socket_id: str) -> None:
        """Give the socket's place back (nothing happens if it held none)."""
        held = self._sockets.get(user_id)
        if held is not None:
            held.discard(socket_id)
            if not held:
                del self._sockets[user_id]


class RedisSocketCounter:
    """Open sockets of every worker, per user, in Redis; each worker renews the leases of its own."""

    def __init__(self, *, url: str, lease: float, options: dict[str, Any], prefix: str = "vibewater") -> None:
        self._url = url
        self._options = options
        self._lease = lease
        self._lease_ms = max(1, int(lease * 1000))
        self._prefix = prefix
        self._held: dict[str, set[str]] = {}  # this worker's sockets, whose leases it renews
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Redis | None = None
        self._admit: AsyncScript | None = None
        self._renew: AsyncScript | None = None
        self._renewing: asyncio.Task[None] | None = None

    async def admit(self, *, user_id: str, socket_id: str, limit: int) -> bool:
        """Take a place for the socket; False when the user already holds `limit` on all workers together."""
        self._connect()
        try:
            admitted = await self._admit(keys=[self._key(user_id)], args=[socket_id, limit, self._lease_ms])
        except RedisError:  # without Redis the sockets cannot be counted; refusing them all would be worse
            logger.warning("could not count the sockets of user %s in Redis; admitting", user_id, exc_info=True)
            admitted = True
        if admitted:
            self._held.setdefault(user_id, set()).add(socket_id)
        return bool(admitted)

    async def release(self, *, user_id: str, socket_id: str) -> None:
        """Give the socket's place back, here and in Redis."""
        held = self._held.get(user_id, set())
        held.discard(socket_id)
        if not held:
            self._held.pop(user_id, None)
        self._connect()
        try:
            await self._client.zrem(self._key(user_id), socket_id)
        except RedisError:  # its lease runs out on its own
            logger.warning("could not release a socket of user %s in Redis", user_id, exc_info=True)

    async def aclose(self) -> None:
        """Stop renewing and close the client (at shutdown, and between tests)."""
        if self._renewing is not None:
            self._renewing.cancel()
            await asyncio.gather(self._renewing, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
        self._loop = self._client = self._renewing = None

    async def _renew_leases(self) -> None:
        """Keep this worker's sockets counted while they are open."""
        while True:
            await asyncio.sleep(self._lease / 3)
            held = {user_id: sorted(sockets) for user_id, sockets in self._held.items()}
            if not held:
                continue
            try:
                async with self._client.pipeline(transaction=False) as pipe:
                    for user_id, sockets in held.items():
                        await self._renew(keys=[self._key(user_id)], args=[self._lease_ms, *sockets], client=pipe)
                    await pipe.execute()
            except Exception:  # this loop must outlive any Redis trouble
                logger.warning("could not renew the leases of %s users' sockets in Redis", len(held), exc_info=True)

    def _connect(self) -> None:
        """This process's client and renewal task; new ones if the event loop changed (each test runs its own)."""
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return
        self._loop = loop
        self._client = Redis.from_url(self._url, decode_responses=True, **self._options)
        self._admit = self._client.register_script(ADMIT_LUA)
        self._renew = self._client.register_script(RENEW_LUA)
        self._renewing = loop.create_task(self._renew_leases())

    def _key(self, user_id: str) -> str:
        return f"{self._prefix}:sockets:{user_id}"


def socket_counter_from_settings() -> SocketCounter:
    """The counter for this deployment: shared through Redis when `REDIS_URL` is set, else in-process."""
    if settings.REDIS_URL:
        return RedisSocketCounter(
            url=settings.REDIS_URL, lease=settings.CHAT_SOCKET_LEASE_TTL, options=settings.REDIS_CLIENT_OPTIONS
        )
    return LocalSocketCounter()


open_sockets = socket_counter_from_settings()
