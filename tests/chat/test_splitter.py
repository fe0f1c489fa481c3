"""The incremental tag splitter, against every way a model's stream can be cut."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from chat.splitter import TagSplitter

WELL_FORMED = (
    "<user_message>\nI've built a High risk DeFi strategy for your $1,000.\nStop loss at 5%.\n</user_message>\n\n"
    '<backend>\n{"degen_class": {"selected": "High"}, "note": "<b>"}\n</backend>'
)
PROSE_AND_FENCES = (
    "Sure, here it is!\n<user_message> Balanced plan < 5% drawdown, ok? </user_message>\n"
    'Some prose.\n<backend>\n```json\n{"a": [1, 2]}\n```\n</backend>\nThanks!'
)
UNCLOSED_USER = '<user_message>Here you go<backend>{"a": 1}</backend>'
TRUNCATED = "<user_message>Half a sen"
NO_TAGS = "I think you should buy some bitcoin."
BACKEND_FIRST = '<backend>{"a": 1}</backend><user_message>After the JSON.</user_message>'
REPLIES = [WELL_FORMED, PROSE_AND_FENCES, UNCLOSED_USER, TRUNCATED, NO_TAGS, BACKEND_FIRST]


def split_in(text: str, cuts: list[int]) -> tuple[list[str], object]:
    """Feed `text` cut at the given positions; return released pieces and the final split."""
    splitter = TagSplitter()
    bounds = [0, *sorted(set(c % (len(text) + 1) for c in cuts)), len(text)]
    released = [splitter.feed(text[a:b]) for a, b in zip(bounds, bounds[1:])]
    return released, splitter.finish()


def whole(text: str):
    return split_in(text, [])[1]


def test_well_formed_reply_splits_into_message_and_backend():
    split = whole(WELL_FORMED)
    assert split.user_message == "I've built a High risk DeFi strategy for your $1,000.\nStop loss at 5%."
    assert split.backend_text.strip().startswith('{"degen_class"')
    assert split.saw_user_message and split.backend_closed


def test_prose_outside_tags_is_kept_apart_and_a_lone_less_than_stays_in_the_message():
    split = whole(PROSE_AND_FENCES)
    assert split.user_message == "Balanced plan < 5% drawdown, ok?"
    assert "Sure, here it is!" in split.outside_text and "Thanks!" in split.outside_text
    assert "```json" in split.backend_text


def test_backend_opening_ends_an_unclosed_message_so_json_never_reaches_the_chat():
    split = whole(UNCLOSED_USER)
    assert split.user_message == "Here you go"
    assert split.backend_text == '{"a": 1}'


def test_a_stream_cut_inside_the_message_keeps_the_text():
    split = whole(TRUNCATED)
    assert split.user_message == "Half a sen"


def test_a_stream_cut_inside_a_closing_tag_never_shows_the_tag_fragment():
    released, split = split_in("<user_message>Hello</user_mes", [3, 17])
    assert "".join(released) == split.user_message == "Hello"


def test_a_reply_without_tags_releases_nothing_and_keeps_the_prose():
    split = whole(NO_TAGS)
    assert split.user_message == "" and not split.saw_user_message
    assert split.outside_text == NO_TAGS and split.backend_text is None


def test_backend_before_message_is_understood():
    split = whole(BACKEND_FIRST)
    assert split.user_message == "After the JSON." and split.backend_text == '{"a": 1}'


@settings(max_examples=400, deadline=None)
@given(reply=st.sampled_from(REPLIES), cuts=st.lists(st.integers(min_value=0), max_size=40))
def test_any_chunking_gives_the_same_split_as_the_whole(reply, cuts):
    released, split = split_in(reply, cuts)
    assert split == whole(reply)
    assert "".join(released) == split.user_message
    for piece in released:
        assert "<user_message" not in piece and "</user" not in piece and "<backend" not in piece
        assert "{" not in piece


@settings(max_examples=300, deadline=None)
@given(
    noise=st.text(alphabet="<>/_abcdegkmnrsu {}\"`\n", max_size=120),
    cuts=st.lists(st.integers(min_value=0), max_size=30),
)
def test_malformed_streams_never_crash_and_chunking_never_changes_the_result(noise, cuts):
    released, split = split_in(noise, cuts)
    assert split == whole(noise)
    assert "".join(released) == split.user_message


def test_one_character_at_a_time_matches_the_whole():
    splitter = TagSplitter()
    released = "".join(splitter.feed(char) for char in WELL_FORMED)
    assert released == splitter.finish().user_message == whole(WELL_FORMED).user_message


def test_one_delta_holding_thousands_of_tags_is_split_in_linear_time():
    # 32,000 sections in one 1 MB delta took 11 s when every tag re-sliced and re-searched the rest.
    delta = "<user_message>a</user_message>" * 32_000 + "<backend>{}</backend>"
    started = time.perf_counter()
    splitter = TagSplitter()
    released = splitter.feed(delta)
    split = splitter.finish()
    assert time.perf_counter() - started < 1.0
    assert released == split.user_message == "\n\n".join(["a"] * 32_000) and split.backend_text == "{}"
