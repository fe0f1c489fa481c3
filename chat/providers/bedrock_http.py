"""Carries botocore's prepared Bedrock requests over pooled HTTP/1.1 connections on the event loop.

botocore still builds, signs and retries every request; this module only sends one and hands its
response body to the loop as it arrives. Each arrival costs one loop callback, with no thread
wake-up, lock or timer per event: with hundreds of replies streaming, that per-arrival overhead is
what bounds a worker (docs/benchmarks.md, round 5). httptools (llhttp, in C) parses the responses,
chunked transfer encoding included; one watchdog per loop enforces the read timeout.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import httptools

#: How long an idle keep-alive connection may wait for its next request before it is dropped.
IDLE_SECONDS = 30.0
#: The most an error response body may be: anything longer is not a Bedrock error document.
MAX_ERROR_BODY = 1 << 20
_DEFAULT_PORTS = {"http": 80, "https": 443}


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


class LoopHTTP:
    """Keep-alive connections per origin on one event loop, and the read-timeout watchdog for them."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        connect_timeout: float,
        read_timeout: float,
        max_idle: int,
        tls_context: Callable[[], ssl.SSLContext],
    ) -> None:
        self._loop = loop
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._max_idle = max_idle
        self._tls_context = tls_context
        self._idle: dict[tuple[str, str, int], list[tuple[float, Connection]]] = {}
        self._busy: set[Connection] = set()
        self._watchdog: asyncio.TimerHandle | None = None
        self._closed = False

    async def request(self, method: str, url: str, headers: Mapping[str, str | bytes], body: bytes) -> Connection:
        """Send a request; return its connection once the response headers are in."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port or _DEFAULT_PORTS.get(scheme, 80)
        key = (scheme, parts.hostname or "", port)
        head = _request_head(method, parts, headers, len(body))
        connection = self._take_idle(key)
        if connection is not None:
            try:
                return await self._exchange(connection, head, body)
            except ConnectionBroken:
                if connection.received_any or self._closed:
                    raise
                # The server closed the idle connection as we reused it: try once on a fresh one.
        return await self._exchange(await self._connect(key), head, body)

    def release(self, connection: Connection) -> None:
        """Return a finished connection to the pool, or drop it if its response was not read to the end."""
        self._busy.discard(connection)
        idle = self._idle.setdefault(connection.pool_key, [])
        if (not connection.complete or not connection.keep_alive or connection.closed
                or len(idle) >= self._max_idle):
            connection.abort()
            return
        connection.reset()
        idle.append((self._loop.time(), connection))

    def close(self) -> None:
        """Drop every connection, busy or idle, and refuse new requests."""
        self._closed = True
        for connection in [*self._busy, *(c for idle in self._idle.values() for _, c in idle)]:
            connection.fail(ConnectionBroken("The model service connection was closed."))
            connection.abort()
        self._busy.clear()
        self._idle.clear()
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    async def _exchange(self, connection: Connection, head: bytes, body: bytes) -> Connection:
        if self._closed:
            connection.abort()
            raise ConnectionBroken("The model service connection was closed.")
        self._busy.add(connection)
        self._arm_watchdog()
        try:
            connection.send(head, body)
            await connection.headers_received
        except BaseException:
            self._busy.discard(connection)
            connection.abort()
            raise
        return connection

    def _take_idle(self, key: tuple[str, str, int]) -> Connection | None:
        idle = self._idle.get(key)
        now = self._loop.time()
        while idle:
            since, connection = idle.pop()
            if not connection.closed and now - since < IDLE_SECONDS:
                return connection
            connection.abort()
        return None

    async def _connect(self, key: tuple[str, str, int]) -> Connection:
        scheme, host, port = key
        tls = self._tls_context() if scheme == "https" else None
        try:
            async with asyncio.timeout(self._connect_timeout):
                _, connection = await self._loop.create_connection(
                    lambda: Connection(self._loop, key), host, port, ssl=tls, server_hostname=host if tls else None
                )
        except TimeoutError as exc:
            raise ConnectTimedOut(f"Could not connect to {host}:{port} in time.") from exc
        except ssl.SSLError as exc:
            raise TLSFailed(f"TLS with {host}:{port} failed: {exc.reason or exc}") from exc
        except OSError as exc:
            raise ConnectFailed(f"Could not connect to {host}:{port}: {exc.strerror or exc}") from exc
        return connection

    def _arm_watchdog(self) -> None:
        if self._watchdog is None:
            self._watchdog = self._loop.call_later(min(1.0, self._read_timeout / 4), self._check_stalls)

    def _check_stalls(self) -> None:
        """Fail responses that have been silent past the read timeout; re-arm while any are busy."""
        self._watchdog = None
        now = self._loop.time()
        for connection in list(self._busy):
            if connection.complete:
                continue
            if now - connection.last_activity > self._read_timeout:
                connection.fail(ReadTimedOut(f"No data from the model service for {self._read_timeout:g} s."))
                self._busy.discard(connection)
                connection.abort()
        if self._busy:
            self._arm_watchdog()


def _request_head(method: str, parts, headers: Mapping[str, str | bytes], body_length: int) -> bytes:
    """The request line and headers, with the Host header botocore signed."""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{parts.port}"
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    names = set()
    for name, value in headers.items():
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
            raise ValueError(f"Refusing to send header {name!r}: it contains a line break.")
        if name.lower() == "host":
            continue
        names.add(name.lower())
        lines.append(f"{name}: {value}")
    if "content-length" not in names and "transfer-encoding" not in names:
        lines.append(f"Content-Length: {body_length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
