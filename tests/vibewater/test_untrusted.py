"""vibewater.untrusted: untrusted JSON is bounded before use, and untrusted text is made storable."""

from __future__ import annotations

import json

import pytest

from vibewater.untrusted import JSONTooLarge, UntrustedJSONError, has_visible_text, load_json, storable_text


def load(text: str, *, max_bytes: int = 1024, max_depth: int = 4) -> object:
    return load_json(text, max_bytes=max_bytes, max_depth=max_depth)


def test_a_document_within_its_bounds_parses_as_json_does():
    document = {"type": "message", "content": "déjà vu 🚀", "history": [{"role": "user", "content": "hi"}]}
    assert load(json.dumps(document)) == document


@pytest.mark.parametrize("depth", [5, 1_000, 100_000])
def test_nesting_past_the_limit_is_refused_without_exhausting_the_stack(depth):
    with pytest.raises(UntrustedJSONError, match="nested more than 4 levels"):
        load("[" * depth + "]" * depth, max_bytes=10**6)


def test_nesting_inside_an_object_counts_too():
    with pytest.raises(UntrustedJSONError, match="nested"):
        load('{"a": {"b": {"c": {"d": {"e": 1}}}}}')


def test_size_is_counted_in_utf8_bytes_before_parsing():
    assert load(json.dumps("é" * 400, ensure_ascii=False)) == "é" * 400  # 802 bytes
    with pytest.raises(JSONTooLarge, match="larger than 1 KiB"):
        load(json.dumps("é" * 600, ensure_ascii=False))  # 600 characters, 1,202 bytes
    with pytest.raises(JSONTooLarge):
        load(" " * 10_000_000)


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}', "[1e400]"])
def test_numbers_json_does_not_define_are_refused(text):
    with pytest.raises(UntrustedJSONError):
        load(text)


@pytest.mark.parametrize("text", ['"hi \\ud800"', '"\\udc00 x"', '"hi \ud800"'])
def test_lone_surrogates_escaped_or_raw_are_refused_as_invalid_unicode(text):
    with pytest.raises(UntrustedJSONError, match="not valid Unicode"):
        load(text)


def test_a_surrogate_pair_escape_is_the_character_it_encodes():
    assert load('"\\ud83d\\ude80"') == "🚀"


@pytest.mark.parametrize("text", ['"nul \\u0000"', '{"a\\u0000": 1}', '[["\\u0000"]]'])
def test_a_nul_character_in_any_text_is_refused(text):
    with pytest.raises(UntrustedJSONError, match="NUL"):
        load(text)


@pytest.mark.parametrize("text", ["", "{", '{"a": 1,}', "{'a': 1}", "\x00"])
def test_what_is_not_json_is_refused_with_a_sentence(text):
    with pytest.raises(UntrustedJSONError, match=r"^The frame is not valid JSON\.$"):
        load(text)


def test_storable_text_replaces_only_what_no_database_or_socket_takes():
    assert storable_text("plain ascii") == "plain ascii"
    assert storable_text("emoji 🚀 and déjà vu") == "emoji 🚀 and déjà vu"
    assert storable_text("hi \ud800 there") == "hi \ufffd there"
    assert storable_text("nul\x00byte") == "nul\ufffdbyte"
    assert storable_text("\ud83d\ude80") == "🚀"  # a pair split into two code points is rejoined
    storable_text("hi \ud800 " * 1000).encode()  # the result always encodes


@pytest.mark.parametrize("text", ["", "   ", "\u200b", "\u200b\u200c\u200d\ufeff", "\n\t\u00a0\u3000"])
def test_text_of_spaces_and_invisible_characters_has_no_visible_text(text):
    assert not has_visible_text(text)


@pytest.mark.parametrize("text", ["a", " \u200b x", "🚀", "日本"])
def test_text_with_a_character_a_reader_sees_has_visible_text(text):
    assert has_visible_text(text)
