"""Each entry condition kind on a short series whose indicator values are worked out by hand below."""

from __future__ import annotations

import numpy as np

from strategies.backtest.candles import Candles
from strategies.backtest.signals import condition_holds, entry_signal
from strategies.schemas import DropFromHigh, MACrossUp, PriceAboveMA, RSIBelow


def closes(values: list[float], highs: list[float] | None = None) -> Candles:
    """Bars that open, dip and close at `values` (highs as given, else the close)."""
    close = np.array(values, dtype=float)
    high = np.array(highs, dtype=float) if highs is not None else close
    return Candles(np.arange(len(values)) * 86_400, close, high, close, close, np.ones(len(values)))


def test_drop_from_high_compares_the_close_with_the_highest_high_of_the_bars_before() -> None:
    series = closes([10, 11, 6, 7, 5.5], highs=[10, 12, 11, 8, 6])
    condition = DropFromHigh(kind="drop_from_high", pct=50, lookback_bars=2)
    # Bar 2: the high of bars 0-1 is 12, half is 6: holds. Bar 3: 12 again, 7 > 6. Bar 4: max(11, 8) = 11, 5.5.
    # Bars 0 and 1 have fewer than two bars before them: no signal.
    assert condition_holds(condition, series).tolist() == [False, False, True, False, True]


def test_drop_from_high_excludes_the_bar_itself() -> None:
    series = closes([10, 10, 5], highs=[10, 10, 20])  # bar 2's own high of 20 must not count
    condition = DropFromHigh(kind="drop_from_high", pct=50, lookback_bars=2)
    assert condition_holds(condition, series).tolist() == [False, False, True]


def test_price_above_ma_uses_the_simple_average_including_the_bar() -> None:
    # 3-bar averages from bar 2: 2, 7/3, 2, 8/3.
    series = closes([1, 2, 3, 2, 1, 5])
    condition = PriceAboveMA(kind="price_above_ma", period=3)
    assert condition_holds(condition, series).tolist() == [False, False, True, False, False, True]


def test_ma_cross_up_holds_only_on_the_bar_of_the_cross() -> None:
    # 2-bar averages: -, 2.5, 1.5, 1.5, 2.5, 3.5; 3-bar: -, -, 2, 5/3, 2, 3. Fast is above from bar 4 on.
    series = closes([3, 2, 1, 2, 3, 4])
    condition = MACrossUp(kind="ma_cross_up", fast=2, slow=3)
    assert condition_holds(condition, series).tolist() == [False, False, False, False, True, False]


def test_ma_cross_up_needs_the_slow_average_on_the_bar_before() -> None:
    series = closes([1, 2, 3, 4])  # fast above slow from bar 2, the slow average's first bar: no cross seen
    condition = MACrossUp(kind="ma_cross_up", fast=2, slow=3)
    assert not condition_holds(condition, series).any()


def test_rsi_below_uses_wilders_smoothing() -> None:
    # Changes -1, -1, +1, -1. Bar 2: gains 0, losses 1: RSI 0. Bar 3: gain 0.5, loss 0.5: RSI 50.
    # Bar 4: gain 0.25, loss 0.25 + 0.5 = 0.75: RS 1/3, RSI 25.
    series = closes([4, 3, 2, 3, 2])
    condition = RSIBelow(kind="rsi_below", period=2, threshold=40)
    assert condition_holds(condition, series).tolist() == [False, False, True, False, True]


def test_every_condition_on_an_entry_must_hold() -> None:
    series = closes([1, 2, 3, 2, 1, 5])
    above = PriceAboveMA(kind="price_above_ma", period=3)  # bars 2 and 5
    cross = MACrossUp(kind="ma_cross_up", fast=2, slow=3)  # fast: -, 1.5, 2.5, 2.5, 1.5, 3; slow: -, -, 2, 7/3, 2, 8/3
    assert condition_holds(cross, series).tolist() == [False, False, False, False, False, True]
    assert entry_signal([above, cross], series).tolist() == [False, False, False, False, False, True]
    assert not entry_signal([], series).any()
