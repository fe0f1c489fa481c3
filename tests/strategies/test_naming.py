"""strategies.naming: a title that summarises a strategy, and the names a trader may give one."""

from __future__ import annotations

from typing import Any

import pytest

from strategies.naming import InvalidName, strategy_name_clean, strategy_title
from strategies.validation import validate_strategy
from tests.strategies import node, seed_strategy


def title_of(data: dict[str, Any]) -> str:
    return strategy_title(validate_strategy(data, stated_capital_usd=None))


def test_the_title_names_category_entry_style_and_risk() -> None:
    assert title_of(seed_strategy()) == "DeFi dip buyer · High risk"


def test_an_executable_condition_names_the_entry_style_before_the_words() -> None:
    data = seed_strategy()
    entry = node(data, "entry")["meta"]
    entry["rules"] = ["Buy when the trend turns"]
    entry["conditions"] = [{"kind": "rsi_below", "period": 14, "threshold": 30}]
    data["degen_class"]["selected"] = "Low"

    assert title_of(data) == "DeFi oversold buyer · Low risk"


def test_rules_with_no_known_style_and_a_long_category_still_make_a_short_title() -> None:
    data = seed_strategy()
    node(data, "entry")["meta"]["rules"] = ["When the stars align"]
    node(data, "category")["meta"]["category"] = "Layer " * 30

    title = title_of(data)

    assert title.endswith("… strategy · High risk") and len(title) < 90


@pytest.mark.parametrize(("name", "cleaned"), [("  My  dip\tbuyer ", "My dip buyer"), ("Ω strategy", "Ω strategy")])
def test_a_name_is_trimmed_and_its_spaces_collapsed(name: str, cleaned: str) -> None:
    assert strategy_name_clean(name) == cleaned


@pytest.mark.parametrize(("name", "words"), [("", "empty"), (" \n ", "empty"), ("x" * 201, "200"), (None, "text")])
def test_an_unusable_name_is_refused_saying_why(name: Any, words: str) -> None:
    with pytest.raises(InvalidName, match=words):
        strategy_name_clean(name)
