"""The shapes a backtest produces, defined once: the engine returns them, runs store them, frames carry them.

Curves are downsampled to at most `MAX_CURVE_POINTS` points and the trade list to the last
`MAX_TRADES` trades (`trades_total` counts them all), so a result always fits one socket frame.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from strategies.schemas import GuardrailItem

MAX_CURVE_POINTS = 1000
MAX_TRADES = 500

ExitReason = Literal["take_profit", "stop_loss", "end"]


class _Shape(BaseModel):
    """Base of the result shapes: frozen, no extra keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class BacktestMetrics(_Shape):
    """What a run measured; percentages are percent (12.5 = 12.5 %)."""

    total_return_pct: float
    buy_and_hold_return_pct: float
    cagr_pct: float
    max_drawdown_pct: float  # the largest fall of the equity curve from a peak, as a positive number
    sharpe: float | None  # None when the daily returns do not vary
    trades: int
    win_rate_pct: float | None  # None without trades
    exposure_pct: float  # share of bars with a position open
    avg_trade_pct: float | None  # None without trades


class EquityPoint(_Shape):
    """The strategy's equity and buy-and-hold's at one bar's close, in the starting capital's units."""

    time: str  # ISO 8601, UTC
    equity: float
    buy_and_hold: float
    drawdown_pct: float  # below the equity's running peak, as a positive number


class PricePoint(_Shape):
    """One bar's close, for the price chart the trades are marked on."""

    time: str
    close: float


class Trade(_Shape):
    """One round trip."""

    entry_time: str
    entry_price: float
    exit_time: str
    exit_price: float
    reason: ExitReason
    return_pct: float  # after fees on both sides


class BacktestData(_Shape):
    """The candles a run read: where from, which market, which range."""

    source: str  # e.g. "binance", "import:my-file", "demo"
    synthetic: bool  # true for the bundled demo set: "synthetic demo data — not market history"
    symbol: str
    timeframe: str
    start: str
    end: str
    bars: int


class BacktestReport(_Shape):
    """A stored run as the builder shows it: `backtest_result` frames and `conversation_state` carry it."""

    backtest_id: str
    number: int  # "backtest #N": counted within the strategy, from 1
    strategy_version: int
    created_at: str
    fee_pct: float
    data: BacktestData
    metrics: BacktestMetrics
    equity_curve: list[EquityPoint]
    price_curve: list[PricePoint]
    trades: list[Trade]
    trades_total: int
    #: The version's monthly target checked against this run's CAGR: the builder shows it in place of the
    #: version's own `monthly_target` guardrail (which could only compare with a ceiling).
    target_check: GuardrailItem
