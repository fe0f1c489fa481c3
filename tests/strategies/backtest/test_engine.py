"""The engine's rules on hand-built candles: every expected figure is worked out by hand below."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

from strategies.backtest.candles import Candles
from strategies.backtest.engine import run_backtest
from strategies.backtest.plan import Plan
from strategies.backtest.results import MAX_CURVE_POINTS
from strategies.schemas import Condition, DropFromHigh
from tests.strategies.backtest import first_bars

DAY = 86_400
START = 1_704_067_200  # 2024-01-01T00:00:00Z
# A close at least 5 % below the previous bar's high: bar 1 below signals, so the entry is bar 2's open.
DROP = DropFromHigh(kind="drop_from_high", pct=5, lookback_bars=1)
SETUP = [(100, 100, 100, 100), (100, 100, 90, 90)]
ENTRY = 91.0
TARGET, STOP = ENTRY * 1.10, ENTRY * 0.95  # 100.1 and 86.45


def candles(rows: list[tuple[float, float, float, float]], *, step: int = DAY) -> Candles:
    """Candles from (open, high, low, close) rows, one `step` apart from 2024-01-01."""
    o, h, lo, c = (np.array(column, dtype=float) for column in zip(*rows))
    return Candles(START + step * np.arange(len(rows)), o, h, lo, c, np.ones(len(rows)))


def plan(*, conditions: tuple[Condition, ...] = (DROP,), take_profit: float | None = 10, stop: float | None = 5,
         allocation: float = 100) -> Plan:
    """A daily plan on the drop condition with a 10 % target and a 5 % stop unless told otherwise."""
    return Plan(conditions=conditions, take_profit_pct=take_profit, stop_loss_pct=stop, allocation_pct=allocation,
                symbol="BTC/USDT", timeframe="1d")


def test_a_drop_then_a_rise_takes_profit_once() -> None:
    rows = [*SETUP, (ENTRY, 95, 90.5, 94), (94, 101, 93, 100), (100, 100, 100, 100), (100, 100, 100, 100)]
    result = run_backtest(plan(), candles(rows), fee_pct=0)

    assert result.trades_total == 1
    (trade,) = result.trades
    assert (trade.entry_time, trade.entry_price) == ("2024-01-03T00:00:00Z", ENTRY)
    assert (trade.exit_time, trade.reason) == ("2024-01-04T00:00:00Z", "take_profit")
    assert trade.exit_price == pytest.approx(TARGET)
    metrics = result.metrics
    assert metrics.total_return_pct == pytest.approx(10)
    assert metrics.win_rate_pct == 100 and metrics.avg_trade_pct == pytest.approx(10)
    assert metrics.exposure_pct == pytest.approx(2 / 6 * 100)  # bars 2 and 3 of 6
    assert metrics.buy_and_hold_return_pct == pytest.approx(0)  # first open 100, last close 100
    daily = [10_000, 10_000, 10_000, 10_000 * 94 / ENTRY, 11_000, 11_000, 11_000]  # capital, then each close
    returns = [b / a - 1 for a, b in zip(daily, daily[1:])]
    assert metrics.sharpe == pytest.approx(statistics.mean(returns) / statistics.stdev(returns) * math.sqrt(365))
    assert metrics.cagr_pct == pytest.approx((1.1 ** (365 / 6) - 1) * 100)
    assert [point.equity for point in result.equity_curve] == pytest.approx(daily[1:])


def test_a_stop_hit_closes_at_the_stop_price() -> None:
    rows = [*SETUP, (ENTRY, 94, 90, 94), (90, 92, 86, 90), (90, 90, 90, 90)]
    result = run_backtest(plan(), candles(rows), fee_pct=0)

    (trade,) = result.trades
    assert trade.reason == "stop_loss" and trade.exit_price == pytest.approx(STOP)
    assert trade.return_pct == pytest.approx(-5)
    peak = 10_000 * 94 / ENTRY  # bar 2's close, marked to market
    assert result.metrics.max_drawdown_pct == pytest.approx((1 - 9_500 / peak) * 100)
    assert result.metrics.win_rate_pct == 0


def test_both_levels_inside_one_bar_the_stop_wins() -> None:
    rows = [*SETUP, (ENTRY, 94, 90, 94), (92, 101, 86, 95)]
    (trade,) = run_backtest(plan(), candles(rows), fee_pct=0).trades
    assert trade.reason == "stop_loss" and trade.exit_price == pytest.approx(STOP)


def test_a_gap_through_the_stop_fills_at_that_bars_open() -> None:
    rows = [*SETUP, (ENTRY, 94, 90, 94), (80, 82, 79, 81)]
    (trade,) = run_backtest(plan(), candles(rows), fee_pct=0).trades
    assert trade.reason == "stop_loss" and trade.exit_price == 80
    assert trade.return_pct == pytest.approx((80 / ENTRY - 1) * 100)


def test_a_gap_over_the_target_fills_at_that_bars_open() -> None:
    rows = [*SETUP, (ENTRY, 94, 90, 94), (105, 106, 85, 104)]
    (trade,) = run_backtest(plan(), candles(rows), fee_pct=0).trades
    assert trade.reason == "take_profit" and trade.exit_price == 105


def test_no_signal_means_no_trades_and_flat_equity() -> None:
    rows = [(100, 101, 99, 100)] * 30
    result = run_backtest(plan(), candles(rows), fee_pct=0.1)
    assert result.trades == [] and result.trades_total == 0
    metrics = result.metrics
    assert metrics.total_return_pct == 0 and metrics.max_drawdown_pct == 0 and metrics.exposure_pct == 0
    assert metrics.win_rate_pct is None and metrics.avg_trade_pct is None and metrics.sharpe is None
    assert {point.equity for point in result.equity_curve} == {10_000}


def test_fees_are_charged_on_both_sides_notional() -> None:
    rows = [*SETUP, (ENTRY, 95, 90.5, 94), (94, 101, 93, 100)]
    result = run_backtest(plan(), candles(rows), fee_pct=1)
    # The 10,000 pays the position and its 1 % entry fee: notional N with N * 1.01 = 10,000.
    notional = 10_000 / 1.01
    exit_notional = notional * TARGET / ENTRY
    final = exit_notional - exit_notional * 0.01
    assert result.metrics.total_return_pct == pytest.approx((final / 10_000 - 1) * 100)
    assert result.trades[0].return_pct == pytest.approx((final / 10_000 - 1) * 100)


def test_allocation_below_100_puts_only_that_share_of_equity_at_risk() -> None:
    rows = [*SETUP, (ENTRY, 95, 90.5, 94), (94, 101, 93, 100)]
    result = run_backtest(plan(allocation=50), candles(rows), fee_pct=0)
    assert result.metrics.total_return_pct == pytest.approx(5)  # 5,000 kept + 5,000 that gained 10 %
    assert result.trades[0].return_pct == pytest.approx(10)


def test_allocation_is_a_share_of_the_equity_at_each_entry() -> None:
    won = [(ENTRY, 95, 90.5, 94), (94, 101, 93, 100)]
    rows = [*SETUP, *won, (100, 100, 90, 90), *won]  # the second drop enters again at 91 and wins again
    result = run_backtest(plan(allocation=50), candles(rows), fee_pct=0)
    assert result.trades_total == 2
    assert result.metrics.total_return_pct == pytest.approx((1.05 * 1.05 - 1) * 100)


def test_a_position_open_at_the_end_closes_at_the_last_close_with_its_fee() -> None:
    rows = [*SETUP, (ENTRY, 95, 90.5, 94), (94, 96, 93, 95)]
    result = run_backtest(plan(), candles(rows), fee_pct=0.5)
    (trade,) = result.trades
    assert (trade.reason, trade.exit_price, trade.exit_time) == ("end", 95, "2024-01-04T00:00:00Z")
    notional = 10_000 / 1.005
    assert result.metrics.total_return_pct == pytest.approx((notional * 95 / ENTRY * 0.995 / 10_000 - 1) * 100)


def test_an_empty_series_is_refused_with_a_sentence() -> None:
    empty = first_bars(candles([(100, 100, 100, 100)]), 0)
    with pytest.raises(ValueError, match="A backtest needs at least one candle."):
        run_backtest(plan(), empty, fee_pct=0)


def test_a_signal_on_the_last_bar_is_not_filled() -> None:
    result = run_backtest(plan(), candles(SETUP), fee_pct=0)
    assert result.trades_total == 0


def test_without_levels_a_position_is_held_to_the_end() -> None:
    rows = [*SETUP, (ENTRY, 200, 50, 150), (150, 150, 150, 150)]
    (trade,) = run_backtest(plan(take_profit=None, stop=None), candles(rows), fee_pct=0).trades
    assert trade.reason == "end" and trade.exit_price == 150


def test_a_new_entry_may_follow_on_the_bar_a_position_exited() -> None:
    # Bar 3 stops out and closes 5 % below its own high: the next position opens at bar 4's open.
    rows = [*SETUP, (ENTRY, 94, 90, 94), (90, 92, 86, 87), (87, 88, 87, 88)]
    result = run_backtest(plan(), candles(rows), fee_pct=0)
    assert [trade.entry_price for trade in result.trades] == [ENTRY, 87]
    assert [trade.reason for trade in result.trades] == ["stop_loss", "end"]


def _random_walk(bars: int, seed: int = 7) -> Candles:
    """A long, seeded random walk of hourly candles."""
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, bars)))
    opening = np.concatenate(([100.0], close[:-1]))
    high = np.maximum(opening, close) * (1 + rng.uniform(0, 0.004, bars))
    low = np.minimum(opening, close) * (1 - rng.uniform(0, 0.004, bars))
    return Candles(START + 3_600 * np.arange(bars), opening, high, low, close, np.ones(bars))


def test_curves_are_cut_to_the_limit_keeping_the_extremes_and_the_last_bar() -> None:
    series = _random_walk(20_000)
    result = run_backtest(plan(take_profit=2, stop=2), series, fee_pct=0.1)
    assert len(result.equity_curve) <= MAX_CURVE_POINTS and len(result.price_curve) <= MAX_CURVE_POINTS
    closes = [point.close for point in result.price_curve]
    assert max(closes) == series.close.max() and min(closes) == series.close.min()
    assert result.price_curve[-1].time == result.end
    drawdowns = [point.drawdown_pct for point in result.equity_curve]
    assert max(drawdowns) == pytest.approx(result.metrics.max_drawdown_pct)
    assert result.equity_curve[-1].equity == pytest.approx((1 + result.metrics.total_return_pct / 100) * 10_000)


def test_progress_is_reported_at_most_every_five_percent_and_ends_at_100() -> None:
    reported: list[float] = []
    often = DropFromHigh(kind="drop_from_high", pct=0.5, lookback_bars=3)
    result = run_backtest(plan(conditions=(often,), take_profit=1, stop=1), _random_walk(20_000), fee_pct=0.1,
                          on_progress=reported.append)
    assert result.trades_total > 1000  # a report per trade would be far more than 21
    assert reported[-1] == 100 and 2 <= len(reported) <= 21
    assert all(later - earlier >= 4.9 for earlier, later in zip(reported, reported[1:]))
