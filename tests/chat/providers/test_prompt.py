"""The strategist's system prompt speaks the backtestable format and never calls a proposed return realistic."""

from __future__ import annotations

import json
import re

from chat.providers.prompt import base_system_prompt
from strategies.backtest.plan import Plan, backtest_plan
from strategies.validation import validate_strategy


def _example() -> dict:
    """The `<backend>` JSON of the prompt's worked example."""
    match = re.search(r"# Example.*?<backend>\n(.*?)\n</backend>", base_system_prompt(), re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_the_prompts_example_names_its_market_timeframe_and_executable_conditions() -> None:
    example = _example()
    strategy = validate_strategy(example, stated_capital_usd=1000)
    plan = backtest_plan(strategy)
    assert isinstance(plan, Plan) and plan.translations == ()  # run from its conditions, not translated words
    assert (plan.symbol, plan.timeframe) == ("ETH/USDT", "1d")


def test_the_prompt_lists_every_condition_kind_and_calls_a_target_an_estimate() -> None:
    prompt = base_system_prompt()
    for kind in ("drop_from_high", "price_above_ma", "ma_cross_up", "rsi_below", '"timeframe"', '"symbol"'):
        assert kind in prompt
    assert "6–12%" not in prompt and "realistic target" not in prompt and "realistic metrics" not in prompt
    assert "estimate until a backtest measures it" in prompt


def test_the_prompts_example_writes_each_exit_as_a_branch_from_the_entry_to_the_end() -> None:
    edges = _example()["flowchart"]["edges"]
    for step in ("profit_target", "stop_loss"):
        assert [a for a, b in edges if b == step] == ["entry"] and [b for a, b in edges if a == step] == ["end"]
    assert "never chain one exit after another" in base_system_prompt()
