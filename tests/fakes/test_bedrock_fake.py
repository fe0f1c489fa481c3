"""The Bedrock fake's own contract: frames botocore accepts, errors as AWS sends them, many clients."""

from __future__ import annotations

import http.client
import json
import time
from concurrent.futures import ThreadPoolExecutor

from botocore.eventstream import EventStreamBuffer

from tests.fakes.bedrock import FakeBedrock, Script, capital_from, encode_event, strategy_reply


def post(fake: FakeBedrock, body: dict[str, object] | None = None) -> http.client.HTTPResponse:
    """Send a raw ConverseStream request to the fake."""
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
