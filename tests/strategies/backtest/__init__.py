"""Helpers for the backtest engine's tests."""

from __future__ import annotations

from strategies.backtest.candles import Candles


def first_bars(candles: Candles, bars: int) -> Candles:
    """The first `bars` bars of the candles, checked again as any candles are."""
    return Candles(candles.times[:bars], candles.open[:bars], candles.high[:bars], candles.low[:bars],
                   candles.close[:bars], candles.volume[:bars])
