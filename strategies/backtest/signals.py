"""Entry signals: for each bar, whether every entry condition holds at its close (no later bar read)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from strategies.backtest.candles import Candles
from strategies.backtest.indicators import prior_high, sma, wilder_rsi
from strategies.schemas import Condition, DropFromHigh, MACrossUp, PriceAboveMA, RSIBelow

BoolArray = npt.NDArray[np.bool_]


def condition_holds(condition: Condition, candles: Candles) -> BoolArray:
    """Where one condition holds; False wherever its indicator is not yet defined."""
    close = candles.close
    with np.errstate(invalid="ignore"):  # NaN compares False: no signal before the data exist
        if isinstance(condition, DropFromHigh):
            return close <= prior_high(candles.high, condition.lookback_bars) * (1 - condition.pct / 100)
        if isinstance(condition, PriceAboveMA):
            return close > sma(close, condition.period)
        if isinstance(condition, MACrossUp):
            slow = sma(close, condition.slow)
            above = sma(close, condition.fast) > slow
            was_at_or_below = np.concatenate(([False], ~np.isnan(slow[:-1]) & ~above[:-1]))
            return above & was_at_or_below
        if isinstance(condition, RSIBelow):
            return wilder_rsi(close, condition.period) < condition.threshold
    raise TypeError(f"unknown condition kind: {condition!r}")


def entry_signal(conditions: Sequence[Condition], candles: Candles) -> BoolArray:
    """Where all `conditions` hold at the bar's close (never, without conditions)."""
    if not conditions:
        return np.zeros(len(candles), dtype=bool)
    signal = np.ones(len(candles), dtype=bool)
    for condition in conditions:
        signal &= condition_holds(condition, candles)
    return signal
