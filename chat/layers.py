"""The single-process channel layer: channels' in-memory layer with its expiry sweep rate-limited."""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer


class ThrottledInMemoryChannelLayer(InMemoryChannelLayer):
    """channels' `InMemoryChannelLayer`, expiring messages and group members at most once a second.

    The base class runs `_clean_expired` on every `receive()`, and it scans every channel and every group
    member: with N sockets each receiving frames, that is O(N²) per burst. Expiry works in seconds
    (message expiry 60 s, group expiry a day), so sweeping once a second changes nothing observable.
    """

    CLEAN_INTERVAL = 1.0

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._next_clean = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now >= self._next_clean:
            self._next_clean = now + self.CLEAN_INTERVAL
            super()._clean_expired()
