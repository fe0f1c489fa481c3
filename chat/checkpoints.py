"""Checkpoints of a streaming reply's text in its database row, so a worker that dies leaves that text.

Without Redis, a reply's text so far lives only in its worker's memory. While text keeps coming, it
is written to the reply's row every `CHAT_CHECKPOINT_SECONDS`, on the database pool and in the
background: no chunk ever waits for the database, and at most one write per reply is in flight.
With Redis the live record keeps the text too; the checkpoint still covers losing Redis and the worker
together. A stored reply is never overwritten: the write only touches rows still streaming.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time

from chat.db import db_call
from chat.services import reply_checkpoint

logger = logging.getLogger(__name__)


class ReplyCheckpoints:
    """Writes one reply's text so far to its row at most every `interval` seconds (0: never)."""

    def __init__(self, *, reply_id: str, interval: float) -> None:
        self._reply_id = reply_id
        self._interval = interval
        self._parts: list[str] = []
        # Replies started by one burst would all write their first checkpoint at the same instant:
        # spread the first over the second half of the interval.
        self._due = time.monotonic() + interval * random.uniform(0.5, 1.0)
        self._writing: asyncio.Task[None] | None = None

    def add(self, text: str) -> None:
        """Count in chat text just published, and start a checkpoint if one is due and none is being written."""
        self._parts.append(text)
        if not self._interval or time.monotonic() < self._due or (self._writing and not self._writing.done()):
            return
        self._due = time.monotonic() + self._interval
        self._parts[:] = ["".join(self._parts)]
        self._writing = asyncio.create_task(self._write(self._parts[0]))

    async def close(self) -> None:
        """Wait for a checkpoint still being written, so the reply's own storing comes after it."""
        if self._writing is not None:
            await self._writing

    async def _write(self, content: str) -> None:
        try:
            await db_call(reply_checkpoint)(reply_id=self._reply_id, content=content)
        except Exception:  # a checkpoint is insurance: failing one must never fail the reply
            logger.warning("could not checkpoint reply %s", self._reply_id, exc_info=True)
