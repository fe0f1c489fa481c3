"""The Bedrock fake's own contract: frames botocore accepts, errors as AWS sends them, many clients."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.eventstream import EventStreamBuffer

from tests.fakes.bedrock import FakeBedrock, FakeRequest, Script, capital_from, encode_event, strategy_reply


def post(fake: FakeBedrock, body: dict[str, object] | None = None) -> http.client.HTTPResponse:
    """Send a raw ConverseStream request to the fake, over TLS if it serves TLS."""
    connection: http.client.HTTPConnection
    if fake.tls:
        context = ssl.create_default_context(cafile=fake.ca_bundle)
        connection = http.client.HTTPSConnection("localhost", fake.port, timeout=10, context=context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=10)
    connection.request(
        "POST", "/model/test-model/converse-stream", body=json.dumps(body or {"messages": []}),
        headers={"Content-Type": "application/json"},
    )
    return connection.getresponse()


def decode(raw: bytes) -> list[tuple[dict[str, object], bytes]]:
    """Parse an event-stream body with botocore's own parser (which checks both CRCs)."""
    buffer = EventStreamBuffer()
    buffer.add_data(raw)
    return [(message.headers, message.payload) for message in buffer]


def test_encoded_event_round_trips_through_botocore_parser() -> None:
    frame = encode_event({":event-type": "metadata", ":message-type": "event"}, b'{"a": 1}')

    [(headers, payload)] = decode(frame)

    assert headers == {":event-type": "metadata", ":message-type": "event"}
    assert payload == b'{"a": 1}'


def test_stream_sends_events_in_bedrock_order() -> None:
    with FakeBedrock(default_script=Script(text="hello world", chunk_chars=6)) as fake:
        response = post(fake)
        raw = response.read()

    assert response.status == 200
    assert response.getheader("Content-Type") == "application/vnd.amazon.eventstream"
    events = [headers[":event-type"] for headers, _ in decode(raw)]
    assert events == [
        "messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata",
    ]


def test_mid_stream_exception_is_an_exception_message() -> None:
    with FakeBedrock(default_script=Script(text="abcdef", chunk_chars=2, fail_after_chars=2)) as fake:
        raw = post(fake).read()

    headers, payload = decode(raw)[-1]
    assert headers[":message-type"] == "exception"
    assert headers[":exception-type"] == "throttlingException"
    assert "message" in json.loads(payload)


def test_error_before_stream_carries_aws_error_type() -> None:
    with FakeBedrock(default_script=Script(fail_before=429)) as fake:
        response = post(fake)
        body = json.loads(response.read())

    assert response.status == 429
    assert response.getheader("x-amzn-ErrorType", "").startswith("ThrottlingException:")
    assert body["message"]


def test_serves_sixty_slow_streams_at_once() -> None:
    # Each stream takes about 0.45 s; served one after another, 60 would take 27 s.
    with FakeBedrock(default_script=Script(text="x" * 20, chunk_chars=2, delay_s=0.05)) as fake:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=60) as pool:
            bodies = list(pool.map(lambda _: post(fake).read(), range(60)))
        elapsed = time.monotonic() - started

    assert all(len(decode(body)) == 14 for body in bodies)
    assert elapsed < 3


def test_default_reply_uses_the_traders_capital() -> None:
    reply = strategy_reply(capital_from("I have $5,000 to invest"))

    backend = json.loads(reply.split("<backend>")[1].split("</backend>")[0])
    assert backend["strategy_metrics"]["estimated_capital_required_usd"] == 5000
    assert reply.startswith("<user_message>")


def delta_times(response: http.client.HTTPResponse) -> list[float]:
    """When each contentBlockDelta of a streamed response arrived."""
    buffer, times = EventStreamBuffer(), []
    while data := response.read1(65536):
        arrived = time.monotonic()
        buffer.add_data(data)
        times += [arrived for message in buffer if message.headers[":event-type"] == "contentBlockDelta"]
    return times


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_paced_streams_at_once_each_keep_their_own_pace(tls: bool) -> None:
    paces = {"fast": 0.03, "slow": 0.05}

    def respond(request: FakeRequest) -> Script:
        return Script(text="x" * 20, chunk_chars=2, delay_s=paces[request.last_user_text()])

    def stream(name: str) -> list[float]:
        body = {"messages": [{"role": "user", "content": [{"text": name}]}]}
        return delta_times(post(fake, body))

    with FakeBedrock(tls=tls, responder=respond) as fake:
        with ThreadPoolExecutor(max_workers=2) as pool:
            timelines = dict(zip(paces, pool.map(stream, paces)))

    for name, times in timelines.items():
        gaps = [later - earlier for earlier, later in zip(times, times[1:])]
        assert len(times) == 10
        assert paces[name] * 0.9 <= statistics.median(gaps) <= paces[name] * 1.3, (name, gaps)
        assert paces[name] * 9 * 0.95 <= times[-1] - times[0] <= paces[name] * 9 * 1.5, (name, gaps)


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
@pytest.mark.parametrize("stall_after_chars", [None, 10], ids=["before-headers", "mid-stream"])
def test_client_hanging_up_during_a_long_stall_is_noticed_at_once(
    tls: bool, stall_after_chars: int | None
) -> None:
    stalled = Script(text="x" * 20, chunk_chars=10, stall_s=30, stall_after_chars=stall_after_chars)
    with FakeBedrock(tls=tls, default_script=stalled) as fake:
        connection = socket.create_connection(("127.0.0.1", fake.port), timeout=10)
        if tls:
            context = ssl.create_default_context(cafile=fake.ca_bundle)
            connection = context.wrap_socket(connection, server_hostname="localhost")
        body = b'{"messages": []}'
        connection.sendall(
            b"POST /model/m/converse-stream HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        time.sleep(0.3)  # the request is in and its stall has begun
        [request] = fake.requests
        connection.close()
        hung_up = time.monotonic()

        assert request.disconnected.wait(2)
        assert time.monotonic() - hung_up < 0.5
        assert not request.completed.is_set()
