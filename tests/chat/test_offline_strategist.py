"""Tests for the offline strategist's pure reply builder: what it answers, and the strategy it writes."""

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat.providers.offline import build_offline_reply, render_reply
from strategies.backtest.plan import NotExecutable, Plan, backtest_plan
from strategies.graph import check_flowchart
from strategies.schemas import Strategy
from tests.support.conversations import CONSERVATIVE, HIGH_RETURN, conversation


def _reply(*user_messages: str, current: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """Build the offline reply to a conversation."""
    return build_offline_reply(conversation(*user_messages), current)


def _node(strategy: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """Return the flowchart node of `kind`, if any."""
    return next((n for n in strategy["flowchart"]["nodes"] if n["type"] == kind), None)


def _meta(strategy: dict[str, Any], kind: str) -> dict[str, Any]:
    """Return the meta of the flowchart node of `kind`, which must exist."""
    node = _node(strategy, kind)
    assert node is not None, f"no {kind} node"
    meta: dict[str, Any] = node["meta"]
    return meta


def test_high_return_request_gives_high_class_with_stop_loss() -> None:
    text, strategy = _reply(HIGH_RETURN)
    assert strategy["degen_class"]["selected"] == "High"
    assert strategy["strategy_metrics"]["estimated_capital_required_usd"] == 1000
    assert strategy["strategy_metrics"]["impact_monthly_return_delta_pct"] >= 7
    assert _node(strategy, "stop_loss") is not None
    assert "$1,000" in text and "High" in text


def test_conservative_request_gives_low_class_with_its_target() -> None:
    text, strategy = _reply(CONSERVATIVE)
    assert strategy["degen_class"]["selected"] == "Low"
    assert strategy["strategy_metrics"] == {
        "impact_monthly_return_delta_pct": 3.0,
        "estimated_capital_required_usd": 5000,
    }
    assert _meta(strategy, "category")["category"] in {"BTC/ETH", "Stablecoins"}
    assert "$5,000" in text and "3%" in text


def test_less_risky_follow_up_lowers_class_and_tightens_stop() -> None:
    _, high = _reply(HIGH_RETURN)
    text, medium = _reply(HIGH_RETURN, "make it less risky", current=high)
    assert medium["degen_class"]["selected"] == "Medium"
    assert _meta(medium, "stop_loss")["stop_pct"] < _meta(high, "stop_loss")["stop_pct"]
    assert "High → Medium" in text


def test_add_stop_loss_follow_up_sets_stop_pct() -> None:
    _, high = _reply(HIGH_RETURN)
    text, strategy = _reply(HIGH_RETURN, "add a stop loss at 4%", current=high)
    assert _meta(strategy, "stop_loss")["stop_pct"] == 4.0
    assert strategy["degen_class"]["selected"] == "High"
    assert "stop loss 5% → 4%" in text


def test_remove_stop_loss_drops_node_and_keeps_it_gone_when_riskier() -> None:
    _, medium = _reply("a balanced strategy with $2000")
    _, removed = _reply("a balanced strategy with $2000", "remove the stop loss", current=medium)
    assert _node(removed, "stop_loss") is None
    text, high = _reply("a balanced strategy with $2000", "remove the stop loss", "riskier", current=removed)
    assert high["degen_class"]["selected"] == "High"
    assert _node(high, "stop_loss") is None
    assert "Without a stop loss" in text


def test_new_capital_replaces_old() -> None:
    _, high = _reply(HIGH_RETURN)
    _, strategy = _reply(HIGH_RETURN, "actually I have $2.5k", current=high)
    assert strategy["strategy_metrics"]["estimated_capital_required_usd"] == 2500
    assert strategy["degen_class"]["selected"] == "High"


def test_capital_from_an_earlier_turn_is_kept() -> None:
    _, strategy = _reply("I have $5000", "I like DeFi", "make it aggressive")
    assert strategy["strategy_metrics"]["estimated_capital_required_usd"] == 5000
    assert strategy["degen_class"]["selected"] == "High"
    assert _meta(strategy, "category")["category"] == "DeFi"


def test_unknown_capital_defaults_to_1000_and_says_so() -> None:
    text, strategy = _reply("something balanced in layer 1")
    assert strategy["strategy_metrics"]["estimated_capital_required_usd"] == 1000
    assert "assumed $1,000" in text


def test_explanation_re_emits_current_strategy_unchanged() -> None:
    _, current = _reply(CONSERVATIVE)
    text, strategy = _reply(CONSERVATIVE, "Explain this strategy", current=current)
    assert strategy == current
    assert "moving average" in text and "stop loss at 3%" in text


def test_explanation_in_the_first_message_builds_and_explains() -> None:
    text, strategy = _reply("why would a conservative strategy work?")
    assert strategy["degen_class"]["selected"] == "Low"
    assert "It enters on" in text


def test_explanation_without_current_strategy_uses_earlier_turns() -> None:
    text, strategy = _reply("I have $3000 for memecoins", "explain it")
    assert strategy["strategy_metrics"]["estimated_capital_required_usd"] == 3000
    assert "Memecoins" in text and "It enters on" in text


def test_first_reply_says_it_is_offline_and_later_ones_do_not_repeat_it() -> None:
    first, strategy = _reply(HIGH_RETURN)
    assert "Offline strategist" in first and "no live model" in first
    later, _ = _reply(HIGH_RETURN, "make it less risky", current=strategy)
    assert later.startswith("Updated your strategy") and "Offline strategist" not in later


@pytest.mark.parametrize(
    "messages",
    [(HIGH_RETURN,), (CONSERVATIVE,), ("hello",), ("remove the stop loss",), ("yolo memecoins, 10 grand",)],
)
def test_exits_are_alternatives_each_a_branch_from_the_entry_to_the_end(messages: tuple[str, ...]) -> None:
    _, strategy = _reply(*messages)
    nodes = strategy["flowchart"]["nodes"]
    exits = [n["id"] for n in nodes if n["type"] in ("take_profit", "stop_loss")]
    assert [n["id"] for n in nodes] == ["start", "category", "entry", *exits, "end"]
    branches = [edge for step in exits for edge in (["entry", step], [step, "end"])]
    assert strategy["flowchart"]["edges"] == [["start", "category"], ["category", "entry"], *branches]
    check_flowchart(Strategy.model_validate(strategy).flowchart)


@given(st.lists(st.text(max_size=80), min_size=1, max_size=3))
def test_any_messages_give_a_valid_strategy_in_the_tag_format(messages: list[str]) -> None:
    text, strategy = _reply(*messages)
    _, follow_up = _reply(*messages, "make it riskier", current=strategy)
    Strategy.model_validate(follow_up)
    rendered = render_reply(text, strategy)
    assert rendered.count("<backend>") == rendered.count("</user_message>") == 1
    assert json.loads(rendered.split("<backend>\n", 1)[1].rsplit("\n</backend>", 1)[0]) == strategy


@pytest.mark.parametrize(
    ("message", "symbol"),
    [(HIGH_RETURN, "ETH/USDT"), (CONSERVATIVE, "BTC/USDT"), ("something balanced in layer 1", "SOL/USDT"),
     ("yolo memecoins, 10 grand", "DOGE/USDT")],
)
def test_each_strategy_names_its_market_and_timeframe_and_can_be_backtested(message: str, symbol: str) -> None:
    _, strategy = _reply(message)
    assert _meta(strategy, "category")["symbol"] == symbol and strategy["timeframe"] == "1d"
    assert _meta(strategy, "entry_condition")["conditions"]
    assert isinstance(backtest_plan(Strategy.model_validate(strategy)), Plan)


def test_a_yield_strategy_has_no_price_condition_so_it_is_honestly_not_backtestable() -> None:
    _, strategy = _reply("a safe stablecoins strategy with $2000")
    assert _meta(strategy, "entry_condition")["conditions"] == []
    assert isinstance(backtest_plan(Strategy.model_validate(strategy)), NotExecutable)


def test_a_symbol_set_in_the_builder_survives_a_follow_up_until_the_category_changes() -> None:
    _, high = _reply(HIGH_RETURN)
    _meta(high, "category")["symbol"] = "LINK/USDT"
    high["timeframe"] = "4h"
    _, riskier = _reply(HIGH_RETURN, "add a stop loss at 4%", current=high)
    _, moved = _reply(HIGH_RETURN, "add a stop loss at 4%", "switch to memecoins", current=riskier)
    assert (_meta(riskier, "category")["symbol"], riskier["timeframe"]) == ("LINK/USDT", "4h")
    assert _meta(moved, "category")["symbol"] == "DOGE/USDT"


@pytest.mark.parametrize("messages", [(HIGH_RETURN,), (CONSERVATIVE,), (HIGH_RETURN, "explain it")])
def test_the_reply_calls_its_target_an_estimate_that_a_backtest_measures(messages: tuple[str, ...]) -> None:
    text, _ = _reply(*messages)
    assert "monthly target is my estimate, not a result: Run Backtest measures" in text
    assert "realistic" not in text


def test_switching_to_eth_only_moves_the_category_and_the_market_to_ethereum() -> None:
    _, majors = _reply(CONSERVATIVE)
    assert _meta(majors, "category") == {"category": "BTC/ETH", "symbol": "BTC/USDT"}
    text, eth = _reply(CONSERVATIVE, "switch to ETH only", current=majors)
    assert _meta(eth, "category") == {"category": "Ethereum", "symbol": "ETH/USDT"}
    assert "category BTC/ETH → Ethereum" in text
    plan = backtest_plan(Strategy.model_validate(eth))
    assert isinstance(plan, Plan) and plan.symbol == "ETH/USDT"


def test_only_a_stop_loss_the_trader_did_not_ask_for_is_marked_added_for_safety() -> None:
    _, high = _reply(HIGH_RETURN)
    assert _meta(high, "stop_loss")["added"] is True
    _, asked = _reply(HIGH_RETURN, "add a stop loss at 4%", current=high)
    assert _meta(asked, "stop_loss") == {"stop_pct": 4.0, "added": False}
    _, still_theirs = _reply(HIGH_RETURN, "add a stop loss at 4%", "make it less risky", current=asked)
    assert _meta(still_theirs, "stop_loss")["added"] is False
    _, first = _reply("a balanced strategy with a 3% stop loss")
    assert _meta(first, "stop_loss") == {"stop_pct": 3.0, "added": False}


def test_asking_for_a_stop_loss_without_a_level_puts_the_class_stop_in_as_the_traders_own() -> None:
    _, first = _reply("a high-return strategy with a stop loss")
    assert _meta(first, "stop_loss") == {"stop_pct": 5.0, "added": False}
    asks = ("a balanced strategy with $2000", "remove the stop loss", "add a stop loss back")
    _, medium = _reply(*asks[:1])
    _, removed = _reply(*asks[:2], current=medium)
    text, back = _reply(*asks, current=removed)
    assert _meta(back, "stop_loss") == {"stop_pct": 4.0, "added": False}
    assert "stop loss added at 4%" in text
