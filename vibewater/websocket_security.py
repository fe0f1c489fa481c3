"""The socket handshake's guards: a same-origin check (scheme, host and port), and a 403 for unrouted paths.

channels' AllowedHostsOriginValidator compares only an Origin's host with ALLOWED_HOSTS, so a page on
any port or scheme of an allowed host could open a trader's socket with the trader's cookies. Here an
Origin passes when it is the origin the handshake itself came to (its Host an allowed host, the same
port, http for ws and https for wss, a TLS-terminating proxy recognised by SECURE_PROXY_SSL_HEADER as
Django's HTTP side does), or one of CSRF_TRUSTED_ORIGINS, the origins a proxy in front serves.

channels' URLRouter raises for a path no route matches, which daphne turns into an HTTP 500 with a
traceback; `UNROUTED_PATHS` is a last route that refuses the handshake instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.urls import re_path

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}
#: Longest client-supplied value (a path, an Origin) written into a log line.
LOGGED_VALUE_CHARS = 200


@dataclass(frozen=True)
class Origin:
    """A web origin, its port filled in from the scheme; `host` may start with `*.` for any subdomain."""

    scheme: str
    host: str
    port: int

    @classmethod
    def parse(cls, value: str) -> Origin | None:
        """The origin `scheme://host[:port]` names, or None for anything else (`null`, a bad port)."""
        try:
            parts = urlsplit(value.strip().lower())
            port = parts.port
        except ValueError:
            return None
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            return None
        return cls(parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme])

    def admits(self, origin: Origin) -> bool:
        """Whether `origin` is this origin, or under this wildcard origin's domain."""
        if (origin.scheme, origin.port) != (self.scheme, self.port):
            return False
        if self.host.startswith("*."):
            domain = self.host[2:]
            return origin.host == domain or origin.host.endswith("." + domain)
        return origin.host == self.host


def handshake_origin(scope: Scope) -> Origin | None:
    """The origin the handshake was made to, as Django would see it for HTTP; None if its host is not allowed."""
    request = HttpRequest()
    server_name, server_port = scope.get("server") or ("unknown", 0)
    request.META = {"SERVER_NAME": server_name, "SERVER_PORT": str(server_port)}
    for name, value in scope.get("headers", []):
        header = name.decode("latin1")
        # An underscore would let `x_forwarded_proto` pose as the proxy's `x-forwarded-proto`.
        if "_" not in header:
            request.META["HTTP_" + header.upper().replace("-", "_")] = value.decode("latin1")
    try:
        host = request.get_host()  # checks ALLOWED_HOSTS, honours USE_X_FORWARDED_HOST
    except DisallowedHost:
        return None
    secure = scope.get("scheme") == "wss" or request.is_secure()  # is_secure: SECURE_PROXY_SSL_HEADER
    return Origin.parse(f"{'https' if secure else 'http'}://{host}")


def trusted_origins() -> list[Origin]:
    """CSRF_TRUSTED_ORIGINS, parsed: origins other than the handshake's own that may open sockets."""
    return [origin for value in settings.CSRF_TRUSTED_ORIGINS if (origin := Origin.parse(value))]


def header_value(scope: Scope, name: bytes) -> str | None:
    """The first value of the request header `name` (lower case), if it was sent."""
    return next((value.decode("latin1") for key, value in scope.get("headers", []) if key == name), None)


async def refuse_handshake(scope: Scope, receive: Receive, send: Send) -> None:
    """Close the socket before accepting it, which the server answers with HTTP 403."""
    if (await receive())["type"] == "websocket.connect":
        await send({"type": "websocket.close"})


class SameOriginValidator:
    """ASGI middleware: pass a handshake on only from its own origin or a trusted one, else refuse it."""

    def __init__(self, application: ASGIApp) -> None:
        self.application = application

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the application for an allowed origin; refuse the handshake for any other."""
        sent = header_value(scope, b"origin")
        origin = Origin.parse(sent) if sent is not None else None
        allowed = [own] if (own := handshake_origin(scope)) else []
        if origin is not None and any(candidate.admits(origin) for candidate in [*allowed, *trusted_origins()]):
            await self.application(scope, receive, send)
            return
        logger.info(
            "Refused a socket from origin %.*r to host %.*r",
            LOGGED_VALUE_CHARS, sent, LOGGED_VALUE_CHARS, header_value(scope, b"host"),
        )
        await refuse_handshake(scope, receive, send)


async def refuse_unrouted(scope: Scope, receive: Receive, send: Send) -> None:
    """Refuse a handshake to a path no socket route serves, with one log line and no traceback."""
    logger.info("Refused a socket to unrouted path %.*r", LOGGED_VALUE_CHARS, scope["path"])
    await refuse_handshake(scope, receive, send)


#: The last socket route: every path the routes before it did not match.
UNROUTED_PATHS = re_path(r"", refuse_unrouted)
