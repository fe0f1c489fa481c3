"""Curves cut down to `MAX_CURVE_POINTS` without hiding their extremes.

The bars are split into equal buckets; each bucket keeps the bars where each drawn series is lowest and
highest (for the equity chart: the equity, buy-and-hold and the drawdown), in time order, and the last
bar is always kept. So the chart's peaks, troughs and deepest drawdown are the real ones.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strategies.backtest.candles import FloatArray, IntArray, iso_time
from strategies.backtest.results import MAX_CURVE_POINTS, EquityPoint, PricePoint


def extreme_indices(series: list[FloatArray], *, max_points: int) -> IntArray:
    """Indices of each bucket's lowest and highest value of every series, plus the last index."""
    n = len(series[0])
    per_bucket = 2 * len(series)
    if n <= max_points:
        return np.arange(n)
    buckets = (max_points - 1) // per_bucket
    size = -(-n // buckets)
    picks: list[npt.NDArray[np.intp]] = []
    for values in series:
        for fill, pick in ((np.inf, np.argmin), (-np.inf, np.argmax)):
            grid = np.full(buckets * size, fill)
            grid[:n] = values
            picks.append(pick(grid.reshape(buckets, size), axis=1) + np.arange(buckets) * size)
    chosen = np.unique(np.concatenate([*picks, [n - 1]]))
    return chosen[chosen < n]  # a trailing bucket may be all padding


def equity_points(times: IntArray, equity: FloatArray, buy_and_hold: FloatArray,
                  drawdown_pct: FloatArray) -> list[EquityPoint]:
    """The equity curve, downsampled keeping each bucket's extremes of all three lines."""
    keep = extreme_indices([equity, buy_and_hold, drawdown_pct], max_points=MAX_CURVE_POINTS)
    return [
        EquityPoint(time=iso_time(times[k]), equity=float(equity[k]), buy_and_hold=float(buy_and_hold[k]),
                    drawdown_pct=float(drawdown_pct[k]))
        for k in keep
    ]


def price_points(times: IntArray, close: FloatArray) -> list[PricePoint]:
    """The closes, downsampled keeping each bucket's lowest and highest close."""
    keep = extreme_indices([close], max_points=MAX_CURVE_POINTS)
    return [PricePoint(time=iso_time(times[k]), close=float(close[k])) for k in keep]
