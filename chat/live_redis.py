"""Streaming replies kept in Redis, so any worker can resume a socket, sweep a dead reply or cancel one.

Key layout (under `prefix`):

- `{prefix}:worker:{worker_id}:alive` — the worker's lease: a string expiring `ttl` seconds after the
  worker's heartbeat (every `ttl / 3`) last renewed it. A worker whose lease is gone is dead.
- `{prefix}:worker:{worker_id}:replies` — set: the replies the worker holds; `{prefix}:workers` — set:
  every worker that holds or held replies, so a sweeper finds the dead ones without scanning keys.
- `{prefix}:reply:{message_id}` — hash: `owner` (the worker holding it), `conversation`, `seq`, and
  `text`, the chat text that `seq` reaches; `strategy_seq` and `strategy`, the strategy so far as one
  line of JSON per progress frame (at most about `MAX_STRATEGY_JSON_BYTES` in all). It outlives its
  owner's lease (`RECORD_TTL_SECONDS`, an hour, only bounds what is left when no worker comes back), so
  the text survives a killed worker.
- `{prefix}:conversation:{conversation_id}:reply` — string: the conversation's streaming reply id.
- pub/sub channel `{prefix}:worker:{worker_id}:cancel` — reply ids the owning worker should stop;
  a `cancel` frame may arrive on any worker, the reply's task runs on one.

Every worker sweeps (`sweep_forever`, every `sweep_seconds`, jittered): one script finds the workers
whose lease is gone and moves their replies to the sweeper atomically, so exactly one worker takes each
and stores it as interrupted with its text. A sweeper that dies in turn lets its lease lapse, and the
next one takes the replies over again. A lease, not key-expiry notifications: notifications are fire and
forget (a worker that misses one while reconnecting would never learn of the death), while a sweep finds
every lapsed lease whenever it runs; and the record must outlive its worker, so its expiry cannot be the signal.

The owning worker also keeps its replies in memory. Its writes never raise: when Redis is down or has
lost a record (a restart), the worker logs and rewrites the record from its own copy once Redis is back,
because failing a reply over its resume cache would lose more than it saves.

One class, under 400 lines with this map: its owner side (heartbeat, rewrite, cancel listener)
works on the same in-memory records as the interface it serves, so splitting it would share private state
across modules. Its Lua scripts are in `chat/live_redis_scripts.py`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.client import Pipeline
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from chat.live_types import InProgress, Orphan, OrphanHandler, StrategySoFar, strategy_so_far
from chat.live_redis_scripts import (
    ADOPT_LUA,
    APPEND_LUA,
    APPEND_STRATEGY_LUA,
    CANCEL_LUA,
    FINISH_LUA,
    SNAPSHOT_LUA,
    SWEEP_LUA,
)

logger = logging.getLogger(__name__)

# How long the cancel listener waits on its connection per poll; shorter than any socket timeout.
LISTEN_POLL_SECONDS = 1.0
RETRY_SECONDS = 1.0
# Every streaming reply appends once per chunk; under a burst more than redis-py's default 100 may be
# in flight, and a plain pool then fails ("Too many connections"). A blocking pool waits instead.
POOL_SIZE = 256
POOL_WAIT_SECONDS = 5.0
# A record outlives its worker's lease so a sweeper can store its text, even one that only starts when a
# whole deployment comes back; this bounds what stays behind when none does, or a `finish` Redis missed.
# Renewed by every write and heartbeat, so no streaming reply reaches it; the row's checkpoint outlasts it.
RECORD_TTL_SECONDS = 3600
# Sweeps come at most this far apart whatever the TTL, so a dead worker's replies end within TTL + 2 s.
MAX_SWEEP_SECONDS = 2.0
_increment = TypeAdapter(StrategySoFar)


def _cancelling() -> bool:
    # A client library may swallow a CancelledError mid-read; the task's own count still tells.
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


@dataclass
class _Owned:
    """A reply this worker holds, streaming or adopted: the authoritative copy its Redis record is rebuilt from."""

    message_id: str
    conversation_id: str = ""
    task: asyncio.Task[None] | None = None
    parts: list[str] = field(default_factory=list)
    seq: int = 0
    strategy: list[str] = field(default_factory=list)  # one line of JSON per progress frame
    # Taken over from a dead worker, to be stored as interrupted; offered again until that is done.
    adopted: bool = False
    # Serialises rewriting the record with forgetting it, so a heartbeat never resurrects a finished reply.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class _Connection:
    """One Redis client and its scripts, bound to the event loop that created them."""

    loop: asyncio.AbstractEventLoop
    client: Redis
    append: AsyncScript
    append_strategy: AsyncScript
    snapshot: AsyncScript
    cancel: AsyncScript
    finish: AsyncScript
    adopt: AsyncScript
    sweep: AsyncScript


class RedisLiveReplies:
    """Registry of streaming replies shared by every worker through one Redis (one client per process)."""

    def __init__(self, *, url: str, ttl: float, options: dict[str, Any], prefix: str = "vibewater") -> None:
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._url = url
        self._options = options
        self._ttl = ttl
        self._ttl_ms = max(1, int(ttl * 1000))
        self._record_ttl_ms = RECORD_TTL_SECONDS * 1000
        self.sweep_seconds = min(ttl / 3, MAX_SWEEP_SECONDS)
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
            appended = await self._redis().append(keys=keys, args=[text, seq, self._record_ttl_ms, message_id])
        except RedisError:
            logger.warning("could not record chunk %s of reply %s in Redis", seq, message_id, exc_info=True)
            return
        if not appended:
            await self._write(record)

    async def append_strategy(self, message_id: str, increment: StrategySoFar) -> None:
        """Record what progress frame number `increment.seq` carried of the reply's strategy (one round trip)."""
        record = self._owned.get(message_id)
        if record is None:
            return
        line = _increment.dump_json(increment).decode() + "\n"
        record.strategy.append(line)
        try:
            args = [line, increment.seq, self._record_ttl_ms]
            appended = await self._redis().append_strategy(keys=[self._reply_key(message_id)], args=args)
        except RedisError:
            logger.warning(
                "could not record progress %s of reply %s in Redis", increment.seq, message_id, exc_info=True
            )
            return
        if not appended:
            await self._write(record)

    async def snapshot(self, conversation_id: str) -> InProgress | None:
        """The conversation's streaming reply as it stands in Redis, or None."""
        found = await self._redis().snapshot(keys=[self._pointer_key(conversation_id)], args=[self._reply_key("")])
        if not found:
            return None
        message_id, text, seq, lines = found
        increments = [_increment.validate_json(line) for line in lines.splitlines()]
        return InProgress(message_id, text, int(seq), strategy_so_far(increments))

    async def adopt_orphans(self, message_ids: Iterable[str]) -> list[Orphan]:
        """Take over those of `message_ids` whose worker's lease is gone, or whose record Redis lost."""
        candidates = [message_id for message_id in message_ids if message_id not in self._owned]
        if not candidates:
            return []
        taken = await self._redis().adopt(args=[self._prefix, self.worker_id, self._ttl_ms, *candidates])
        return self._hold(taken)

    async def sweep_forever(self, handle: OrphanHandler) -> None:
        """Every `sweep_seconds` (jittered, so workers take turns), hand `handle` the dead workers' replies.

        Replies adopted before are offered again until `handle` has stored them (`finish`), so a
        database outage delays their storing but loses nothing.
        """
        while not _cancelling():
            await asyncio.sleep(self.sweep_seconds * random.uniform(0.5, 1.0))
            try:
                held = [Orphan(r.message_id, "".join(r.parts)) for r in self._owned.values() if r.adopted]
                orphans = held + await self.adopt_dead_workers_replies()
                if orphans:
                    await handle(orphans)
            except Exception:  # this loop must outlive any Redis or database trouble
                logger.warning("could not sweep dead workers' replies; retrying", exc_info=True)

    async def adopt_dead_workers_replies(self) -> list[Orphan]:
        """Take over every reply of every worker whose lease is gone (one sweep; each reply to one sweeper)."""
        return self._hold(await self._redis().sweep(args=[self._prefix, self.worker_id, self._ttl_ms]))

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
                keys = [self._reply_key(message_id), self._pointer_key(record.conversation_id), self._held_key()]
                await self._redis().finish(keys=keys, args=[message_id])
            except RedisError:  # a sweeper takes it once this worker's lease lapses; its row is stored already
                logger.warning("could not forget reply %s in Redis", message_id, exc_info=True)

    # --- the owner's side ---------------------------------------------------------------------

    def _hold(self, taken: list[list[Any]]) -> list[Orphan]:
        """Keep the replies a script took from dead workers as this worker's own; all of them as orphans."""
        orphans = []
        for message_id, held, *fields in taken:
            if held:
                conversation_id, seq, text = fields
                self._owned[message_id] = _Owned(message_id, conversation_id, parts=[text], seq=int(seq), adopted=True)
                self._ensure_owner_tasks()  # the heartbeat renews the lease the script took it under
            orphans.append(Orphan(message_id, fields[2] if held else ""))
        return orphans

    async def _write(self, record: _Owned) -> None:
        """Write the whole record from this worker's copy (first write, or after Redis lost it)."""
        async with record.lock:
            if record.message_id not in self._owned:
                return
            reply_key = self._reply_key(record.message_id)
            fields = {
                "owner": self.worker_id,
                "seq": record.seq,
                "text": "".join(record.parts),
                "strategy_seq": len(record.strategy),
                "strategy": "".join(record.strategy),
            }
            if record.conversation_id:
                fields["conversation"] = record.conversation_id
            try:
                async with self._redis().client.pipeline(transaction=True) as pipe:
                    self._renew_lease(pipe).sadd(self._held_key(), record.message_id)
                    pipe.delete(reply_key).hset(reply_key, mapping=fields).pexpire(reply_key, self._record_ttl_ms)
                    if record.conversation_id:
                        pipe.set(self._pointer_key(record.conversation_id), record.message_id, px=self._record_ttl_ms)
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
        """Renew this worker's lease while it holds replies (a model may pause for seconds), and rewrite
        any record Redis lost."""
        while not _cancelling():
            await asyncio.sleep(self._ttl / 3)
            records = list(self._owned.values())
            if not records:
                continue
            try:
                async with self._redis().client.pipeline(transaction=False) as pipe:
                    self._renew_lease(pipe)
                    for record in records:
                        pipe.pexpire(self._reply_key(record.message_id), self._record_ttl_ms)
                    refreshed = (await pipe.execute())[2:]
            except Exception:  # this loop must outlive any Redis trouble
                logger.warning("could not renew the lease of %s live replies in Redis", len(records), exc_info=True)
                continue
            for record, found in zip(records, refreshed):
                if not found:
                    await self._write(record)

    def _renew_lease(self, pipe: Pipeline) -> Pipeline:
        """Queue the two commands that keep this worker alive in the others' eyes (and listed, for sweepers)."""
        return pipe.set(self._worker_key(self.worker_id, "alive"), 1, px=self._ttl_ms).sadd(
            f"{self._prefix}:workers", self.worker_id
        )

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
                append_strategy=client.register_script(APPEND_STRATEGY_LUA),
                snapshot=client.register_script(SNAPSHOT_LUA),
                cancel=client.register_script(CANCEL_LUA),
                finish=client.register_script(FINISH_LUA),
                adopt=client.register_script(ADOPT_LUA),
                sweep=client.register_script(SWEEP_LUA),
            )
        return self._connection

    def _reply_key(self, message_id: str) -> str:
        return f"{self._prefix}:reply:{message_id}"

    def _pointer_key(self, conversation_id: str) -> str:
        return f"{self._prefix}:conversation:{conversation_id}:reply"

    def _worker_key(self, worker_id: str, what: str) -> str:
        return f"{self._prefix}:worker:{worker_id}:{what}"

    def _held_key(self) -> str:
        return self._worker_key(self.worker_id, "replies")

    def _cancel_channel(self, worker_id: str) -> str:
        return self._worker_key(worker_id, "cancel")
