"""Decoding a converse_stream body: the same text, outcome and errors as iterating botocore's own EventStream."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore.eventstream import ChecksumMismatch, EventStream, EventStreamBuffer
from botocore.exceptions import EventStreamError
from botocore.parsers import EventStreamJSONParser

from chat.providers.base import StreamOutcome
from chat.providers.bedrock.events import EventParser, StreamDecoder, delta_text
from tests.fakes.bedrock import _event, _exception

SERVICE = botocore.session.get_session().get_service_model("bedrock-runtime")
REPLY = [
    _event("messageStart", {"role": "assistant"}),
    *(_event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": f"piece {i}, "}}) for i in range(3)),
    _event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Grüße, $1,000 \u2192 7 %"}}),
    _event("contentBlockStop", {"contentBlockIndex": 0}),
    _event("messageStop", {"stopReason": "max_tokens"}),
    _event("metadata", {"usage": {"inputTokens": 11, "outputTokens": 22, "totalTokens": 33},
                        "metrics": {"latencyMs": 444}}),
]


def botocore_events(chunks: list[bytes]) -> Iterator[dict[str, Any]]:
    """The events boto3 hands an application iterating the response's stream."""

    class Body:
        def stream(self) -> Iterator[bytes]:
            return iter(chunks)

    shape = SERVICE.operation_model("ConverseStream").output_shape.members["stream"]
    return iter(EventStream(Body(), shape, EventStreamJSONParser(), "ConverseStream"))


def decode(chunks: list[bytes]) -> tuple[str, StreamOutcome, StreamDecoder, Exception | None]:
    """Feed the chunks one read at a time; the text, the outcome, the decoder and the first failure."""
    outcome = StreamOutcome()
    decoder = StreamDecoder(outcome, EventParser(SERVICE))
    text = ""
    for chunk in chunks:
        piece, failure = decoder.decode([chunk])
        text += piece
        if failure is not None:
            return text, outcome, decoder, failure
    return text, outcome, decoder, None


@pytest.mark.parametrize("reads", ["one event per read", "the whole body in one read"])
def test_the_text_and_outcome_are_what_botocore_s_event_stream_says(reads: str) -> None:
    chunks = REPLY if reads == "one event per read" else [b"".join(REPLY)]

    text, outcome, decoder, failure = decode(chunks)

    events = list(botocore_events(chunks))
    assert failure is None and decoder.stopped
    assert text == "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e)
    assert text == "piece 0, piece 1, piece 2, Grüße, $1,000 → 7 %"
    metadata = next(e["metadata"] for e in events if "metadata" in e)
    assert (outcome.stop_reason, outcome.input_tokens, outcome.output_tokens, outcome.latency_ms) == (
        next(e["messageStop"]["stopReason"] for e in events if "messageStop" in e),
        metadata["usage"]["inputTokens"], metadata["usage"]["outputTokens"], metadata["metrics"]["latencyMs"],
    )


def test_an_exception_event_fails_after_the_text_before_it_with_botocore_s_error() -> None:
    chunks = [*REPLY[:3], _exception("throttlingException", "slow down"), *REPLY[3:]]

    text, _, decoder, failure = decode([b"".join(chunks)])

    with pytest.raises(EventStreamError) as botocore_error:
        list(botocore_events(chunks))
    assert text == "piece 0, piece 1, "
    assert isinstance(failure, EventStreamError) and not decoder.stopped
    assert failure.response == botocore_error.value.response
    assert failure.response["Error"]["Code"] == "throttlingException"


def test_a_corrupt_message_fails_with_botocore_s_checksum_error() -> None:
    corrupt = bytearray(REPLY[1])
    corrupt[-10] ^= 0xFF

    text, _, _, failure = decode([REPLY[0], bytes(corrupt)])

    assert text == "" and isinstance(failure, ChecksumMismatch)


def test_a_body_cut_before_message_stop_is_not_stopped() -> None:
    _, _, decoder, failure = decode(REPLY[:4])

    assert failure is None and not decoder.stopped


def test_delta_text_reads_text_deltas_and_leaves_everything_else_to_botocore() -> None:
    buffer = EventStreamBuffer()
    buffer.add_data(b"".join([
        _event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Grüße, $1,000 \u2192 7 %"}}),
        _event("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"toolUse": {"input": "{}"}}}),
        _event("messageStop", {"stopReason": "end_turn"}),
        _exception("throttlingException", "slow down"),
    ]))
    text, tool_use, stop, exception = list(buffer)

    assert delta_text(text) == "Grüße, $1,000 → 7 %"
    assert delta_text(tool_use) == ""  # a delta without text adds nothing to the chat
    assert delta_text(stop) is None and delta_text(exception) is None  # botocore parses these
