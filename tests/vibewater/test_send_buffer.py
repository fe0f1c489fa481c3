"""The send-buffer guard's logic, and the daphne internals it relies on, each named when it changes.

The guard working end to end (a real daphne worker dropping a client that stopped reading) is
tests/scale/test_socket_lifecycle.py.
"""

from __future__ import annotations

import inspect

from daphne.cli import CommandLineInterface
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol

from vibewater.send_buffer import SendBufferGuard

FRAME = {"type": "websocket.send", "text": "é" * 500}  # 1,000 bytes in UTF-8


def parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_daphne_still_builds_its_server_from_the_cli_class_attribute_the_guard_replaces():
    assert CommandLineInterface.server_class is Server, "daphne.cli.CommandLineInterface.server_class changed"
    assert "self.server_class(" in inspect.getsource(CommandLineInterface.run), (
        "daphne.cli.CommandLineInterface.run no longer builds its server from self.server_class"
    )


def test_daphne_still_calls_the_server_hooks_the_guard_overrides():
    assert parameters(Server.protocol_connected) == ["self", "protocol"], "daphne Server.protocol_connected changed"
    assert parameters(Server.handle_reply) == ["self", "protocol", "message"], "daphne Server.handle_reply changed"
    assert inspect.iscoroutinefunction(Server.handle_reply), "daphne Server.handle_reply is no longer a coroutine"
    # The guard reads whether the buffer was full before the send, so the send must not wait in between.
    assert "await" not in inspect.getsource(Server.handle_reply), "daphne Server.handle_reply now awaits"
    assert "self.server.protocol_connected(self)" in inspect.getsource(WebSocketProtocol.onConnect), (
        "daphne WebSocketProtocol.onConnect no longer reports the connection (with its transport) to the server"
    )
    assert "abort" in parameters(WebSocketProtocol.dropConnection), "autobahn dropConnection(abort=) changed"


def test_nothing_counts_while_the_transport_keeps_up():
    guard = SendBufferGuard(budget=1500)
    assert not any(guard.over_budget_after(FRAME, was_paused=False) for _ in range(10))
    assert guard.sent_while_paused == 0


def test_the_frame_that_fills_the_buffer_does_not_count_however_large():
    guard = SendBufferGuard(budget=1500)
    guard.pauseProducing()  # as the transport does while it takes a frame past its high-water mark
    assert not guard.over_budget_after({"type": "websocket.send", "text": "x" * 10_000}, was_paused=False)
    assert guard.sent_while_paused == 0


def test_the_bytes_sent_while_the_transport_is_full_count_until_it_drains():
    guard = SendBufferGuard(budget=1500)
    guard.pauseProducing()
    assert not guard.over_budget_after(FRAME, was_paused=True) and guard.sent_while_paused == 1000
    assert not guard.over_budget_after({"type": "websocket.close", "code": 1000}, was_paused=True)

    guard.resumeProducing()
    assert guard.sent_while_paused == 0 and not guard.over_budget_after(FRAME, was_paused=False)
    guard.pauseProducing()
    assert not guard.over_budget_after(FRAME, was_paused=True)
    assert guard.over_budget_after({"type": "websocket.send", "bytes": b"x" * 501}, was_paused=True)
