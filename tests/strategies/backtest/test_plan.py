"""What a strategy's plan holds: its conditions (translated from plain rules where needed) or why it cannot run."""

from __future__ import annotations

import time
from typing import Any

import pytest

from strategies.backtest.phrases import Untranslatable, translate_rule
from strategies.backtest.plan import NotExecutable, Plan, backtest_plan
from strategies.schemas import DropFromHigh, MACrossUp, PriceAboveMA, RSIBelow, Strategy, Timeframe
from tests.strategies import seed_strategy


def _with_rules(*rules: str, data: dict[str, Any] | None = None) -> Strategy:
    """The seed strategy with these entry rules and no conditions."""
    data = data or seed_strategy()
    next(n for n in data["flowchart"]["nodes"] if n["type"] == "entry_condition")["meta"]["rules"] = list(rules)
    return Strategy.model_validate(data)


def _plan(strategy: Strategy, timeframe: Timeframe | None = None) -> Plan:
    plan = backtest_plan(strategy, timeframe=timeframe)
    assert isinstance(plan, Plan), plan
    return plan


def test_the_seed_strategy_runs_its_translated_rule_with_its_levels_on_the_categorys_symbol() -> None:
    plan = _plan(Strategy.model_validate(seed_strategy()))
    assert plan.conditions == (DropFromHigh(kind="drop_from_high", pct=5, lookback_bars=20),)
    assert (plan.take_profit_pct, plan.stop_loss_pct, plan.allocation_pct) == (7, 5, 100)
    assert (plan.symbol, plan.timeframe) == ("ETH/USDT", "1d")  # DeFi's documented default
    (translation,) = plan.translations
    assert translation.sentence == (
        "'Enter on a 5% price drop' was read as: close at least 5% below the highest high of the 20 bars before it."
    )


@pytest.mark.parametrize(
    ("rule", "condition"),
    [
        ("Enter on a 5% price drop", DropFromHigh(kind="drop_from_high", pct=5, lookback_bars=20)),
        ("Enter on a 3% pullback", DropFromHigh(kind="drop_from_high", pct=3, lookback_bars=20)),
        ("Buy on a 7.5% dip from the 10-day high", DropFromHigh(kind="drop_from_high", pct=7.5, lookback_bars=10)),
        ("price is 4% below the 30-bar high.", DropFromHigh(kind="drop_from_high", pct=4, lookback_bars=30)),
        ("buy when RSI(14) is below 30", RSIBelow(kind="rsi_below", period=14, threshold=30)),
        ("RSI below 25", RSIBelow(kind="rsi_below", period=14, threshold=25)),
        ("the 7-day RSI is under 35", RSIBelow(kind="rsi_below", period=7, threshold=35)),
        ("price above the 50-day moving average", PriceAboveMA(kind="price_above_ma", period=50)),
        ("Only while the price is above the 50-day moving average", PriceAboveMA(kind="price_above_ma", period=50)),
        ("close above SMA(20)", PriceAboveMA(kind="price_above_ma", period=20)),
        ("when the 20-day MA crosses above the 50-day", MACrossUp(kind="ma_cross_up", fast=20, slow=50)),
        ("Buy when the 50-day moving average crosses above the 200-day",
         MACrossUp(kind="ma_cross_up", fast=50, slow=200)),
    ],
)
def test_plain_phrasings_are_translated(rule: str, condition: object) -> None:
    assert translate_rule(rule, timeframe="1d") == condition


def test_spans_in_days_become_bars_of_the_timeframe() -> None:
    plan = _plan(_with_rules("Enter on a 5% drop from the 7-day high", "price above the 20-day moving average"),
                 timeframe="4h")
    assert plan.conditions == (DropFromHigh(kind="drop_from_high", pct=5, lookback_bars=42),
                               PriceAboveMA(kind="price_above_ma", period=120))
    assert plan.timeframe == "4h"


