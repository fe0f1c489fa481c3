"""The figures of a finished run, from its per-bar equity and its trades' returns.

Sharpe uses daily returns over a 365-day year (crypto trades every day): intraday equity is
resampled to each UTC day's last close, with the starting capital as the first day's base.
"""

from __future__ import annotations

import math

import numpy as np

from strategies.backtest.candles import FloatArray, IntArray
from strategies.backtest.results import BacktestMetrics

SECONDS_PER_DAY = 86_400
DAYS_PER_YEAR = 365
MAX_CAGR_EXPONENT = math.log(1e10)


def drawdown_pct(equity: FloatArray, capital: float) -> FloatArray:
    """How far each bar's equity is below its running peak (the capital counts as a peak), in percent."""
    peaks = np.maximum.accumulate(np.maximum(equity, capital))
    return (1 - equity / peaks) * 100


def daily_closes(times: IntArray, equity: FloatArray) -> FloatArray:
    """Each UTC day's last equity value, in time order."""
    days = times // SECONDS_PER_DAY
    last_of_day = np.flatnonzero(np.diff(days) != 0)
    return equity[np.concatenate((last_of_day, [len(equity) - 1]))]


def sharpe_ratio(times: IntArray, equity: FloatArray, capital: float) -> float | None:
    """Annualised Sharpe ratio of daily returns (no risk-free rate); None when they do not vary."""
    closes = np.concatenate(([capital], daily_closes(times, equity)))
    returns = np.diff(closes) / closes[:-1]
    if len(returns) < 2:
        return None
    spread = float(returns.std(ddof=1))
    if spread <= 1e-12:
        return None
    return float(returns.mean()) / spread * math.sqrt(DAYS_PER_YEAR)


def cagr_pct(final: float, capital: float, seconds: float) -> float:
    """The compound annual growth rate that turns `capital` into `final` over `seconds`."""
    if final <= 0:
        return -100.0
    years = seconds / (SECONDS_PER_DAY * DAYS_PER_YEAR)
    # A few hours' gain compounded to a year can overflow a float: cap the rate at 10^12 %.
    exponent = min(math.log(final / capital) / years, MAX_CAGR_EXPONENT)
    return math.expm1(exponent) * 100


def run_metrics(*, times: IntArray, equity: FloatArray, drawdown: FloatArray, capital: float,
                buy_and_hold_return: float, seconds: float, trade_returns: FloatArray,
                bars_in_position: int) -> BacktestMetrics:
    """All of `BacktestMetrics` for one run."""
    final = float(equity[-1])
    trades = len(trade_returns)
    return BacktestMetrics(
        total_return_pct=(final / capital - 1) * 100,
        buy_and_hold_return_pct=buy_and_hold_return * 100,
        cagr_pct=cagr_pct(final, capital, seconds),
        max_drawdown_pct=float(drawdown.max()),
        sharpe=sharpe_ratio(times, equity, capital),
        trades=trades,
        win_rate_pct=float((trade_returns > 0).mean() * 100) if trades else None,
        exposure_pct=bars_in_position / len(equity) * 100,
        avg_trade_pct=float(trade_returns.mean()) if trades else None,
    )
