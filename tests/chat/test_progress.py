"""The incremental strategy parser on its own: what completes is found once, and hostile input stays bounded."""

from __future__ import annotations

import json
import time
from typing import Any

from chat.live_types import StrategySoFar
from chat.progress import MAX_DRAFT_NODE_BYTES, StrategyDraft
from chat.splitter import TagSplitter
from strategies.schemas import MAX_NODES, MAX_STRATEGY_JSON_BYTES
from tests.fakes.bedrock import strategy_reply

STRATEGY = json.loads(strategy_reply().split("<backend>")[1].split("</backend>")[0])


def feed_all(text: str, size: int) -> tuple[StrategyDraft, list[StrategySoFar]]:
    """Feed `text` in pieces of `size` characters; the draft and what each piece completed."""
    draft, taken = StrategyDraft(), []
    for start in range(0, len(text), size):
        draft.feed(text[start : start + size])
        if (parts := draft.take()) is not None:
            taken.append(parts)
    return draft, taken


def nodes_of(taken: list[StrategySoFar]) -> list[dict[str, Any]]:
    return [node for parts in taken for node in parts.nodes]


def test_every_step_edge_and_section_is_found_once_whatever_the_delta_size():
    for size in (1, 7, 12, 4096):
        _, taken = feed_all(json.dumps(STRATEGY), size)

        assert nodes_of(taken) == STRATEGY["flowchart"]["nodes"]
        assert [list(edge) for parts in taken for edge in parts.edges] == STRATEGY["flowchart"]["edges"]
        assert [parts.degen_class for parts in taken if parts.degen_class] == [STRATEGY["degen_class"]]
        metrics = [parts.strategy_metrics for parts in taken if parts.strategy_metrics]
        assert metrics == [{"impact_monthly_return_delta_pct": 7.0, "estimated_capital_required_usd": 1000.0}]


def test_a_step_is_sent_only_once_it_has_closed_so_a_number_at_the_end_can_still_grow():
    draft = StrategyDraft()
    draft.feed('{"flowchart": {"nodes": [{"id": "tp", "type": "take_profit", "meta": {"target_pct": 1')
    assert draft.take() is None
    draft.feed("0}")
    assert draft.take() is None  # the meta closed, the step has not
    draft.feed("}, ")

    assert draft.take().nodes == [{"id": "tp", "type": "take_profit", "meta": {"target_pct": 10}}]


def test_the_splitter_hands_the_backend_text_over_fences_and_all():
    draft = StrategyDraft()
    splitter = TagSplitter(on_backend=draft.feed)
    reply = f"<user_message>Hi</user_message><backend>\n```json\n{json.dumps(STRATEGY)}\n```\n</backend>"
    for start in range(0, len(reply), 5):
        splitter.feed(reply[start : start + 5])

    assert [node["id"] for node in draft.take().nodes] == [node["id"] for node in STRATEGY["flowchart"]["nodes"]]


def test_steps_without_an_id_or_a_known_type_are_not_sent():
    nodes = [
        {"type": "start"},
        {"id": "  ", "type": "start"},
        {"id": "x", "type": "moon_shot"},
        {"id": 7, "type": "start"},
        ["start"],
        {"id": "ok", "type": "end"},
    ]
    _, taken = feed_all(json.dumps({"flowchart": {"nodes": nodes, "edges": [["a"], {"source": "a"}, ["a", "b"]]}}), 9)

    assert nodes_of(taken) == [{"id": "ok", "type": "end"}]
    assert [edge for parts in taken for edge in parts.edges] == [("a", "b")]


def test_a_number_too_large_to_be_finite_ends_the_progress():
    text = '{"flowchart": {"nodes": [{"id": "s", "type": "start"}, {"id": "t", "type": "take_profit", "meta": '
    _, taken = feed_all(text + '{"target_pct": 1e400}}, {"id": "e", "type": "end"}]}}', 5)

    assert nodes_of(taken) == [{"id": "s", "type": "start"}]


def test_a_section_that_does_not_validate_on_its_own_is_not_sent():
    _, taken = feed_all(json.dumps({"degen_class": {"selected": "Extreme"}, "strategy_metrics": {}}), 4)

    assert taken == []


def test_a_node_with_a_one_megabyte_string_is_never_sent_and_the_parser_stops():
    huge = {"id": "huge", "type": "exit_condition", "meta": {"rules": ["x" * 1_000_000]}}
    document = json.dumps({"flowchart": {"nodes": [{"id": "s", "type": "start"}, huge, {"id": "e", "type": "end"}]}})
    started = time.process_time()

    _, taken = feed_all(document, 4096)

    assert nodes_of(taken) == [{"id": "s", "type": "start"}]  # past MAX_STRATEGY_JSON_BYTES nothing more
    assert time.process_time() - started < 1  # a few milliseconds


def test_a_node_over_its_size_bound_is_not_sent_but_later_ones_are():
    large = {"id": "large", "type": "exit_condition", "meta": {"rules": ["x" * MAX_DRAFT_NODE_BYTES]}}
    _, taken = feed_all(json.dumps({"flowchart": {"nodes": [large, {"id": "e", "type": "end"}]}}), 512)

    assert nodes_of(taken) == [{"id": "e", "type": "end"}]


def test_a_ten_megabyte_backend_is_read_only_up_to_the_strategy_bound_in_linear_time():
    nodes = [{"id": f"n{i}", "type": "exit_condition", "meta": {"rules": ["Sell"]}} for i in range(150_000)]
    document = json.dumps({"flowchart": {"nodes": nodes}})
    assert len(document) > 10_000_000
    draft = StrategyDraft()
    started = time.process_time()

    for start in range(0, len(document), 12):
        draft.feed(document[start : start + 12])

    assert time.process_time() - started < 10  # ~1 s: 800,000 deltas, each a few cheap checks once stopped
    sent = draft.take().nodes
    assert 0 < len(sent) <= MAX_NODES
    assert len(json.dumps(sent)) < MAX_STRATEGY_JSON_BYTES


def test_nesting_past_the_strategy_depth_stops_the_progress():
    deep = '{"flowchart": {"nodes": [{"id": "s", "type": "start"}, {"id": "d", "type": "end", "meta": '
    _, taken = feed_all(deep + "[" * 100_000 + "]" * 100_000 + "}]}}", 1024)

    assert nodes_of(taken) == [{"id": "s", "type": "start"}]


def test_text_that_is_not_json_ends_the_progress_without_raising():
    draft, taken = feed_all('{"flowchart": {"nodes": [{"id": "s", "type": "start"},, {"id": "e", "type": "end"}]}}', 3)

    assert nodes_of(taken) == [{"id": "s", "type": "start"}]
    draft.feed('{"more": 1}')
    assert draft.take() is None
