"""The project's reliance on a dependency's internals, each in one place, checked by tests/vibewater/test_compat.py.

- channels: `InMemoryChannelLayer._clean_expired`, the expiry sweep its `receive` and `group_send`
  run every time, is hooked here and nowhere else (`InMemoryChannelLayerWithSweepHook`).
- channels: `AsyncConsumer.dispatch` is copied without its per-message database clean-up
  (`dispatch_without_closing_connections`); the test names the change if channels' version differs.
- daphne (with autobahn and Twisted): `vibewater.send_buffer` is that compat module, using daphne's
  non-underscore server hooks; tests/vibewater/test_send_buffer.py names what changed.
- botocore: nothing private. The Bedrock provider decodes events with botocore's public buffer and
  parser (tests/chat/providers/test_bedrock_events.py compares it with botocore's own `EventStream`).

Checked against channels 4.3.2; requirements.txt lists each name beside its pin.
"""

from __future__ import annotations

from typing import Any

from channels.consumer import AsyncConsumer, get_handler_name
from channels.layers import InMemoryChannelLayer


class InMemoryChannelLayerWithSweepHook(InMemoryChannelLayer):
    """channels' in-memory layer, its private expiry sweep exposed as the overridable `sweep_expired`."""

    def _clean_expired(self) -> None:
        self.sweep_expired()

    def sweep_expired(self) -> None:
        """Drop expired messages and group memberships: channels' own sweep, run on every receive and group send."""
        InMemoryChannelLayer._clean_expired(self)


async def dispatch_without_closing_connections(consumer: AsyncConsumer, message: dict[str, Any]) -> None:
    """channels' `AsyncConsumer.dispatch` without its hop to asgiref's sync thread to close old database connections."""
    handler = getattr(consumer, get_handler_name(message), None)
    if handler is None:
        raise ValueError(f"No handler for message type {message['type']}")
    await handler(message)
