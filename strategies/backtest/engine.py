"""The backtest engine: one long position at a time over numpy arrays of candles (pure, no I/O).

The rules: a signal at the close of bar i fills at the open of bar i + 1; the take profit and stop
loss are live from the entry bar on. Within a bar the open comes first, so an open at or through a
level fills there (a gap fills at that bar's open); otherwise, when the bar's range reaches both
levels, the stop wins. A signal at the close of the bar a position exited on may enter again. The
position is `allocation_pct` of the equity at entry, and that budget pays the position and its entry
fee; `fee_pct` is charged on each side's notional. A position still open at the end closes at the
last close (reason `end`). Buy-and-hold buys at the first open and is valued at each close (no fees).

Signals are computed for all bars at once; the walk from one trade to the next jumps to the next
signal (a binary search) and looks for the exit in windows that double, so a run is O(n) in bars.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from strategies.backtest.candles import TIMEFRAME_SECONDS, Candles, iso_time
from strategies.backtest.curves import equity_points, price_points
from strategies.backtest.metrics import drawdown_pct, run_metrics
from strategies.backtest.plan import Plan
from strategies.backtest.results import MAX_TRADES, BacktestMetrics, EquityPoint, ExitReason, PricePoint, Trade
from strategies.backtest.signals import entry_signal

DEFAULT_CAPITAL = 10_000.0
PROGRESS_STEP_PCT = 5.0
_FIRST_WINDOW = 16  # bars scanned for an exit before the window doubles


@dataclass(frozen=True)
class EngineResult:
    """What one run measured; `trades` are the last `MAX_TRADES`, `trades_total` counts them all."""

    metrics: BacktestMetrics
    equity_curve: list[EquityPoint]
    price_curve: list[PricePoint]
    trades: list[Trade]
    trades_total: int
    start: str  # the first bar's open time, ISO 8601 UTC
    end: str  # the last bar's open time
    bars: int


@dataclass(frozen=True)
class _Fill:
    """A closed round trip, in bar indices and prices."""

    entry_bar: int
    entry_price: float
    exit_bar: int
    exit_price: float
    reason: ExitReason
    return_pct: float


class _Progress:
    """Calls `on_progress(pct)` each time the walk passes another `PROGRESS_STEP_PCT` of the bars."""

    def __init__(self, bars: int, on_progress: Callable[[float], None] | None) -> None:
        self._bars, self._callback, self._next = bars, on_progress, PROGRESS_STEP_PCT

    def reached(self, bar: int) -> None:
        """Report `bar` as done if that crosses the next step."""
        pct = bar / self._bars * 100
        if self._callback is not None and pct >= self._next:
            self._callback(round(pct, 1))
            self._next = (pct // PROGRESS_STEP_PCT + 1) * PROGRESS_STEP_PCT


def _exit_bar(candles: Candles, start: int, stop: float, target: float) -> int | None:
    """The first bar from `start` whose range reaches the stop or the target, or None."""
    n, window = len(candles), _FIRST_WINDOW
    while start < n:
        end = min(n, start + window)
        hit = (candles.low[start:end] <= stop) | (candles.high[start:end] >= target)
        first = int(hit.argmax())
        if hit[first]:
            return start + first
        start, window = end, window * 2
    return None


def _exit_fill(candles: Candles, bar: int, stop: float, target: float) -> tuple[float, ExitReason]:
    """The price and reason of an exit on `bar`: a gap fills at the open, and the stop beats the target."""
    opening = float(candles.open[bar])
    if opening <= stop:
        return opening, "stop_loss"
    if opening >= target:
        return opening, "take_profit"
    if candles.low[bar] <= stop:
        return stop, "stop_loss"
    return target, "take_profit"


def run_backtest(
    plan: Plan,
    candles: Candles,
    *,
    fee_pct: float,
    capital: float = DEFAULT_CAPITAL,
    on_progress: Callable[[float], None] | None = None,
) -> EngineResult:
    """Run `plan` over `candles` (at least one bar), charging `fee_pct` % of each side's notional."""
    n, fee = len(candles), fee_pct / 100
    if n == 0:
        raise ValueError("A backtest needs at least one candle.")
    signal_bars = np.flatnonzero(entry_signal(plan.conditions, candles)[:-1])  # the last close cannot fill
    equity = np.empty(n)
    cash, flat_from, fills, progress = capital, 0, [], _Progress(n, on_progress)
    search_from = 0
    while (k := int(np.searchsorted(signal_bars, search_from))) < len(signal_bars):
        entry_bar = int(signal_bars[k]) + 1
        entry_price = float(candles.open[entry_bar])
        budget = cash * plan.allocation_pct / 100
        notional = budget / (1 + fee)
        units, held_cash = notional / entry_price, cash - budget
        stop = entry_price * (1 - plan.stop_loss_pct / 100) if plan.stop_loss_pct else 0.0
        target = entry_price * (1 + plan.take_profit_pct / 100) if plan.take_profit_pct else np.inf
        exit_bar = _exit_bar(candles, entry_bar, stop, target)
        if exit_bar is None:
            exit_bar, exit_price, reason = n - 1, float(candles.close[-1]), "end"
        else:
            exit_price, reason = _exit_fill(candles, exit_bar, stop, target)
        proceeds = units * exit_price * (1 - fee)
        equity[flat_from:entry_bar] = cash
        equity[entry_bar:exit_bar] = held_cash + units * candles.close[entry_bar:exit_bar]
        cash = held_cash + proceeds
        equity[exit_bar] = cash
        fills.append(_Fill(entry_bar, entry_price, exit_bar, exit_price, reason, (proceeds / budget - 1) * 100))
        flat_from, search_from = exit_bar + 1, exit_bar
        progress.reached(exit_bar + 1)
        if reason == "end":
            break
    equity[flat_from:] = cash
    progress.reached(n)
    return _result(plan, candles, equity, fills, capital)


def _result(plan: Plan, candles: Candles, equity: np.ndarray, fills: list[_Fill], capital: float) -> EngineResult:
    """Assemble the metrics, curves and trade list of a finished walk."""
    times = candles.times
    buy_and_hold = capital * candles.close / candles.open[0]
    drawdown = drawdown_pct(equity, capital)
    seconds = float(times[-1] - times[0] + TIMEFRAME_SECONDS[plan.timeframe])
    metrics = run_metrics(
        times=times, equity=equity, drawdown=drawdown, capital=capital,
        buy_and_hold_return=float(candles.close[-1] / candles.open[0] - 1), seconds=seconds,
        trade_returns=np.array([fill.return_pct for fill in fills]),
        bars_in_position=sum(fill.exit_bar - fill.entry_bar + 1 for fill in fills),
    )
    trades = [
        Trade(entry_time=iso_time(times[fill.entry_bar]), entry_price=fill.entry_price,
              exit_time=iso_time(times[fill.exit_bar]), exit_price=fill.exit_price, reason=fill.reason,
              return_pct=fill.return_pct)
        for fill in fills[-MAX_TRADES:]
    ]
    return EngineResult(
        metrics=metrics,
        equity_curve=equity_points(times, equity, buy_and_hold, drawdown),
        price_curve=price_points(times, candles.close),
        trades=trades,
        trades_total=len(fills),
        start=iso_time(times[0]),
        end=iso_time(times[-1]),
        bars=len(candles),
    )
