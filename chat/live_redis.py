"""Streaming replies kept in Redis, so any worker can resume a socket, sweep a dead reply or cancel one.

Key layout (under `prefix`):

- `{prefix}:reply:{message_id}` — hash: `owner` (the streaming worker's id), `conversation`, `seq`,
  and `text`, the chat text that `seq` reaches. It expires `ttl` seconds after its owner last touched
  it (every chunk, and a heartbeat between chunks), so the reply of a killed worker stops being live
  and the next sweep marks it interrupted. Liveness is "this key exists".
- `{prefix}:conversation:{conversation_id}:reply` — string: the conversation's streaming reply id,
  with the same expiry.
- pub/sub channel `{prefix}:worker:{worker_id}:cancel` — reply ids the owning worker should stop;
  a `cancel` frame may arrive on any worker, the reply's task runs on one.

The owning worker also keeps its replies in memory. Its writes never raise: when Redis is down or has
lost a record (a restart), the worker logs and rewrites the record from its own copy once Redis is back,
because failing a reply over its resume cache would lose more than it saves.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from chat.live import InProgress

logger = logging.getLogger(__name__)

# How long the cancel listener waits on its connection per poll; shorter than any socket timeout.
LISTEN_POLL_SECONDS = 1.0
RETRY_SECONDS = 1.0
# Every streaming reply appends once per chunk; under a burst more than redis-py's default 100 may be
# in flight, and a plain pool then fails ("Too many connections"). A blocking pool waits instead.
POOL_SIZE = 256
POOL_WAIT_SECONDS = 5.0

# Appends one chunk if the stored record is exactly one chunk behind; 0 tells the owner to rewrite it.
# KEYS: reply hash, conversation pointer. ARGV: chunk text, seq, ttl in ms, reply id.
APPEND_LUA = """
if tonumber(redis.call('HGET', KEYS[1], 'seq')) ~= tonumber(ARGV[2]) - 1 then return 0 end
redis.call('HSET', KEYS[1], 'text', (redis.call('HGET', KEYS[1], 'text') or '') .. ARGV[1], 'seq', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
return 1
"""

# The conversation's streaming reply as {id, text, seq}, read atomically. KEYS: pointer. ARGV: reply key prefix.
SNAPSHOT_LUA = """
local id = redis.call('GET', KEYS[1])
if not id then return false end
local fields = redis.call('HMGET', ARGV[1] .. id, 'text', 'seq')
if not fields[2] then return false end
return {id, fields[1] or '', fields[2]}
"""

# Tells the owner of the conversation's streaming reply to stop it; the number of listeners reached.
# KEYS: pointer. ARGV: reply key prefix, worker channel prefix.
CANCEL_LUA = """
local id = redis.call('GET', KEYS[1])
if not id then return 0 end
local owner = redis.call('HGET', ARGV[1] .. id, 'owner')
if not owner then return 0 end
return redis.call('PUBLISH', ARGV[2] .. owner .. ':cancel', id)
"""

# Forgets a stored reply, and the conversation's pointer only if it still names that reply.
# KEYS: reply hash, pointer. ARGV: reply id.
FINISH_LUA = """
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return redis.call('DEL', KEYS[1])
"""


def _cancelling() -> bool:
    # A client library may swallow a CancelledError mid-read; the task's own count still tells.
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


@dataclass
class _Owned:
    """A reply this worker streams: the authoritative copy its Redis record is rebuilt from."""

    message_id: str
    conversation_id: str = ""
    task: asyncio.Task[None] | None = None
    parts: list[str] = field(default_factory=list)
    seq: int = 0
    # Serialises rewriting the record with forgetting it, so a heartbeat never resurrects a finished reply.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class _Connection:
    """One Redis client and its scripts, bound to the event loop that created them."""

    loop: asyncio.AbstractEventLoop
    client: Redis
    append: AsyncScript
    snapshot: AsyncScript
    cancel: AsyncScript
    finish: AsyncScript


class RedisLiveReplies:
    """Registry of streaming replies shared by every worker through one Redis (one client per process)."""

    def __init__(self, *, url: str, ttl: float, options: dict[str, Any], prefix: str = "vibewater") -> None:
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._url = url
        self._options = options
        self._ttl = ttl
        self._ttl_ms = max(1, int(ttl * 1000))
        self._prefix = prefix
        self._owned: dict[str, _Owned] = {}
        self._connection: _Connection | None = None
        self._owner_tasks: tuple[asyncio.AbstractEventLoop, list[asyncio.Task[None]]] | None = None

    # --- the LiveReplies interface ------------------------------------------------------------

    async def claim(self, message_id: str) -> None:
        """Mark a reply live before it is stored, so no sweep takes it for stale in between."""
        record = self._owned.setdefault(message_id, _Owned(message_id))
        self._ensure_owner_tasks()
        await self._write(record)

    async def start(self, conversation_id: str, message_id: str, task: asyncio.Task[None]) -> None:
        """Record that `task` now streams reply `message_id`, and name it the conversation's live reply."""
        record = self._owned.setdefault(message_id, _Owned(message_id))
        record.conversation_id, record.task = conversation_id, task
        self._ensure_owner_tasks()
        await self._write(record)

    async def append(self, message_id: str, text: str, seq: int) -> None:
        """Record chat text released with chunk number `seq` (one round trip)."""
        record = self._owned.get(message_id)
        if record is None:
            return
        record.parts.append(text)
        record.seq = seq
        try:
            keys = [self._reply_key(message_id), self._pointer_key(record.conversation_id)]
            appended = await self._redis().append(keys=keys, args=[text, seq, self._ttl_ms, message_id])
        except RedisError:
            logger.warning("could not record chunk %s of reply %s in Redis", seq, message_id, exc_info=True)
            return
        if not appended:
            await self._write(record)

    async def snapshot(self, conversation_id: str) -> InProgress | None:
        """The conversation's streaming reply as it stands in Redis, or None."""
        found = await self._redis().snapshot(keys=[self._pointer_key(conversation_id)], args=[self._reply_key("")])
        if not found:
            return None
        message_id, text, seq = found
        return InProgress(message_id, text, int(seq))

    async def is_live(self, message_id: str) -> bool:
        """Whether some worker is still streaming `message_id` (its record has not expired)."""
        if message_id in self._owned:
            return True
        return bool(await self._redis().client.exists(self._reply_key(message_id)))

    async def cancel(self, conversation_id: str) -> bool:
        """Stop the conversation's streaming reply on whichever worker streams it; False when there is none."""
        for record in list(self._owned.values()):
            if record.conversation_id == conversation_id:
                return self._cancel_owned(record.message_id)
        reached = await self._redis().cancel(
            keys=[self._pointer_key(conversation_id)],
            args=[self._reply_key(""), f"{self._prefix}:worker:"],
        )
        return bool(reached)

    async def finish(self, message_id: str) -> None:
        """Forget a reply that has been stored, here and in Redis."""
        record = self._owned.get(message_id)
        if record is None:
            return
        async with record.lock:
            self._owned.pop(message_id, None)
            try:
                keys = [self._reply_key(message_id), self._pointer_key(record.conversation_id)]
                await self._redis().finish(keys=keys, args=[message_id])
            except RedisError:  # the record expires on its own within the TTL
                logger.warning("could not forget reply %s in Redis", message_id, exc_info=True)

    # --- the owner's side ---------------------------------------------------------------------

    async def _write(self, record: _Owned) -> None:
        """Write the whole record from this worker's copy (first write, or after Redis lost it)."""
        async with record.lock:
            if record.message_id not in self._owned:
                return
            reply_key = self._reply_key(record.message_id)
            fields = {"owner": self.worker_id, "seq": record.seq, "text": "".join(record.parts)}
            if record.conversation_id:
                fields["conversation"] = record.conversation_id
            try:
                async with self._redis().client.pipeline(transaction=True) as pipe:
                    pipe.delete(reply_key).hset(reply_key, mapping=fields).pexpire(reply_key, self._ttl_ms)
                    if record.conversation_id:
                        pipe.set(self._pointer_key(record.conversation_id), record.message_id, px=self._ttl_ms)
                    await pipe.execute()
            except RedisError:
                logger.warning("could not record reply %s in Redis", record.message_id, exc_info=True)

    async def aclose(self) -> None:
        """Stop the heartbeat and cancel listener and close the client (at shutdown, and between tests)."""
        tasks = self._owner_tasks[1] if self._owner_tasks else []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._owner_tasks = None
        if self._connection is not None:
            await self._connection.client.aclose()
            self._connection = None

    async def _heartbeat(self) -> None:
        """Keep this worker's replies live between chunks (a model may pause for seconds)."""
        while not _cancelling():
            await asyncio.sleep(self._ttl / 3)
            records = list(self._owned.values())
            if not records:
                continue
            try:
                async with self._redis().client.pipeline(transaction=False) as pipe:
                    for record in records:
                        pipe.pexpire(self._reply_key(record.message_id), self._ttl_ms)
                        if record.conversation_id:
                            pipe.set(self._pointer_key(record.conversation_id), record.message_id, px=self._ttl_ms)
                    results = iter(await pipe.execute())
            except Exception:  # this loop must outlive any Redis trouble
                logger.warning("could not refresh %s live replies in Redis", len(records), exc_info=True)
                continue
            for record in records:
                refreshed = next(results)
                if record.conversation_id:
                    next(results)
                if not refreshed:
                    await self._write(record)

    async def _listen_for_cancels(self) -> None:
        """Stop this worker's replies when another worker relays a `cancel` frame."""
        while not _cancelling():
            try:
                async with self._redis().client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self._cancel_channel(self.worker_id))
                    while not _cancelling():
                        message = await pubsub.get_message(timeout=LISTEN_POLL_SECONDS)
                        if message is not None:
                            self._cancel_owned(message["data"])
            except Exception:  # this loop must outlive any Redis trouble
                logger.warning("cancel listener lost Redis; retrying", exc_info=True)
                await asyncio.sleep(RETRY_SECONDS)

    def _cancel_owned(self, message_id: str) -> bool:
        record = self._owned.get(message_id)
        if record is None or record.task is None or record.task.done():
            return False
        record.task.cancel()
        return True

    def _ensure_owner_tasks(self) -> None:
        loop = asyncio.get_running_loop()
        if self._owner_tasks is None or self._owner_tasks[0] is not loop:
            self._owner_tasks = (loop, [loop.create_task(self._heartbeat()), loop.create_task(self._listen_for_cancels())])

    # --- connection and names -----------------------------------------------------------------

    def _redis(self) -> _Connection:
        """This process's client; a new one if the event loop changed (each test runs its own loop)."""
        loop = asyncio.get_running_loop()
        if self._connection is None or self._connection.loop is not loop:
            pool = BlockingConnectionPool.from_url(
                self._url, max_connections=POOL_SIZE, timeout=POOL_WAIT_SECONDS, decode_responses=True, **self._options
            )
            client = Redis.from_pool(pool)  # the client owns the pool: aclose() closes both
            self._connection = _Connection(
                loop=loop,
                client=client,
                append=client.register_script(APPEND_LUA),
                snapshot=client.register_script(SNAPSHOT_LUA),
                cancel=client.register_script(CANCEL_LUA),
                finish=client.register_script(FINISH_LUA),
            )
        return self._connection

    def _reply_key(self, message_id: str) -> str:
        return f"{self._prefix}:reply:{message_id}"

    def _pointer_key(self, conversation_id: str) -> str:
        return f"{self._prefix}:conversation:{conversation_id}:reply"

    def _cancel_channel(self, worker_id: str) -> str:
        return f"{self._prefix}:worker:{worker_id}:cancel"
