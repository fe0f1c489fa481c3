"""The backtest engine: one long position at a time, run bar by bar over numpy arrays (no I/O).

`run_backtest(plan, candles, *, fee_pct)` returns an `EngineResult`: the metrics, the downsampled
equity and price curves and the trade list in the shapes of `strategies.backtest.results`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from strategies.backtest.candles import Candles
from strategies.backtest.plan import Plan
from strategies.backtest.results import BacktestMetrics, EquityPoint, PricePoint, Trade

DEFAULT_CAPITAL = 10_000.0


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


def run_backtest(
    plan: Plan,
    candles: Candles,
    *,
    fee_pct: float,
    capital: float = DEFAULT_CAPITAL,
    on_progress: Callable[[float], None] | None = None,
) -> EngineResult:
    """Run `plan` over `candles`, charging `fee_pct` % of each side's notional."""
    raise NotImplementedError
