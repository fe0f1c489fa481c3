"""The indicators the entry conditions read, each O(n) over numpy arrays; NaN where not yet defined.

`sma` uses cumulative sums, `prior_high` the van Herk / Gil-Werman block maxima (prefix and suffix
running maxima of fixed blocks, so every window is answered by two lookups whatever its length),
`wilder_rsi` Wilder's recursive smoothing in one pass.
"""

from __future__ import annotations

import numpy as np

from strategies.backtest.candles import FloatArray


def sma(values: FloatArray, period: int) -> FloatArray:
    """The mean of the last `period` values at each index (the value itself included)."""
    out = np.full(len(values), np.nan)
    if period <= len(values):
        sums = np.cumsum(np.concatenate(([0.0], values)))
        out[period - 1:] = (sums[period:] - sums[:-period]) / period
    return out


def rolling_max(values: FloatArray, window: int) -> FloatArray:
    """`out[j]` is the largest of `values[j : j + window]`, for every full window (length n - window + 1)."""
    n = len(values)
    if window > n:
        return np.empty(0)
    blocks = -(-n // window)
    padded = np.full(blocks * window, -np.inf)
    padded[:n] = values
    grid = padded.reshape(blocks, window)
    prefix = np.maximum.accumulate(grid, axis=1).ravel()
    suffix = np.maximum.accumulate(grid[:, ::-1], axis=1)[:, ::-1].ravel()
    starts = np.arange(n - window + 1)
    # A window starting at j ends at j + window - 1: the suffix of j's block and the prefix of the next.
    return np.maximum(suffix[starts], prefix[starts + window - 1])


def prior_high(high: FloatArray, lookback: int) -> FloatArray:
    """The highest high of the `lookback` bars before each bar (the bar itself excluded)."""
    out = np.full(len(high), np.nan)
    if lookback < len(high):
        out[lookback:] = rolling_max(high[:-1], lookback)
    return out


def wilder_rsi(close: FloatArray, period: int) -> FloatArray:
    """Wilder's RSI: averages of gains and losses seeded by their plain mean, then smoothed by 1/period.

    Defined from index `period` (it needs `period` price changes); 100 when nothing fell, 50 when
    nothing moved at all.
    """
    out = np.full(len(close), np.nan)
    if period >= len(close):
        return out
    changes = np.diff(close)
    gains, losses = np.maximum(changes, 0.0), np.maximum(-changes, 0.0)
    avg_gain, avg_loss = float(gains[:period].mean()), float(losses[:period].mean())
    keep = (period - 1) / period
    gain_list, loss_list = gains.tolist(), losses.tolist()  # Python floats: the recursion cannot vectorise
    averages = [(avg_gain, avg_loss)]
    for k in range(period, len(changes)):
        avg_gain = avg_gain * keep + gain_list[k] / period
        avg_loss = avg_loss * keep + loss_list[k] / period
        averages.append((avg_gain, avg_loss))
    gain_avg, loss_avg = np.array(averages).T
    with np.errstate(divide="ignore", invalid="ignore"):
        rsi = 100.0 - 100.0 / (1.0 + gain_avg / loss_avg)
    rsi = np.where(loss_avg == 0, np.where(gain_avg == 0, 50.0, 100.0), rsi)
    out[period:] = rsi
    return out
