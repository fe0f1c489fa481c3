"""The single-process channel layer: channels' in-memory layer, made cheap per frame for many sockets."""

from __future__ import annotations

import time
from typing import Any

from channels.exceptions import ChannelFull

from vibewater.compat import InMemoryChannelLayerWithSweepHook


class ThrottledInMemoryChannelLayer(InMemoryChannelLayerWithSweepHook):
    """channels' `InMemoryChannelLayer`, with two per-message overheads taken out.

    - The base class sweeps expired messages on every `receive()`, and the sweep scans every channel
      and every group member: with N sockets each receiving frames, that is O(N²) per burst. Expiry
      works in seconds (message expiry 60 s, group expiry a day), so sweeping once a second changes
      nothing observable.
    - Its `group_send` starts a task per member and gathers them with `as_completed`, though `send`
      only puts the message on a queue and never waits. Here members are sent to in turn.
    """

    CLEAN_INTERVAL = 1.0

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._next_clean = 0.0

    def sweep_expired(self) -> None:
        """Run channels' expiry sweep, at most once per `CLEAN_INTERVAL`."""
        now = time.monotonic()
        if now >= self._next_clean:
            self._next_clean = now + self.CLEAN_INTERVAL
            super().sweep_expired()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        """Send `message` to every channel in `group`, dropping it for channels at capacity (as channels does)."""
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self.sweep_expired()
        for channel in list(self.groups.get(group, ())):
            try:
                await self.send(channel, message)
            except ChannelFull:
                pass
