"""chat.frames: every client frame is bounded and checked before anything else reads it."""

from __future__ import annotations

import json

import pytest

from chat.errors import ChatError
from chat.frames import MessageFrame, parse_client_frame

LIMITS = {"max_bytes": 256 * 1024, "max_chars": 4000, "max_history": 40}


def refused(frame: object) -> ChatError:
    text = frame if isinstance(frame, str) else json.dumps(frame)
    with pytest.raises(ChatError) as caught:
        parse_client_frame(text, **LIMITS)
    return caught.value


def test_a_seed_frame_parses():
    frame = parse_client_frame(json.dumps({"type": "message", "content": "I have $1000 🚀", "history": []}), **LIMITS)
    assert isinstance(frame, MessageFrame) and frame.content == "I have $1000 🚀"


@pytest.mark.parametrize("depth", [11, 1_000, 50_000])
def test_deeply_nested_json_in_any_field_is_an_error_not_a_crash(depth):
    deep = "[" * depth + "]" * depth
    error = refused(f'{{"type": "message", "content": "hi", "extra": {deep}}}')
    assert error.code == "invalid_json" and "nested" in error.message


@pytest.mark.parametrize("content", ["hi \ud800", "\udfff"])
def test_a_lone_surrogate_in_content_is_refused(content):
    assert refused(json.dumps({"type": "message", "content": content})).code == "invalid_json"
    assert refused('{"type": "message", "content": "hi \\ud800"}').code == "invalid_json"


def test_a_lone_surrogate_in_history_is_refused():
    history = [{"role": "user", "content": "hi \ud800"}]
    assert refused({"type": "message", "content": "hi", "history": history}).code == "invalid_json"


@pytest.mark.parametrize("content", ["\u200b", " \u200b\u200d\ufeff ", "\n\t"])
def test_content_of_only_invisible_characters_is_empty(content):
    assert refused({"type": "message", "content": content}).code == "empty_content"


def test_a_history_turn_is_held_to_the_message_limit():
    history = [{"role": "user", "content": "x" * 4001}]
    error = refused({"type": "message", "content": "hi", "history": history})
    assert error.code == "invalid_frame" and "History turn 1" in error.message and "4,000" in error.message


def test_an_empty_history_turn_is_refused():
    history = [{"role": "assistant", "content": "ok"}, {"role": "user", "content": "\u200b"}]
    error = refused({"type": "message", "content": "hi", "history": history})
    assert error.code == "invalid_frame" and "History turn 2 is empty" in error.message


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_numbers_json_does_not_define_are_refused(number):
    assert refused(f'{{"type": "message", "content": "hi", "n": {number}}}').code == "invalid_json"


def test_a_nul_character_anywhere_is_refused():
    assert refused({"type": "message", "content": "hi\x00there"}).code == "invalid_json"
    assert refused({"type": "message", "content": "hi", "x\x00": 1}).code == "invalid_json"


def test_an_unknown_type_is_quoted_clipped():
    error = refused({"type": "x" * 100_000})
    assert error.code == "unknown_type" and len(error.message) < 200


def test_an_oversized_frame_is_refused_before_parsing():
    assert refused(" " * (256 * 1024 + 1)).code == "frame_too_large"
    assert refused(json.dumps({"type": "message", "content": "é" * 140_000}, ensure_ascii=False)).code == (
        "frame_too_large"
    )
