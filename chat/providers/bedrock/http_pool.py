"""Carries botocore's prepared Bedrock requests over pooled keep-alive connections on the event loop.

botocore still builds, signs and retries every request; this module only sends one and hands its
connection back once the response headers are in, so the loop reads the body as it arrives. One
watchdog per loop enforces the read timeout.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from chat.providers.bedrock.http_connection import (
    ConnectFailed,
    Connection,
    ConnectionBroken,
    ConnectTimedOut,
    ReadTimedOut,
    TLSFailed,
)

#: How long an idle keep-alive connection may wait for its next request before it is dropped.
IDLE_SECONDS = 30.0
_DEFAULT_PORTS = {"http": 80, "https": 443}


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
