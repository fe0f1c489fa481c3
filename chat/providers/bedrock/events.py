"""Decoding a `converse_stream` body: botocore's framing and CRC checks, text deltas read directly.

botocore's `EventStreamBuffer` frames the bytes and checks every message's CRCs. A `contentBlockDelta`
carries the reply's text, read straight from its JSON payload: botocore's shape-driven parsing would
cost more than the rest of the delta's path to yield the same string. Every other message goes through
botocore's public event parser, exactly as iterating botocore's `EventStream` parses it (an exception
event raises `EventStreamError`); tests/chat/providers/test_bedrock_events.py compares the two.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.eventstream import EventStreamBuffer, EventStreamMessage
from botocore.exceptions import EventStreamError
from botocore.model import ServiceModel
from botocore.parsers import EventStreamJSONParser

from chat.providers.base import StreamOutcome

OPERATION = "ConverseStream"


class EventParser:
    """botocore's parsing of one event message into its event dict, as `EventStream` iteration does it."""

    def __init__(self, service_model: ServiceModel) -> None:
        # bedrock-runtime speaks rest-json, whose event streams botocore parses with EventStreamJSONParser.
        self._shape = service_model.operation_model(OPERATION).output_shape.members["stream"]
        self._parser = EventStreamJSONParser()

    def __call__(self, message: EventStreamMessage) -> dict[str, Any]:
        """The parsed event; an exception message raises botocore's `EventStreamError`."""
        response = message.to_response_dict()
        parsed = self._parser.parse(response, self._shape)
        if response["status_code"] != 200:
            raise EventStreamError(parsed, OPERATION)
        return parsed


class StreamDecoder:
    """One reply's body bytes in, its text out; the other events fill the reply's `StreamOutcome`."""

    def __init__(self, outcome: StreamOutcome, parse_event: EventParser) -> None:
        self._outcome = outcome
        self._parse_event = parse_event
        self._buffer = EventStreamBuffer()
        #: Whether Bedrock's closing `messageStop` has arrived: without it the body was cut.
        self.stopped = False

    def decode(self, chunks: list[bytes]) -> tuple[str, Exception | None]:
        """The text of the deltas in `chunks`, joined, and the failure that came after them, if any."""
        for chunk in chunks:
            self._buffer.add_data(chunk)
        texts: list[str] = []
        try:
            for message in self._buffer:
                text = delta_text(message)
                if text is None:
                    self._record(self._parse_event(message))
                elif text:
                    texts.append(text)
        except Exception as exc:
            return "".join(texts), exc  # the text before a failure still reaches the trader
        return "".join(texts), None

    def _record(self, event: dict[str, Any]) -> None:
        """Copy what a non-text stream event says about the reply into the outcome."""
        outcome = self._outcome
        if "requestId" in event:
            outcome.extra["request_id"] = event["requestId"]
        if "messageStop" in event:
            self.stopped = True
            # "max_tokens" here means the reply was cut off; the pipeline reports the truncation.
            outcome.stop_reason = event["messageStop"].get("stopReason")
        if "metadata" in event:
            usage = event["metadata"].get("usage", {})
            metrics = event["metadata"].get("metrics", {})
            outcome.input_tokens = usage.get("inputTokens")
            outcome.output_tokens = usage.get("outputTokens")
            outcome.latency_ms = metrics.get("latencyMs")


def delta_text(message: EventStreamMessage) -> str | None:
    """A `contentBlockDelta` event's text read straight from its JSON payload; None for other messages."""
    headers = message.headers
    if headers.get(":message-type") != "event" or headers.get(":event-type") != "contentBlockDelta":
        return None
    delta = json.loads(message.payload).get("delta")
    return delta.get("text", "") if isinstance(delta, dict) else ""
