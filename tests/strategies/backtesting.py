"""What backtest tests share: a strategy the engine can run, and stored candles that make it trade."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from strategies.models import Candle, Strategy, StrategyVersion
from strategies.services import strategy_version_create
from strategies.validation import validate_strategy
from tests.strategies import node, seed_strategy

START = datetime(2022, 1, 1, tzinfo=UTC)


def backtestable_strategy() -> dict[str, Any]:
    """The seed strategy on BTC/USDT with an executable entry (a 5 % drop from the 20-day high), validated."""
    data = seed_strategy()
    node(data, "category")["meta"]["symbol"] = "BTC/USDT"
    node(data, "entry")["meta"]["conditions"] = [{"kind": "drop_from_high", "pct": 5, "lookback_bars": 20}]
    return validated(data)


def validated(data: dict[str, Any]) -> dict[str, Any]:
    """`data` as the server stores it: validated, its guardrails computed."""
    return validate_strategy(data, stated_capital_usd=None).model_dump()


def store_candles(*, source: str = "demo", symbol: str = "BTC/USDT", bars: int = 400) -> None:
    """Daily bars from 2022-01-01 swinging ±15 % every 40 days: the seed's dips and take profits happen often."""
    rows, previous = [], 100.0
    for index in range(bars):
        close = 100 * (1 + 0.15 * math.sin(2 * math.pi * index / 40)) * (1 + 0.001 * index)
        rows.append(
            Candle(
                source=source, symbol=symbol, timeframe="1d", time=START + timedelta(days=index), open=previous,
                high=max(previous, close) * 1.01, low=min(previous, close) * 0.99, close=close, volume=1000.0,
            )
        )
        previous = close
    Candle.objects.bulk_create(rows)


def current_version_of(conversation: Any) -> StrategyVersion:
    """The conversation's current strategy version."""
    return Strategy.objects.select_related("current_version").get(conversation=conversation).current_version


def add_version(conversation: Any, data: dict[str, Any]) -> StrategyVersion:
    """Store `data` as the conversation's strategy's next version."""
    return strategy_version_create(strategy=Strategy.objects.get(conversation=conversation), data=data)
