"""Fuzzing the live socket: thousands of malformed frames through the full ASGI stack, each answered with
an `error` frame on a socket that stays open and then serves a normal message.

Hypothesis runs in a worker thread and drives the socket on the test's event loop, so every example is a
real frame through the origin check, session auth, routing and the consumer, and a failure shrinks to
the smallest frame that breaks the server.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chat.errors import ChatError
from chat.frames import parse_client_frame
from tests.chat.test_consumer import seed_frame
from tests.chat.test_frames import LIMITS

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

FIELDS = ("type", "content", "history", "action", "role")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)


def deep(depth: int, opener: str, closer: str) -> str:
    return opener * depth + closer * depth


wrong_types = st.builds(
    lambda kind, field, value: json.dumps({"type": kind, field: value}),
    st.sampled_from(["message", "action", "cancel-ish", ""]),
    st.sampled_from(FIELDS),
    json_values,
)
wrong_messages = st.builds(
    lambda content, history: json.dumps({"type": "message", "content": content, "history": history}),
    json_values | st.sampled_from(["", " ", "\u200b\ufeff", "x" * 4001]),
    st.lists(st.fixed_dictionaries({"role": st.sampled_from(["user", "system", 3]), "content": json_values}),
             min_size=1, max_size=3),
)
wrong_actions = st.builds(
    lambda action: json.dumps({"type": "action", "action": action}),
    json_values | st.sampled_from(["explain ", "EXPLAIN", "delete_everything"]),
)
hostile_texts = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda raw: raw.decode("latin-1")),
    st.integers(2, 60_000).map(lambda depth: '{"type": "message", "content": "hi", "x": ' + deep(depth, "[", "]") + "}"),
    st.integers(2, 30_000).map(lambda depth: deep(depth, '{"a":', "}").replace("}", "1}", 1)),
    st.sampled_from(["NaN", '{"type": "message", "content": NaN}', '{"type": "message", "content": "a", "n": 1e999}',
                     '{"type": "message", "content": "hi \\ud800"}', '{"type": "message", "content": "\\udc00"}',
                     '{"type": "message", "content": "hi", "history": [{"role": "user", "content": "\\ud800"}]}',
                     '{"type": "message", "content": "hi \ud800"}', " " * 300_000, '"' + "é" * 200_000 + '"']),
    st.integers(1, 300_000).map(lambda size: json.dumps({"type": "message", "content": "x" * size})),
    wrong_types,
    wrong_messages,
    wrong_actions,
    st.builds(lambda kind: json.dumps({"type": kind}), json_values),
)
binary_frames = st.binary(max_size=300)


def acceptable(text: str) -> bool:
    """Whether `text` happens to be a frame the server accepts (those are not malformed, so not sent)."""
    try:
        parse_client_frame(text, **LIMITS)
    except ChatError:
        return False
    return True


async def test_thousands_of_malformed_frames_each_get_an_error_and_the_socket_then_serves_a_message(
    connect, alice_session, caplog
):
    socket = await connect(session=alice_session)
    loop = asyncio.get_running_loop()
    answers: list[dict[str, Any]] = []

    async def send_and_read(frame: str | bytes) -> dict[str, Any]:
        # send_input, not send_to: send_to refuses an empty frame, which a client can still send.
        key = "bytes" if isinstance(frame, bytes) else "text"
        await socket.comm.send_input({"type": "websocket.receive", key: frame})
        return await socket.receive(timeout=30)

    def exchange(frame: str | bytes) -> None:
        answer = asyncio.run_coroutine_threadsafe(send_and_read(frame), loop).result(timeout=60)
        assert answer["type"] == "error", (frame[:200], answer)
        assert answer["code"] not in ("server_error",), (frame[:200], answer)
        assert answer["message"][:1].isupper() and len(answer["message"]) < 300
        answers.append(answer)

    @settings(max_examples=2500, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(frame=hostile_texts.filter(lambda text: not acceptable(text)) | binary_frames)
    def every_malformed_frame_is_answered_with_an_error(frame: str | bytes) -> None:
        exchange(frame)

    with caplog.at_level(logging.ERROR):
        await asyncio.to_thread(every_malformed_frame_is_answered_with_an_error)

    assert len(answers) >= 2500
    assert {"invalid_json", "invalid_frame", "unknown_type", "unsupported_frame", "frame_too_large"} <= {
        answer["code"] for answer in answers
    }
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    await socket.send(seed_frame())
    frames = await socket.receive_until("message_complete")
    assert frames[0]["type"] == "message_received" and frames[-1]["strategy_version"] == 1
