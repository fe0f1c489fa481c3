"""The per-loop limit on streaming replies: at most `size` at once, the rest waiting their turn in order."""

from __future__ import annotations

import asyncio
from collections import deque

from chat.providers.base import ProviderError


class Slots:
    """At most `size` replies streaming at once on a loop; the rest wait their turn, in order.

    A freed slot is handed straight to the next waiter, so a reply arriving meanwhile cannot jump the
    queue; a waiter cancelled after it was handed one passes it on.
    """

    def __init__(self, size: int) -> None:
        self.free = size
        self._waiters: deque[asyncio.Future[bool]] = deque()
        self._closed: ProviderError | None = None

    async def acquire(self) -> None:
        """Take a slot, waiting behind earlier callers; raise the closing error once closed."""
        if self._closed is not None:
            raise self._closed
        if self.free > 0 and not self._waiters:
            self.free -= 1
            return
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            granted = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.result():
                self.release()
            raise
        if not granted:
            assert self._closed is not None
            raise self._closed

    def release(self) -> None:
        """Give a slot back: to the longest waiter, else to the free count."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)
                return
        self.free += 1

    def close(self, error: ProviderError) -> None:
        """Refuse new callers and end every waiter with `error`."""
        self._closed = error
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(False)
