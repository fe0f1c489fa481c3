"""chat.wire: server frames are UTF-8 JSON a socket can always send, and never over the frame budget."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import given
from hypothesis import settings as settings_of_hypothesis
from hypothesis import strategies as st

from chat.frames import ContentChunk, MessageComplete, MessageReceived
from chat.wire import TOO_LARGE, encode_chunk, encode_frame, json_size
from tests.chat import TRADING


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def reply_complete(**fields: object) -> MessageComplete:
    """A `message_complete` frame for reply m1, with `fields` over a plain complete reply's."""
    plain = dict(
        message_id="m1", conversation_id="c1", user_message="", strategy_json=None, strategy_version=None,
        status="complete", error=None, provider="offline", model_id="offline",
    )
    return MessageComplete(**{**plain, **fields})


def test_non_ascii_text_goes_as_itself_not_as_escapes():
    text = encode_frame(ContentChunk(message_id="m1", chunk=TRADING, seq=1))

    assert text == f'{{"type":"content_chunk","message_id":"m1","chunk":"{TRADING}","seq":1}}'
    assert "\\u" not in text


@pytest.mark.parametrize(
    ("chunk", "shown"),
    [
        ("a\ud800b", "a\ufffdb"),  # a lone high surrogate
        ("\udc00", "\ufffd"),  # a lone low surrogate
        ("x\ud83d", "x\ufffd"),  # half an emoji at the end
        ("\ud83d\ude00", "😀"),  # a pair split into two code points is the character it encodes
    ],
)
def test_a_frame_with_surrogates_is_still_valid_utf8(chunk: str, shown: str):
    text = encode_frame(ContentChunk(message_id="m1", chunk=chunk, seq=1))

    sent = text.encode("utf-8")  # what daphne does with it: this raised for a raw surrogate
    assert json.loads(sent)["chunk"] == shown


def test_a_frame_within_the_budget_is_sent_whole(settings):
    settings.CHAT_MAX_SERVER_FRAME_BYTES = 1000
    frame = reply_complete(user_message="x" * 700)

    assert json.loads(encode_frame(frame)) == frame.model_dump()


def test_the_budget_counts_utf8_bytes_not_characters(settings):
    settings.CHAT_MAX_SERVER_FRAME_BYTES = 1000
    frame = MessageReceived(message_id="m1", conversation_id="c1", content="交" * 400, created_at="")  # 1200 bytes

    sent = encode_frame(frame)

    assert utf8_size(sent) <= 1000
    assert json.loads(sent)["content"] is None


def test_an_oversized_reply_is_sent_without_its_largest_part_and_says_so(settings, caplog):
    settings.CHAT_MAX_SERVER_FRAME_BYTES = 4096
    strategy = {"flowchart": {"nodes": [{"id": f"n{i}", "label": TRADING} for i in range(100)]}}
    frame = reply_complete(user_message="Here is your strategy.", strategy_json=strategy, strategy_version=3)
    assert json_size(frame.model_dump()) > 4096

    with caplog.at_level(logging.ERROR, logger="chat.wire"):
        sent = encode_frame(frame)

    assert utf8_size(sent) <= 4096
    assert json.loads(sent) == {**frame.model_dump(), "strategy_json": None, "error": TOO_LARGE}
    [record] = caplog.records
    assert "message_complete" in record.getMessage() and "strategy_json" in record.getMessage()
    assert TRADING not in record.getMessage()  # sizes and field names only, never what the trader wrote


def test_parts_are_left_out_largest_first_until_the_frame_fits(settings):
    settings.CHAT_MAX_SERVER_FRAME_BYTES = 3000
    frame = reply_complete(user_message="u" * 2000, strategy_json={"s": "s" * 2500})

    sent = json.loads(encode_frame(frame))

    assert sent["strategy_json"] is None and sent["user_message"] == "u" * 2000
    assert sent["message_id"] == "m1" and sent["error"] == TOO_LARGE


@settings_of_hypothesis(max_examples=300, deadline=None)
@given(chunk=st.text(), seq=st.integers(min_value=1, max_value=10**9), message_id=st.uuids().map(str) | st.text())
def test_the_chunk_fast_path_writes_what_the_general_encoder_writes(chunk: str, seq: int, message_id: str):
    assert encode_chunk(message_id=message_id, chunk=chunk, seq=seq) == encode_frame(
        ContentChunk(message_id=message_id, chunk=chunk, seq=seq)
    )


def test_a_chunk_over_the_budget_takes_the_general_path(settings):
    settings.CHAT_MAX_SERVER_FRAME_BYTES = 200
    chunk = "é" * 150  # 300 bytes
    general = encode_frame(ContentChunk(message_id="m", chunk=chunk, seq=1))
    assert encode_chunk(message_id="m", chunk=chunk, seq=1) == general
    assert json.loads(encode_chunk(message_id="m", chunk=chunk, seq=1))["error"] == TOO_LARGE
