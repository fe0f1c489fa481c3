"""Drop a WebSocket client that stops reading, so what the worker holds for it stays bounded.

daphne writes every frame the application sends straight into the connection's Twisted transport,
and nothing pushes back: a client that never reads makes the worker buffer everything sent to it.
Pings do not catch it: daphne pings only a client that has sent nothing for `--ping-interval`, and
autobahn takes any frame from the client in place of the pong, so a client that keeps writing is
never dropped. Twisted's transport does say when its write buffer passes 64 KiB: it pauses its
registered push producer, and resumes it once the buffer has drained. `SendBufferServer` registers a
`SendBufferGuard` on each WebSocket's transport, counts the bytes the application sends while it is
paused, and aborts the connection once they exceed `CHAT_SEND_BUFFER_BYTES`. Only frames sent into a
buffer that was already full count: the frame that fills it (a joining socket's conversation_state can
be far over 64 KiB on its own) was written before the client had any chance to read, so it says nothing
about whether the client reads. What a socket holds unsent stays under 64 KiB + one frame + that budget
+ one frame. The consumer then gets its disconnect as for any dropped client; a reply streaming carries
on and is stored (it is the pipeline's task, not the socket's).

This is the project's one step into daphne's internals, checked against daphne 4.2.3 (autobahn
26.10, Twisted 26.10): `CommandLineInterface.server_class` builds the server; `Server.protocol_connected`
is called from `WebSocketProtocol.onConnect` with the upgraded transport attached, and
`Server.handle_reply` (which writes without awaiting) with every ASGI message the application sends.
tests/vibewater/test_send_buffer.py names the one that changed.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol
from django.conf import settings
from twisted.internet.interfaces import IPushProducer
from zope.interface import implementer

logger = logging.getLogger(__name__)


@implementer(IPushProducer)
class SendBufferGuard:
    """The transport's view of one WebSocket: whether its write buffer is full, and what was sent since."""

    def __init__(self, *, budget: int) -> None:
        self.budget = budget
        self.paused = False
        self.sent_while_paused = 0

    def pauseProducing(self) -> None:
        """The transport's buffer is over its high-water mark (called on every write while it is)."""
        self.paused = True

    def resumeProducing(self) -> None:
        """The transport's buffer has drained: the client is reading again."""
        self.paused = False
        self.sent_while_paused = 0

    def stopProducing(self) -> None:
        """The connection is gone; there is nothing of ours to stop."""

    def over_budget_after(self, message: dict[str, Any], *, was_paused: bool) -> bool:
        """Count an ASGI message just sent, if the buffer was full before it; True once past the budget."""
        if not was_paused or message["type"] != "websocket.send":
            return False
        text = message.get("text")
        self.sent_while_paused += len(text.encode()) if text is not None else len(message.get("bytes") or b"")
        return self.sent_while_paused > self.budget


class SendBufferServer(Server):
    """daphne's server, dropping any WebSocket client that leaves more than `CHAT_SEND_BUFFER_BYTES` unread."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guards: weakref.WeakKeyDictionary[WebSocketProtocol, SendBufferGuard] = weakref.WeakKeyDictionary()

    def protocol_connected(self, protocol: Any) -> None:
        """Register a guard as the transport's producer when a WebSocket connects."""
        super().protocol_connected(protocol)
        if isinstance(protocol, WebSocketProtocol):
            guard = SendBufferGuard(budget=settings.CHAT_SEND_BUFFER_BYTES)
            # The HTTP channel that upgraded the connection is still registered; it has nothing left to pause.
            protocol.transport.unregisterProducer()
            protocol.transport.registerProducer(guard, True)
            self._guards[protocol] = guard

    async def handle_reply(self, protocol: Any, message: dict[str, Any]) -> None:
        """Send the application's message, then drop the client if it has stopped reading."""
        guard = self._guards.get(protocol)
        was_paused = guard is not None and guard.paused  # the write below is synchronous: only it can pause
        await super().handle_reply(protocol, message)
        if guard is not None and guard.over_budget_after(message, was_paused=was_paused):
            logger.warning(
                "dropped the WebSocket of %s: it left %d bytes unread", protocol.client_addr, guard.sent_while_paused
            )
            self.protocol_disconnected(protocol)  # so daphne drops what is still sent to it, instead of raising
            protocol.dropConnection(abort=True)
