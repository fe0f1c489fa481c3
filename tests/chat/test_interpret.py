"""What a finished reply means for the trader, for every kind of untrusted model output."""

from __future__ import annotations

import json
import time

import pytest

from chat.interpret import interpret_reply
from chat.splitter import TagSplitter
from tests.strategies import drop_node, seed_strategy


def reply(message: str = "Here is your strategy.", backend: str | None = None) -> str:
    backend = json.dumps(seed_strategy()) if backend is None else backend
    return f"<user_message>{message}</user_message>\n<backend>\n{backend}\n</backend>"


def interpret(text: str, *, stop_reason: str | None = "end_turn", capital: float | None = 1000):
    splitter = TagSplitter()
    splitter.feed(text)
    return interpret_reply(splitter.finish(), stop_reason=stop_reason, stated_capital_usd=capital)


def test_a_well_formed_reply_gives_the_message_and_a_guardrailed_strategy():
    result = interpret(reply())
    assert result.error is None and result.user_message == "Here is your strategy."
    assert result.strategy.degen_class.selected == "High"
    keys = {item.key for item in result.strategy.guardrails.enabled}
    assert "capital_matches_request" in keys and "stop_loss_present" in keys


def test_fenced_json_inside_backend_is_accepted():
    result = interpret(reply(backend="```json\n" + json.dumps(seed_strategy()) + "\n```"))
    assert result.error is None and result.strategy is not None


def test_a_fenced_json_block_outside_the_tags_stands_in_for_a_missing_backend():
    text = "<user_message>Done.</user_message>\n```json\n" + json.dumps(seed_strategy()) + "\n```"
    assert interpret(text).strategy is not None


@pytest.mark.parametrize(
    ("text", "stop_reason", "fragment"),
    [
        ("<user_message>Just chatting.</user_message>", "end_turn", "did not include a strategy"),
        (reply(backend='{"flowchart": {"nodes": [}'), "end_turn", "not valid JSON"),
        (reply(backend=json.dumps({"flowchart": {}})), "end_turn", "rejected"),
        (reply()[:-30], "max_tokens", "cut off"),
        ("<user_message>Partial", "max_tokens", "cut off"),
        (reply()[:-12], "end_turn", "cut off"),
    ],
)
def test_bad_model_output_gives_a_readable_error_and_no_strategy(text, stop_reason, fragment):
    result = interpret(text, stop_reason=stop_reason)
    assert result.strategy is None
    assert fragment in result.error
    assert "Traceback" not in result.error and "pydantic" not in result.error.lower()


def test_dangling_flowchart_edges_are_rejected_by_name():
    strategy = seed_strategy()
    strategy["flowchart"]["edges"].append(["entry", "exit_everything"])
    result = interpret(reply(backend=json.dumps(strategy)))
    assert result.strategy is None and "exit_everything" in result.error


def test_high_class_without_stop_loss_is_kept_but_flagged_as_a_violation():
    result = interpret(reply(backend=json.dumps(drop_node(seed_strategy(), "stop_loss"))))
    assert result.strategy is not None
    violations = [item.key for item in result.strategy.guardrails.violations]
    assert violations == ["stop_loss_present"]
    assert result.strategy.actions.run_backtest_button.enabled is False


def test_a_reply_with_no_tags_shows_its_prose_without_json():
    text = "You should diversify.\n```json\n{\"not\": \"a strategy\"}\n```"
    result = interpret(text)
    assert result.user_message == "You should diversify." and result.strategy is None
    assert result.error


# An opening fence the model never closes, then a long run of spaces: the fence pattern used to
# rescan the run once per space (about 11 s for 40,000 spaces), blocking every socket meanwhile.
UNCLOSED_FENCE = "```json" + " " * 40_000


@pytest.mark.parametrize(
    ("text", "fragment"),
    [(UNCLOSED_FENCE, "did not include a strategy"), (reply(backend=UNCLOSED_FENCE), "not valid JSON")],
    ids=["outside the tags", "inside the backend"],
)
def test_an_unclosed_fence_before_a_long_run_of_spaces_is_read_in_linear_time(text, fragment):
    started = time.perf_counter()
    result = interpret(text)
    assert time.perf_counter() - started < 0.5
    assert result.strategy is None and fragment in result.error