def test_a_rule_the_server_cannot_read_makes_the_strategy_not_executable_naming_it() -> None:
    plan = backtest_plan(_with_rules("Enter on a 5% price drop", "enter when Elon tweets"))
    assert isinstance(plan, NotExecutable)
    assert plan.message.startswith("'enter when Elon tweets' cannot be backtested. The backtest runs ")
    assert plan.rules == ("enter when Elon tweets",)


def test_a_known_rule_with_extra_words_is_not_half_read() -> None:
    plan = backtest_plan(_with_rules("Enter on a 5% price drop when Elon tweets", "Scale in with 25% per entry"))
    assert isinstance(plan, NotExecutable)
    assert plan.message.startswith(
        "'Enter on a 5% price drop when Elon tweets' and 'Scale in with 25% per entry' cannot be backtested."
    )


def test_a_readable_rule_out_of_the_engines_range_says_why() -> None:
    plan = backtest_plan(_with_rules("price above the 50-day moving average"), timeframe="1h")  # 1,200 bars
    assert isinstance(plan, NotExecutable)
    assert plan.message == (
        "'price above the 50-day moving average' cannot be backtested: "
        "its period of 1200 bars should be less than or equal to 500."
    )


def test_a_cross_of_a_slower_average_over_a_faster_one_says_why() -> None:
    plan = backtest_plan(_with_rules("enter on a 5% drop", "when the 50-day MA crosses above the 20-day"))
    assert isinstance(plan, NotExecutable)
    assert plan.message == ("'when the 50-day MA crosses above the 20-day' cannot be backtested: "
                            "the fast period must be shorter than the slow period.")


def test_a_span_that_is_not_whole_bars_says_why() -> None:
    plan = backtest_plan(_with_rules("price above the 6-hour moving average"), timeframe="4h")
    assert isinstance(plan, NotExecutable)
    assert plan.message == ("'price above the 6-hour moving average' cannot be backtested: "
                            "6 hours is not a whole number of 4h bars.")


def test_written_conditions_are_run_as_they_are() -> None:
    data = seed_strategy()
    entry = next(n for n in data["flowchart"]["nodes"] if n["type"] == "entry_condition")
    entry["meta"]["conditions"] = [{"kind": "rsi_below", "period": 14, "threshold": 30}]
    plan = _plan(Strategy.model_validate(data))
    assert plan.conditions == (RSIBelow(kind="rsi_below", period=14, threshold=30),)
    assert plan.translations == ()


def test_symbol_allocation_and_exit_rules_are_read_from_their_steps() -> None:
    data = seed_strategy()
    nodes = data["flowchart"]["nodes"]
    nodes[1]["meta"]["symbol"] = "sol/usdt"
    nodes.insert(4, {"id": "size", "type": "position_size", "meta": {"allocation_pct": 25}})
    nodes.insert(5, {"id": "exit", "type": "exit_condition", "meta": {"rules": ["Sell when the hype fades"]}})
    plan = _plan(Strategy.model_validate(data))
    assert (plan.symbol, plan.allocation_pct) == ("SOL/USDT", 25)
    assert plan.notes == ("The exit rules 'Sell when the hype fades' are not executed: a position closes at the "
                          "take profit, the stop loss or the end of the data.",)


def test_a_strategy_without_an_entry_step_is_not_executable() -> None:
    data = seed_strategy()
    data["flowchart"]["nodes"] = [n for n in data["flowchart"]["nodes"] if n["type"] != "entry_condition"]
    plan = backtest_plan(Strategy.model_validate(data))
    assert isinstance(plan, NotExecutable) and "no entry step" in plan.message


@pytest.mark.parametrize(
    "rule",
    ["5" * 100_000 + "% price drop x", "enter " * 20_000 + "on a 5% drop", "rsi(" + "1" * 100_000 + " below 3",
     "price drops by " + "1." * 50_000, "the " + "(" * 100_000],
)
def test_translation_takes_linear_time_on_hostile_rules(rule: str) -> None:
    began = time.process_time()
    with pytest.raises(Untranslatable):
        translate_rule(rule, timeframe="1d")
    assert time.process_time() - began < 1  # quadratic scanning of 100,000 characters takes minutes
