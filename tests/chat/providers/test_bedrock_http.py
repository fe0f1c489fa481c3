"""The loop's HTTP/1.1 client for Bedrock (http_pool, http_connection) and BedrockProvider's use of it, over real sockets."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from urllib.parse import urlsplit

import pytest

from chat.providers.base import ProviderError, StreamOutcome
from chat.providers.bedrock import BedrockProvider, http_connection
from chat.providers.bedrock.http_connection import (
    Connection,
    ConnectFailed,
    ConnectionBroken,
    ReadTimedOut,
    TLSFailed,
)
from chat.providers.bedrock.http_pool import LoopHTTP, _request_head
# clean_aws_env is autouse: every test here runs with boto3 isolated from the machine's AWS setup.
from tests.chat.providers.test_bedrock_provider import MODEL_ID, TOKEN, clean_aws_env, collect  # noqa: F401
from tests.chat.providers.test_bedrock_provider import request as reply_request
from tests.fakes.bedrock import FakeBedrock, Script, _write_self_signed_cert

HELLO = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
CHUNKED_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.amazon.eventstream\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)
END = b"0\r\n\r\n"


def chunk(data: bytes) -> bytes:
    """One HTTP/1.1 chunk."""
    return b"%x\r\n%s\r\n" % (len(data), data)


# A raw HTTP/1.1 server on the test's own loop ------------------------------------------------------


class Peer:
    """The server's side of one accepted connection."""

    def __init__(self, server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.number = server.connections  # 1 for the first connection accepted, 2 for the next...

    async def read_request(self) -> bytes | None:
        """The next request (head and Content-Length body) as raw bytes; None once the client hung up."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        raw = head + (await self.reader.readexactly(length) if length else b"")
        self.server.requests.append(raw)
        return raw

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def until_hangup(self) -> None:
        """Wait for the client to close the connection, and count it."""
        try:
            while await self.reader.read(65536):
                pass
        except ConnectionError:
            pass
        self.server.hangups += 1


Handler = Callable[[Peer], Awaitable[None]]


class RawServer:
    """Counts connections and records raw requests; `handler` plays each connection."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.port = 0
        self.connections = 0
        self.hangups = 0
        self.requests: list[bytes] = []
        self.tasks: set[asyncio.Task[None]] = set()

    def url(self, path: str = "/model/m/converse-stream") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            await self.handler(Peer(self, reader, writer))
        except (asyncio.CancelledError, ConnectionError, asyncio.IncompleteReadError):
            pass  # the test is over, or the client hung up
        finally:
            writer.close()
            self.tasks.discard(task)


@contextlib.asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[RawServer]:
    """Run a RawServer on 127.0.0.1 for the duration of the block."""
    server = RawServer(handler)
    listener = await asyncio.start_server(server.accept, "127.0.0.1", 0)
    server.port = listener.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listener.close()
        tasks = list(server.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await listener.wait_closed()


def answer_each(response: bytes) -> Handler:
    """A handler that answers every request on its connection with `response` (keep-alive)."""

    async def handler(peer: Peer) -> None:
        while await peer.read_request() is not None:
            await peer.send(response)
        peer.server.hangups += 1

    return handler


async def eventually(condition: Callable[[], bool], timeout: float = 2.0) -> bool:
    """Poll `condition` on the loop until it holds or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.01)
    return condition()


async def body_of(connection: Connection) -> bytes:
    """Read the response body to its end."""
    return await connection.read_all(http_connection.MAX_ERROR_BODY)


async def fetch(http: LoopHTTP, url: str, body: bytes = b"") -> tuple[int, bytes]:
    """One whole exchange: send, read the response to its end, give the connection back to the pool."""
    connection = await http.request("POST", url, {}, body)
    try:
        return connection.status, await body_of(connection)
    finally:
        http.release(connection)


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def make_http() -> AsyncIterator[Callable[..., LoopHTTP]]:
    """Build LoopHTTP clients on the test's loop (short timeouts); all are closed afterwards."""
    clients: list[LoopHTTP] = []

    def make(**overrides: object) -> LoopHTTP:
        options: dict[str, object] = {
            "connect_timeout": 2.0, "read_timeout": 2.0, "max_idle": 4, "tls_context": ssl.create_default_context,
        }
        client = LoopHTTP(asyncio.get_running_loop(), **(options | overrides))  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


# Keep-alive and the idle pool ----------------------------------------------------------------------


async def test_consecutive_requests_reuse_one_connection(make_http: Callable[..., LoopHTTP]) -> None:
    http = make_http()
    chunked = CHUNKED_HEAD + chunk(b"abc") + chunk(b"def") + END
    responses = iter([chunked, HELLO, HELLO])

    async def handler(peer: Peer) -> None:
        while await peer.read_request() is not None:
            await peer.send(next(responses))

    async with serve(handler) as server:
        bodies = [await fetch(http, server.url(), b"{}") for _ in range(3)]

    assert bodies == [(200, b"abcdef"), (200, b"hello"), (200, b"hello")]
    assert len(server.requests) == 3
    assert server.connections == 1


async def test_response_released_before_its_end_hangs_up_and_is_not_reused(
    make_http: Callable[..., LoopHTTP],
) -> None:
    http = make_http()

    async def handler(peer: Peer) -> None:
        await peer.read_request()
        if peer.number == 1:
            await peer.send(CHUNKED_HEAD + chunk(b"first part"))  # ...and never the rest
            await peer.until_hangup()
        else:
            await peer.send(HELLO)
            await peer.until_hangup()

    async with serve(handler) as server:
        connection = await http.request("POST", server.url(), {}, b"{}")
        assert await connection.read() == [b"first part"]
        http.release(connection)
        assert await eventually(lambda: server.hangups == 1)

        again = await http.request("POST", server.url(), {}, b"{}")
        assert await body_of(again) == b"hello"

    assert server.connections == 2


async def test_idle_pool_keeps_at_most_max_idle_connections(make_http: Callable[..., LoopHTTP]) -> None:
    http = make_http(max_idle=1)
    async with serve(answer_each(HELLO)) as server:
        for _ in range(2):
            first, second = await asyncio.gather(*(http.request("POST", server.url(), {}, b"") for _ in range(2)))
            assert [await body_of(first), await body_of(second)] == [b"hello", b"hello"]
            http.release(first)
            http.release(second)
        # Round one opened two connections and pooled one; round two reused it and opened one more.
        assert server.connections == 3
        assert await eventually(lambda: server.hangups == 2)  # the surplus connections were dropped


async def test_idle_connection_closed_by_the_server_is_replaced(make_http: Callable[..., LoopHTTP]) -> None:
    http = make_http()

    async def handler(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(HELLO)  # keep-alive response (no "Connection: close")... then hang up anyway

    async with serve(handler) as server:
        assert await fetch(http, server.url()) == (200, b"hello")
        await asyncio.sleep(0.05)  # the close reaches the pooled connection

        again = await http.request("POST", server.url(), {}, b"")
        assert (again.status, await body_of(again)) == (200, b"hello")

    assert server.connections == 2


async def test_reused_connection_closed_as_the_request_arrives_is_resent_on_a_fresh_one(
    make_http: Callable[..., LoopHTTP],
) -> None:
    http = make_http()

    async def handler(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(HELLO)
        if peer.number == 1:
            await peer.read_request()  # the server's idle timer fires just as this one arrives
            return  # closes, unanswered
        await peer.until_hangup()

    async with serve(handler) as server:
        assert await fetch(http, server.url(), b'{"n": 1}') == (200, b"hello")

        again = await http.request("POST", server.url(), {}, b'{"n": 2}')
        assert (again.status, await body_of(again)) == (200, b"hello")

    assert server.connections == 2
    assert [raw.endswith(b'{"n": 2}') for raw in server.requests] == [False, True, True]


async def test_reused_connection_that_breaks_mid_response_is_not_resent(
    make_http: Callable[..., LoopHTTP],
) -> None:
    http = make_http()

    async def handler(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(HELLO)
        await peer.read_request()
        await peer.send(b"HTTP/1.1 200 OK\r\nContent-Le")  # the server answered, then died

    async with serve(handler) as server:
        assert await fetch(http, server.url()) == (200, b"hello")

        with pytest.raises(ConnectionBroken):
            await http.request("POST", server.url(), {}, b"")

    assert server.connections == 1  # a request the server may have acted on is not sent twice
    assert len(server.requests) == 2


# Read timeout --------------------------------------------------------------------------------------


async def test_no_response_headers_within_the_read_timeout(make_http: Callable[..., LoopHTTP]) -> None:
    http = make_http(read_timeout=0.3)

    async def handler(peer: Peer) -> None:
        await peer.read_request()
        await peer.until_hangup()  # never answers

    async with serve(handler) as server:
        started = time.monotonic()
        with pytest.raises(ReadTimedOut):
            await http.request("POST", server.url(), {}, b"{}")
        elapsed = time.monotonic() - started
        assert await eventually(lambda: server.hangups == 1, timeout=1)  # the request was hung up on

    assert 0.3 <= elapsed < 1.0


async def test_stall_mid_body_delivers_what_arrived_then_times_out(make_http: Callable[..., LoopHTTP]) -> None:
    http = make_http(read_timeout=0.3)

    async def handler(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(CHUNKED_HEAD + chunk(b"abc") + chunk(b"def"))
        await peer.until_hangup()  # the rest never comes

    async with serve(handler) as server:
        connection = await http.request("POST", server.url(), {}, b"{}")
        received = b""
        started = time.monotonic()
        with pytest.raises(ReadTimedOut):
            while True:
                chunks = await connection.read()
                assert chunks, "the body must not look complete"
                received += b"".join(chunks)
        elapsed = time.monotonic() - started
        http.release(connection)
        assert await eventually(lambda: server.hangups == 1, timeout=1)

    assert received == b"abcdef"
    assert 0.25 <= elapsed < 1.0


async def test_read_timeout_counts_silence_not_the_whole_response(make_http: Callable[..., LoopHTTP]) -> None:
    http = make_http(read_timeout=0.4)
    pieces = [b"piece-%d;" % n for n in range(8)]

    async def handler(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(CHUNKED_HEAD)
        for piece in pieces:  # 0.8 s in all, never silent for more than 0.1 s
            await asyncio.sleep(0.1)
            await peer.send(chunk(piece))
        await peer.send(END)
        await peer.until_hangup()

    async with serve(handler) as server:
        connection = await http.request("POST", server.url(), {}, b"{}")
        assert await body_of(connection) == b"".join(pieces)


# Malformed and failed responses --------------------------------------------------------------------


async def test_response_arriving_in_tiny_pieces_is_reassembled(make_http: Callable[..., LoopHTTP]) -> None:
    http = make_http()
    response = (
        b"HTTP/1.1 200 OK\r\nx-amzn-RequestId: 1234-abcd\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunk(b"event one") + chunk(b"event two") + END
    )

    async def handler(peer: Peer) -> None:
        await peer.read_request()
        for start in range(0, len(response), 7):
            await peer.send(response[start:start + 7])
            await asyncio.sleep(0.002)
        await peer.until_hangup()

    async with serve(handler) as server:
        connection = await http.request("POST", server.url(), {}, b"{}")
        assert connection.status == 200
        assert connection.headers["x-amzn-RequestId"] == "1234-abcd"
        assert await body_of(connection) == b"event oneevent two"


@pytest.mark.parametrize("garbage", [b"SSH-2.0-OpenSSH_9.6\r\n\r\n", b"HTTP/1.1 2OO OK\r\n\r\n"])
async def test_garbage_instead_of_a_status_line_is_a_broken_connection(
    make_http: Callable[..., LoopHTTP], garbage: bytes
) -> None:
    http = make_http()

    async def handler(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(garbage)
        await peer.until_hangup()

    async with serve(handler) as server:
        with pytest.raises(ConnectionBroken, match="malformed"):
            await http.request("POST", server.url(), {}, b"{}")
        assert await eventually(lambda: server.hangups == 1, timeout=1)


async def test_malformed_chunked_body_is_a_broken_connection(make_http: Callable[..., LoopHTTP]) -> None:
    http = make_http()

    async def handler(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(CHUNKED_HEAD + chunk(b"fine") + b"zz\r\nnot a chunk\r\n")
        await peer.until_hangup()

    async with serve(handler) as server:
        connection = await http.request("POST", server.url(), {}, b"{}")
        with pytest.raises(ConnectionBroken, match="malformed"):
            assert await connection.read() == [b"fine"]
            await connection.read()


async def test_connection_refused_is_connect_failed(make_http: Callable[..., LoopHTTP]) -> None:
    port = closed_port()

    with pytest.raises(ConnectFailed, match=f"127.0.0.1:{port}"):
        await make_http().request("POST", f"http://127.0.0.1:{port}/model/m/converse-stream", {}, b"{}")


async def test_error_body_over_the_limit_is_refused_without_reading_it_all(
    make_http: Callable[..., LoopHTTP],
) -> None:
    http = make_http()
    document = b'{"message": "Too many requests, please wait before trying again."}'

    async def handler(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(b"HTTP/1.1 429 Too Many Requests\r\nContent-Length: %d\r\n\r\n%s" % (len(document), document))
        await peer.read_request()
        # An endless "error" body: the client must give up, not buffer it all.
        await peer.send(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 100000000\r\n\r\n")
        try:
            while not peer.reader.at_eof():
                await peer.send(b"x" * 4096)
                await asyncio.sleep(0.001)
        except ConnectionError:
            pass
        peer.server.hangups += 1

    async with serve(handler) as server:
        connection = await http.request("POST", server.url(), {}, b"{}")
        assert await connection.read_all(len(document)) == document  # exactly at the limit is fine
        http.release(connection)

        connection = await http.request("POST", server.url(), {}, b"{}")
        with pytest.raises(ConnectionBroken, match="oversized"):
            await asyncio.wait_for(connection.read_all(16 * 1024), 2)
        http.release(connection)
        assert await eventually(lambda: server.hangups == 1, timeout=1)

    assert server.connections == 1


async def test_oversized_error_document_through_the_provider_is_a_connection_error(
    bedrock: FakeBedrock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_connection, "MAX_ERROR_BODY", 16)  # the fake's 429 document is ~40 bytes
    bedrock.push(*[Script(fail_before=429)] * 3)
    provider = BedrockProvider(model_id=MODEL_ID, region=None, read_timeout=5)
    try:
        deltas, _, error = await collect(provider)
    finally:
        provider.close()

    assert deltas == []
    assert error is not None and error.code == "connection"  # not parsed as "throttled"
    assert len(bedrock.requests) == 3


# The request head on the wire ----------------------------------------------------------------------


def header_lines(raw: bytes) -> list[str]:
    return raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")


async def test_request_head_and_body_on_the_wire(make_http: Callable[..., LoopHTTP]) -> None:
    http = make_http()
    body = b'{"messages": []}'
    headers = {
        "X-Amz-Date": b"20250101T000000Z",  # botocore hands some values over as bytes
        "Content-Type": "application/json",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bedrock/aws4_request",
        "host": "not-the-endpoint.example",
    }

    async with serve(answer_each(HELLO)) as server:
        connection = await http.request("POST", server.url("/model/us.anthropic.claude%3A0/converse-stream?a=1"),
                                        headers, body)
        await body_of(connection)

    (raw,) = server.requests
    lines = header_lines(raw)
    assert lines[0] == "POST /model/us.anthropic.claude%3A0/converse-stream?a=1 HTTP/1.1"
    assert [line for line in lines if line.lower().startswith("host:")] == [f"Host: 127.0.0.1:{server.port}"]
    assert "X-Amz-Date: 20250101T000000Z" in lines
    assert headers["Authorization"] in {line.partition(": ")[2] for line in lines}
    assert [line for line in lines if line.lower().startswith("content-length:")] == [f"Content-Length: {len(body)}"]
    assert raw.endswith(b"\r\n\r\n" + body)


async def test_content_length_given_by_botocore_is_not_repeated(make_http: Callable[..., LoopHTTP]) -> None:
    http = make_http()
    async with serve(answer_each(HELLO)) as server:
        connection = await http.request("POST", server.url(), {"content-length": "2"}, b"{}")
        await body_of(connection)

    assert [line for line in header_lines(server.requests[0]) if line.lower().startswith("content-length")] == [
        "content-length: 2"
    ]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://localhost/x", "localhost"),
        ("http://localhost:80/x", "localhost"),
        ("http://localhost:8080/x", "localhost:8080"),
    ],
)
async def test_host_header_leaves_out_the_default_port_only(
    make_http: Callable[..., LoopHTTP], monkeypatch: pytest.MonkeyPatch, url: str, host: str
) -> None:
    http = make_http()
    loop = asyncio.get_running_loop()
    connect = loop.create_connection

    async with serve(answer_each(HELLO)) as server:
        async def to_test_server(factory, _host, _port, **kwargs):  # type: ignore[no-untyped-def]
            return await connect(factory, "127.0.0.1", server.port, **kwargs)

        monkeypatch.setattr(loop, "create_connection", to_test_server)
        connection = await http.request("POST", url, {}, b"")
        await body_of(connection)

    assert [line for line in header_lines(server.requests[0]) if line.startswith("Host:")] == [f"Host: {host}"]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse-stream",
         "bedrock-runtime.us-east-1.amazonaws.com"),
        ("https://bedrock-runtime.us-east-1.amazonaws.com:443/model/m/converse-stream",
         "bedrock-runtime.us-east-1.amazonaws.com"),
        ("https://vpce.example:8443/model/m/converse-stream", "vpce.example:8443"),
        ("http://[::1]:8080/model/m/converse-stream", "[::1]:8080"),
    ],
)
def test_host_header_for_https_and_ipv6_endpoints(url: str, host: str) -> None:
    head = _request_head("POST", urlsplit(url), {}, 0)

    assert head.split(b"\r\n")[1] == f"Host: {host}".encode()


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Amz-Target": "a\r\nX-Injected: yes"},
        {"X-Amz-Target": b"a\nX-Injected: yes"},
        {"X-Injected: yes\r\nX-Amz-Target": "a"},
    ],
)
async def test_header_with_a_line_break_is_refused_before_sending(
    make_http: Callable[..., LoopHTTP], headers: dict[str, str | bytes]
) -> None:
    http = make_http()
    async with serve(answer_each(HELLO)) as server:
        await fetch(http, server.url())  # leaves its connection in the pool

        with pytest.raises(ValueError, match="line break"):
            await http.request("POST", server.url(), headers, b"")

        connection = await http.request("POST", server.url(), {}, b"")  # the pooled connection still works
        assert await body_of(connection) == b"hello"

    assert len(server.requests) == 2
    assert not any(b"Injected" in raw for raw in server.requests)
    assert server.connections == 1


# TLS ------------------------------------------------------------------------------------------------


async def test_untrusted_certificate_is_tls_failed(make_http: Callable[..., LoopHTTP]) -> None:
    with FakeBedrock(tls=True) as fake:
        url = f"{fake.url}/model/m/converse-stream"
        with pytest.raises(TLSFailed):
            await make_http().request("POST", url, {}, b"{}")
        assert fake.requests == []

        # The same server once its certificate is trusted: the failure above was verification.
        trusted = make_http(tls_context=lambda: ssl.create_default_context(cafile=fake.ca_bundle))
        connection = await trusted.request("POST", url, {}, b"{}")
        assert connection.status == 200
        assert await body_of(connection)
        assert len(fake.requests) == 1


@pytest.mark.parametrize("ca_bundle", ["unset", "another CA"])
async def test_provider_reports_untrusted_endpoint_as_tls_and_never_sends_the_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object, ca_bundle: str
) -> None:
    with FakeBedrock(tls=True) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.url)
        monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", TOKEN)
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        if ca_bundle == "another CA":
            other_ca, _ = _write_self_signed_cert(str(tmp_path))
            monkeypatch.setenv("AWS_CA_BUNDLE", other_ca)
        provider = BedrockProvider(model_id=MODEL_ID, region=None, read_timeout=5)
        try:
            deltas, _, error = await collect(provider)
        finally:
            provider.close()

        assert deltas == []
        assert error is not None and error.code == "tls"
        assert error.message == (
            "Could not establish a secure connection to the model service. "
            "An administrator needs to check the server's AWS settings."
        )
        assert fake.requests == []  # the bearer token never went to an unverified server


async def test_unreadable_ca_bundle_is_reported_as_a_configuration_problem(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeBedrock(tls=True) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.url)
        monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", TOKEN)
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        missing = f"{tmp_path}/no-such-bundle.pem"
        monkeypatch.setenv("AWS_CA_BUNDLE", missing)
        provider = BedrockProvider(model_id=MODEL_ID, region=None, read_timeout=5)
        try:
            _, _, error = await collect(provider)
        finally:
            provider.close()

    assert error is not None and error.code == "misconfigured"
    assert "administrator" in error.message and "try again" not in error.message
    assert missing in caplog.text  # the operator's log names the file
    assert fake.requests == []


# BedrockProvider on top of it -----------------------------------------------------------------------


def use_sigv4(env: pytest.MonkeyPatch, endpoint: str) -> None:
    env.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", endpoint)
    env.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    env.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    env.setenv("AWS_REGION", "us-east-1")


@pytest.fixture
def bedrock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBedrock]:
    """A plain-HTTP fake Bedrock reached with dummy SigV4 keys."""
    with FakeBedrock() as server:
        use_sigv4(monkeypatch, server.url)
        yield server


async def test_replies_beyond_max_concurrency_wait_their_turn_in_order(bedrock: FakeBedrock) -> None:
    bedrock.default_script = Script(text="0123456789" * 2, chunk_chars=5, delay_s=0.03)
    provider = BedrockProvider(model_id=MODEL_ID, region=None, max_concurrency=1)
    arrivals: list[str] = []

    async def reply(name: str) -> tuple[str, ProviderError | None]:
        text = ""
        try:
            async for delta in provider.stream(reply_request(name), StreamOutcome()):
                arrivals.append(name)
                text += delta
        except ProviderError as error:
            return text, error
        return text, None

    try:
        results = await asyncio.gather(reply("A"), reply("B"), reply("C"))
    finally:
        provider.close()

    assert results == [("0123456789" * 2, None)] * 3
    # Each reply streamed alone, in the order they were started: no interleaving.
    assert [name for n, name in enumerate(arrivals) if n == 0 or arrivals[n - 1] != name] == ["A", "B", "C"]
    assert [sent.last_user_text() for sent in bedrock.requests] == ["A", "B", "C"]


async def test_connection_refused_through_the_provider_is_a_connection_error(monkeypatch: pytest.MonkeyPatch) -> None:
    use_sigv4(monkeypatch, f"http://127.0.0.1:{closed_port()}")
    provider = BedrockProvider(model_id=MODEL_ID, region=None, read_timeout=5)
    started = time.monotonic()
    try:
        deltas, _, error = await collect(provider)
    finally:
        provider.close()

    assert deltas == []
    assert error is not None and error.code == "connection"
    assert error.message.startswith("Could not reach the model service")
    assert time.monotonic() - started < 3


# Shutdown and the reply queue -----------------------------------------------------------------------


async def test_close_ends_a_request_in_flight_on_a_reused_connection_without_resending_it(
    make_http: Callable[..., LoopHTTP],
) -> None:
    http = make_http()

    async def handler(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(HELLO)
        if peer.number == 1:
            await peer.read_request()
            await peer.until_hangup()  # thinking... until the client goes away
        await peer.until_hangup()

    async with serve(handler) as server:
        await fetch(http, server.url())
        pending = asyncio.ensure_future(http.request("POST", server.url(), {}, b""))
        assert await eventually(lambda: len(server.requests) == 2)

        http.close()
        try:
            result: Connection | ConnectionBroken = await asyncio.wait_for(pending, 2)
        except ConnectionBroken as error:
            result = error
        await asyncio.sleep(0.05)

        assert isinstance(result, ConnectionBroken)
        assert (server.connections, len(server.requests)) == (1, 2)


async def test_reply_cancelled_as_its_turn_comes_does_not_block_the_queue(bedrock: FakeBedrock) -> None:
    bedrock.default_script = Script(text="k" * 20, chunk_chars=5, delay_s=0.01)
    provider = BedrockProvider(model_id=MODEL_ID, region=None, max_concurrency=1)
    try:
        first = provider.stream(reply_request("A"), StreamOutcome())
        await anext(first)  # A holds the only slot
        second = asyncio.ensure_future(collect(provider, reply_request("B")))
        third = asyncio.ensure_future(collect(provider, reply_request("C")))
        await asyncio.sleep(0.05)  # B and C queue
        async for _ in first:
            pass  # A ends: the slot goes to B...
        second.cancel()  # ...whose trader leaves before B runs
        deltas, _, error = await asyncio.wait_for(third, 1.5)
    finally:
        provider.close()

    assert error is None and "".join(deltas) == "k" * 20


async def test_two_slots_freed_together_admit_two_queued_replies(bedrock: FakeBedrock) -> None:
    quick = Script(text="q" * 10, chunk_chars=5)
    slow = Script(text="s" * 30, chunk_chars=5, delay_s=0.1)  # about 0.5 s
    bedrock.responder = lambda sent: quick if sent.last_user_text() in ("A", "B") else slow
    provider = BedrockProvider(model_id=MODEL_ID, region=None, max_concurrency=2)
    times: dict[str, list[float]] = {"C": [], "D": []}

    async def timed(name: str) -> ProviderError | None:
        try:
            async for _ in provider.stream(reply_request(name), StreamOutcome()):
                times[name].append(time.monotonic())
        except ProviderError as error:
            return error
        return None

    try:
        running = [provider.stream(reply_request(name), StreamOutcome()) for name in ("A", "B")]
        for stream in running:
            await anext(stream)
        queued = asyncio.gather(timed("C"), timed("D"))
        assert await eventually(lambda: sum(sent.completed.is_set() for sent in bedrock.requests) == 2)
        await asyncio.sleep(0.05)  # A's and B's bodies are fully buffered: both end in one step
        for stream in running:
            async for _ in stream:
                pass
        assert await asyncio.wait_for(queued, 3) == [None, None]
    finally:
        provider.close()

    assert times["D"][0] < times["C"][-1]  # D ran beside C, not after it


async def test_cancelling_a_reply_before_the_response_headers_hangs_up_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def handler(peer: Peer) -> None:
        await peer.read_request()
        await peer.until_hangup()  # never answers: the model is "thinking"

    async with serve(handler) as server:
        use_sigv4(monkeypatch, f"http://127.0.0.1:{server.port}")
        provider = BedrockProvider(model_id=MODEL_ID, region=None, read_timeout=30, max_concurrency=1)
        try:
            waiting = asyncio.ensure_future(collect(provider))
            assert await eventually(lambda: len(server.requests) == 1)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting

            assert await eventually(lambda: server.hangups == 1, timeout=1)  # far below read_timeout
            assert await eventually(lambda: provider.active_streams == 0, timeout=1)
            # The slot is free again once the worker thread is out of botocore: the next reply runs.
            server.handler = answer_each(CHUNKED_HEAD + END)
            _, _, error = await asyncio.wait_for(collect(provider), 5)
            assert error is not None and error.code == "incomplete"  # an empty body, but it ran
        finally:
            provider.close()


async def test_bytes_arriving_on_an_idle_connection_are_not_taken_for_the_next_response(
    make_http: Callable[..., LoopHTTP],
) -> None:
    timeout = b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n"

    async def handler(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(HELLO)
        if peer.number == 1:
            await asyncio.sleep(0.05)
            await peer.send(timeout)  # unsolicited, as a server does before closing an idle connection
            await peer.until_hangup()
        else:
            await answer_each(HELLO)(peer)

    async with serve(handler) as server:
        http = make_http()
        assert await fetch(http, server.url()) == (200, b"hello")
        await asyncio.sleep(0.2)

        second = await http.request("POST", server.url(), {}, b"")

        assert (second.status, await body_of(second)) == (200, b"hello")
        assert server.connections == 2


@pytest.mark.parametrize("status", [200, 400])
async def test_a_body_that_ends_when_the_server_closes_is_complete(
    make_http: Callable[..., LoopHTTP], status: int
) -> None:
    async def handler(peer: Peer) -> None:
        await peer.read_request()
        await peer.send(b"HTTP/1.1 %d X\r\nConnection: close\r\n\r\nall of it" % status)
        peer.writer.close()

    async with serve(handler) as server:
        connection = await make_http().request("POST", server.url(), {}, b"")

        assert (connection.status, await body_of(connection)) == (status, b"all of it")
