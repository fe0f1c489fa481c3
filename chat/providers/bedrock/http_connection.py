"""One HTTP/1.1 connection to Bedrock on the event loop, and the failures it reports.

Each arrival costs one loop callback, with no thread wake-up, lock or timer per event: with hundreds
of replies streaming, that per-arrival overhead is what bounds a worker (docs/benchmarks.md, round 5).
httptools (llhttp, in C) parses the responses, chunked transfer encoding included.
"""

from __future__ import annotations

import asyncio
import os
import socket

import httptools

#: The most an error response body may be: anything longer is not a Bedrock error document.
MAX_ERROR_BODY = 1 << 20


class ConnectFailed(ConnectionError):
    """No connection could be made (refused, unreachable, DNS)."""


class ConnectTimedOut(TimeoutError):
    """The connection was not established within the connect timeout."""


class TLSFailed(ConnectionError):
    """The TLS handshake failed, e.g. the certificate did not verify."""


class ReadTimedOut(TimeoutError):
    """The server sent nothing for longer than the read timeout."""


class ConnectionBroken(ConnectionError):
    """The connection closed, or the response was malformed, before the body was complete."""


class Connection(asyncio.Protocol):
    """One HTTP/1.1 connection and the response it is currently receiving."""

    def __init__(self, loop: asyncio.AbstractEventLoop, pool_key: tuple[str, str, int]) -> None:
        self._loop = loop
        self.pool_key = pool_key
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.last_activity = loop.time()
        self.reset()

    def reset(self) -> None:
        """Reset the per-response state, for a new connection or a reused one."""
        self._parser = httptools.HttpResponseParser(self)
        self.headers_received: asyncio.Future[None] = self._loop.create_future()
        self.status = 0
        self.headers: dict[str, str] = {}
        self.complete = False
        self.keep_alive = False
        self.requested = False
        self.received_any = False
        self._ends_at_close = False
        self._chunks: list[bytes] = []
        self._error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if not self.requested:
            # Bytes on an idle connection (e.g. a 408 before the server hangs up) would otherwise be
            # taken for the next request's response.
            self.abort()
            return
        self.last_activity = self._loop.time()
        self.received_any = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            self.fail(ConnectionBroken("The model service sent a malformed HTTP response."))
            self.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._ends_at_close and exc is None and self._error is None:
            # A body with neither Content-Length nor chunking ends when the server closes.
            self.complete = True
            self.keep_alive = False
            self._wake()
            return
        self.fail(ConnectionBroken("The connection to the model service closed mid-response."))

    # httptools callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        key, text = name.decode("latin-1"), value.decode("latin-1")
        self.headers[key] = f"{self.headers[key]}, {text}" if key in self.headers else text

    def on_headers_complete(self) -> None:
        self.status = self._parser.get_status_code()
        self.keep_alive = self._parser.should_keep_alive()
        framing = {name.lower() for name in self.headers} & {"content-length", "transfer-encoding"}
        self._ends_at_close = not framing
        if not self.headers_received.done():
            self.headers_received.set_result(None)

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)
        self._wake()

    def on_message_complete(self) -> None:
        self.complete = True
        self._wake()

    # the loop side

    def send(self, head: bytes, body: bytes) -> None:
        assert self.transport is not None
        self.requested = True
        self.last_activity = self._loop.time()
        self.transport.write(head + body)

    async def read(self) -> list[bytes]:
        """The body chunks received since the last call; [] once the body is complete. Raises on failure."""
        while not self._chunks:
            if self._error is not None:
                raise self._error
            if self.complete:
                return []
            self._waiter = self._loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        chunks, self._chunks = self._chunks, []
        return chunks

    async def read_all(self, limit: int) -> bytes:
        """The rest of the body, at most `limit` bytes."""
        body = bytearray()
        while chunks := await self.read():
            for chunk in chunks:
                body += chunk
            if len(body) > limit:
                raise ConnectionBroken("The model service sent an oversized error response.")
        return bytes(body)

    def fail(self, error: BaseException) -> None:
        """End the current response with `error` unless it is already complete."""
        if self.complete or self._error is not None:
            return
        self._error = error
        if not self.headers_received.done():
            self.headers_received.set_exception(error)
            self.headers_received.exception()  # retrieved: nobody may be waiting for it any more
        self._wake()

    def abort(self) -> None:
        """Drop the connection at once (the server sees the hang-up)."""
        self.closed = True
        if self.transport is not None:
            sock = self.transport.get_extra_info("socket")
            if sock is not None:
                # abort() only closes the socket on the next loop iteration: hang up now. uvloop's
                # transport sockets refuse shutdown(), so it goes through a duplicate descriptor.
                try:
                    with socket.socket(fileno=os.dup(sock.fileno())) as duplicate:
                        duplicate.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.transport.abort()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
