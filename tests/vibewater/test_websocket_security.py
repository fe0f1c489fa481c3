"""The socket handshake's guards through the full ASGI stack: same origin (scheme, host and port) or a
trusted one, and a refusal, not a crash, for paths no socket route serves."""

from __future__ import annotations

import logging

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings

from vibewater.websocket_security import Origin


def handshake(
    *, origin: str | None, host: str, session: str, path: str = "/ws/chat/", scheme: str = "ws",
    extra: tuple[tuple[bytes, bytes], ...] = (),
) -> WebsocketCommunicator:
    """A logged-in socket to the full stack, made to `host` over `scheme` from a page at `origin`."""
    from vibewater.asgi import application

    headers = [(b"host", host.encode()), (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode()), *extra]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    comm = WebsocketCommunicator(application, path, headers=headers)
    comm.scope["scheme"] = scheme
    return comm


async def accepted(comm: WebsocketCommunicator) -> bool:
    """Whether the handshake was accepted (a refused one is daphne's HTTP 403); the socket is closed after."""
    connected, _ = await comm.connect()
    if connected:
        await comm.disconnect()
    return connected


@pytest.mark.parametrize(
    ("scheme", "host", "origin"),
    [
        ("ws", "localhost:8000", "http://localhost:8000"),
        ("ws", "localhost", "http://localhost:80"),
        ("wss", "127.0.0.1", "https://127.0.0.1"),
        ("ws", "LOCALHOST:8000", "http://localhost:8000"),
    ],
)
async def test_a_socket_from_the_page_s_own_origin_is_accepted(alice_session, scheme, host, origin):
    assert await accepted(handshake(origin=origin, host=host, scheme=scheme, session=alice_session))


@pytest.mark.parametrize(
    ("scheme", "host", "origin"),
    [
        ("ws", "localhost:8000", "http://localhost:5173"),  # another port of an allowed host
        ("ws", "localhost:8000", "http://localhost"),
        ("ws", "localhost", "https://localhost"),  # another scheme
        ("wss", "localhost", "http://localhost:443"),
        ("ws", "evil.example", "http://evil.example"),  # a host that is not allowed (DNS rebinding)
        ("ws", "localhost", "null"),
        ("ws", "localhost", "http://localhost:notaport"),
        ("ws", "localhost", None),
    ],
)
async def test_a_socket_from_another_origin_is_refused(alice_session, scheme, host, origin):
    assert not await accepted(handshake(origin=origin, host=host, scheme=scheme, session=alice_session))


async def test_a_trusted_origin_may_open_sockets_to_any_allowed_host(alice_session, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://vibe.example.com", "https://*.example.org"]

    for origin in ("https://vibe.example.com", "https://app.example.org"):
        assert await accepted(handshake(origin=origin, host="localhost:8000", session=alice_session))
    for origin in ("http://vibe.example.com", "https://vibe.example.com:8443", "https://example.org.evil.example"):
        assert not await accepted(handshake(origin=origin, host="localhost:8000", session=alice_session))


async def test_behind_a_tls_proxy_the_https_page_is_accepted_only_when_the_proxy_header_is_trusted(
    alice_session, settings
):
    forwarded = ((b"x-forwarded-proto", b"https"),)
    behind_proxy = {"origin": "https://localhost", "host": "localhost", "extra": forwarded, "session": alice_session}

    assert not await accepted(handshake(**behind_proxy))  # any client may send the header
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert await accepted(handshake(**behind_proxy))
    spoofed = ((b"x_forwarded_proto", b"https"),)  # an underscore must not pass for the proxy's header
    assert not await accepted(handshake(**{**behind_proxy, "extra": spoofed}))


@pytest.mark.parametrize("path", ["/ws/nothing/", "/ws/chat/not-a-uuid/", "/", "/ws/chat/" + "x" * 5000])
async def test_a_socket_to_an_unrouted_path_is_refused_with_one_log_line(alice_session, caplog, path):
    caplog.set_level(logging.DEBUG)

    comm = handshake(origin="http://localhost", host="localhost", path=path, session=alice_session)

    assert not await accepted(comm)
    lines = [record for record in caplog.records if "unrouted path" in record.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.INFO
    assert len(lines[0].getMessage()) < 300 and not any(record.exc_info for record in caplog.records)


def test_origins_compare_scheme_host_and_port_with_the_scheme_s_default_port():
    assert Origin.parse("HTTPS://Vibe.Example.com") == Origin("https", "vibe.example.com", 443)
    assert Origin.parse("http://[::1]:8000") == Origin("http", "::1", 8000)
    assert Origin.parse("ftp://vibe.example.com") is None
    wildcard = Origin.parse("https://*.example.com")
    for host, admitted in (("a.b.example.com", True), ("example.com", True), ("badexample.com", False)):
        assert wildcard.admits(Origin("https", host, 443)) is admitted, host
    assert not wildcard.admits(Origin("http", "a.example.com", 80))
