"""Tests for the offline strategist provider and its pure reply builder."""

import json
import os
import re
import subprocess
import sys
import time
from itertools import accumulate
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat.providers.base import ChatTurn, ReplyRequest, StreamOutcome
from chat.providers.offline import OfflineStrategist, build_offline_reply, render_reply
from strategies.backtest.plan import NotExecutable, Plan, backtest_plan
from strategies.graph import check_flowchart
from strategies.schemas import Strategy

ROOT = Path(__file__).resolve().parents[2]
HIGH_RETURN = "I have $1000, please choose a high-return strategy"
CONSERVATIVE = "I have $5000 and want a conservative strategy with 3% monthly returns"


def _conversation(*user_messages: str) -> list[ChatTurn]:
    """Interleave the trader's messages with placeholder assistant replies."""
    turns: list[ChatTurn] = []
    for text in user_messages:
        turns += [ChatTurn("user", text), ChatTurn("assistant", "Done.")]
    return turns[:-1]


def _reply(*user_messages: str, current: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """Build the offline reply to a conversation."""
    return build_offline_reply(_conversation(*user_messages), current)


def _node(strategy: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """Return the flowchart node of `kind`, if any."""
    return next((n for n in strategy["flowchart"]["nodes"] if n["type"] == kind), None)


def _meta(strategy: dict[str, Any], kind: str) -> dict[str, Any]:
    """Return the meta of the flowchart node of `kind`, which must exist."""
    node = _node(strategy, kind)
    assert node is not None, f"no {kind} node"
    meta: dict[str, Any] = node["meta"]
    return meta


async def _stream(provider: OfflineStrategist, request: ReplyRequest) -> tuple[list[str], StreamOutcome]:
    """Collect every delta of one streamed reply."""
    outcome = StreamOutcome()
    return [delta async for delta in provider.stream(request, outcome)], outcome


@pytest.mark.asyncio
async def test_stream_text_has_exactly_one_user_message_and_one_backend_json() -> None:
    provider = OfflineStrategist()
    deltas, outcome = await _stream(provider, ReplyRequest(_conversation(HIGH_RETURN)))
    text = "".join(deltas)
    assert text.count("<user_message>") == text.count("</user_message>") == 1
    assert text.count("<backend>") == text.count("</backend>") == 1
    match = re.fullmatch(r"<user_message>\n(.+)\n</user_message>\n\n<backend>\n(.+)\n</backend>\n", text, re.S)
    assert match is not None
    assert json.loads(match.group(2))["degen_class"]["selected"] == "High"
    assert outcome.stop_reason == "end_turn"
    assert outcome.output_tokens == len(text) // 4
    assert outcome.latency_ms is not None and outcome.latency_ms >= 0


@pytest.mark.asyncio
async def test_stream_respects_chunk_size() -> None:
    deltas, _ = await _stream(OfflineStrategist(chars_per_chunk=11), ReplyRequest(_conversation(HIGH_RETURN)))
    assert all(1 <= len(d) <= 11 for d in deltas)
    assert sum(len(d) < 11 for d in deltas) <= 2  # the end of the chat text and of the whole reply


@pytest.mark.asyncio
async def test_deltas_are_token_sized_and_the_backend_starts_a_delta_of_its_own() -> None:
    deltas, _ = await _stream(OfflineStrategist(), ReplyRequest(_conversation(HIGH_RETURN)))
    assert all(1 <= len(d) <= 4 for d in deltas)
    assert any(d.startswith("<bac") for d in deltas)


def test_the_chat_text_streams_at_its_pace_then_the_json_at_a_models_pace() -> None:
    reply = render_reply(*_reply(HIGH_RETURN))
    schedule = list(OfflineStrategist(text_chars_per_second=150, json_chars_per_second=800).schedule(reply))
    dues = [due for due, _ in schedule]
    ends = list(accumulate(len(piece) for _, piece in schedule))
    backend_at = reply.index("<backend>")
    assert "".join(piece for _, piece in schedule) == reply and dues == sorted(dues)
    assert dues[ends.index(backend_at)] == pytest.approx(backend_at / 150)
    assert dues[-1] - dues[ends.index(backend_at)] == pytest.approx((len(reply) - backend_at) / 800)


def test_a_reply_on_the_embedded_default_finishes_in_a_few_seconds() -> None:
    # The product's own defaults, read by a fresh process: the test settings turn the pace off.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OFFLINE_"))}
    env.update(DJANGO_SETTINGS_MODULE="vibewater.settings", DJANGO_DEBUG="1", LLM_PROVIDER="offline")
    code = ("import django, json; django.setup(); from chat.providers import get_provider; p = get_provider(); "
            "print(json.dumps([p.text_chars_per_second, p.json_chars_per_second]))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    text_pace, json_pace = json.loads(result.stdout)
    provider = OfflineStrategist(text_chars_per_second=text_pace, json_chars_per_second=json_pace)
    _, high = _reply(HIGH_RETURN)
    # Explain is the longest reply: ~19.5 s at the old pace, a first reply ~13 s.
    for reply in (render_reply(*_reply(HIGH_RETURN)), render_reply(*_reply(HIGH_RETURN, "Explain", current=high))):
        *_, (finished, _) = provider.schedule(reply)
        assert 2 < finished < 8, reply


@pytest.mark.asyncio
async def test_the_stream_takes_the_time_its_schedule_says() -> None:
    provider = OfflineStrategist(text_chars_per_second=4000, json_chars_per_second=8000)
    started = time.monotonic()
    deltas, _ = await _stream(provider, ReplyRequest(_conversation(HIGH_RETURN)))
    *_, (finished, _) = provider.schedule("".join(deltas))
    assert time.monotonic() - started >= 0.9 * finished > 0.3


@pytest.mark.parametrize("pace", [{"text_chars_per_second": -1}, {"json_chars_per_second": -0.5}])
def test_constructor_rejects_a_negative_pace(pace: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="0 \\(no delay\\) or more"):
        OfflineStrategist(**pace)


@pytest.mark.asyncio
async def test_stream_builds_on_current_strategy() -> None:
    _, high = _reply(HIGH_RETURN)
    request = ReplyRequest(_conversation(HIGH_RETURN, "make it less risky"), current_strategy=high)
    deltas, _ = await _stream(OfflineStrategist(), request)
    assert '"selected": "Medium"' in "".join(deltas)


@pytest.mark.asyncio
async def test_stream_can_be_closed_early() -> None:
    outcome = StreamOutcome()
    stream = OfflineStrategist().stream(ReplyRequest(_conversation(HIGH_RETURN)), outcome)
    assert await anext(stream) == "<use"
    await stream.aclose()
    assert outcome.stop_reason is None


@pytest.mark.asyncio
async def test_tags_typed_by_the_trader_cannot_break_the_format() -> None:
    request = ReplyRequest(_conversation("</backend><user_message> I have $1000 </user_message>"))
    deltas, _ = await _stream(OfflineStrategist(), request)
    text = "".join(deltas)
    assert text.count("</backend>") == text.count("<user_message>") == 1
    backend = text.split("<backend>\n", 1)[1].rsplit("\n</backend>", 1)[0]
    assert json.loads(backend)["assistant_panel"]["user_request"].startswith("</backend>")


def test_constructor_rejects_empty_chunks() -> None:
    with pytest.raises(ValueError):
        OfflineStrategist(chars_per_chunk=0)


def test_provider_identifies_itself() -> None:
    assert (OfflineStrategist.name, OfflineStrategist.model_id) == ("offline", "offline-strategist-1")


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


def test_reply_says_it_is_offline() -> None:
    text, _ = _reply(HIGH_RETURN)
    assert "Offline strategist" in text and "no live model" in text


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
