"""No look-ahead: appending bars never changes a bar's signal, a closed trade, nor when a trade opened."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies.backtest.candles import Candles
from strategies.backtest.engine import run_backtest
from strategies.backtest.plan import Plan
from strategies.backtest.signals import entry_signal
from strategies.schemas import Condition, DropFromHigh, MACrossUp, PriceAboveMA, RSIBelow
from tests.strategies.backtest import first_bars

CONDITIONS: list[tuple[Condition, ...]] = [
    (DropFromHigh(kind="drop_from_high", pct=2, lookback_bars=3),),
    (PriceAboveMA(kind="price_above_ma", period=5),),
    (MACrossUp(kind="ma_cross_up", fast=2, slow=5),),
    (RSIBelow(kind="rsi_below", period=4, threshold=45),),
    (RSIBelow(kind="rsi_below", period=3, threshold=60), PriceAboveMA(kind="price_above_ma", period=3)),
]

bar_moves = st.tuples(
    st.floats(-0.08, 0.08),  # close versus open
    st.floats(0, 0.05),  # high above the body
    st.floats(0, 0.05),  # low below the body
    st.floats(-0.03, 0.03),  # the next open versus this close (gaps)
)


def _candles(moves: list[tuple[float, float, float, float]]) -> Candles:
    """Candles walked from 100 by the drawn moves."""
    rows, opening = [], 100.0
    for body, wick_up, wick_down, gap in moves:
        close = opening * (1 + body)
        rows.append((opening, max(opening, close) * (1 + wick_up), min(opening, close) * (1 - wick_down), close))
        opening = close * (1 + gap)
    o, h, lo, c = (np.array(column) for column in zip(*rows))
    return Candles(86_400 * np.arange(len(rows)), o, h, lo, c, np.ones(len(rows)))


@settings(max_examples=100, deadline=None)
@given(
    moves=st.lists(bar_moves, min_size=2, max_size=60),
    conditions=st.sampled_from(CONDITIONS),
    take_profit=st.sampled_from([None, 2.0, 6.0]),
    stop=st.sampled_from([None, 2.0, 5.0]),
    allocation=st.sampled_from([100.0, 40.0]),
)
def test_appending_bars_never_changes_earlier_trades(
    moves: list[tuple[float, float, float, float]], conditions: tuple[Condition, ...],
    take_profit: float | None, stop: float | None, allocation: float,
) -> None:
    full = _candles(moves)
    plan = Plan(conditions=conditions, take_profit_pct=take_profit, stop_loss_pct=stop, allocation_pct=allocation,
                symbol="BTC/USDT", timeframe="1d")
    later = run_backtest(plan, full, fee_pct=0.1).trades
    for cut in range(1, len(full)):
        earlier = run_backtest(plan, first_bars(full, cut), fee_pct=0.1).trades
        assert len(later) >= len(earlier)
        for before, after in zip(earlier, later):
            assert (before.entry_time, before.entry_price) == (after.entry_time, after.entry_price)
            if before.reason != "end":  # only the trade the data cut short may end differently
                assert before == after


@settings(max_examples=150, deadline=None)
@given(moves=st.lists(bar_moves, min_size=2, max_size=80), conditions=st.sampled_from(CONDITIONS))
def test_appending_bars_never_changes_a_bars_signal(
    moves: list[tuple[float, float, float, float]], conditions: tuple[Condition, ...]
) -> None:
    full = _candles(moves)
    signal = entry_signal(conditions, full).tolist()
    for cut in range(1, len(full)):
        assert entry_signal(conditions, first_bars(full, cut)).tolist() == signal[:cut]
