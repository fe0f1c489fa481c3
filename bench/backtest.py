"""CPU time of the backtest engine on a 4-year hourly series (35,000 synthetic bars), per kind of plan.

No Django, no database: the engine is pure. The candles are a seeded random walk with volatility
regimes (not market data). CPU is `time.process_time()` around `run_backtest`, which includes the
indicators, the walk, the metrics and the downsampled curves; each plan runs `--repeats` times and
the table gives the lowest and the median.

    .venv/bin/python -m bench.backtest                  # 35,000 bars, 5 repeats
    .venv/bin/python -m bench.backtest --bars 2000 --repeats 1
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from strategies.backtest.candles import Candles
from strategies.backtest.engine import run_backtest
from strategies.backtest.plan import Plan
from strategies.schemas import Condition, DropFromHigh, MACrossUp, PriceAboveMA, RSIBelow

HOUR = 3_600
FOUR_YEARS_HOURLY = 35_000
SEED = 15

DROP = DropFromHigh(kind="drop_from_high", pct=5, lookback_bars=20)
RSI = RSIBelow(kind="rsi_below", period=14, threshold=30)
ABOVE = PriceAboveMA(kind="price_above_ma", period=50)
CROSS = MACrossUp(kind="ma_cross_up", fast=50, slow=200)
EVERY_BAR = DropFromHigh(kind="drop_from_high", pct=0.1, lookback_bars=1)

#: (label, conditions, take profit %, stop %): from the seed's strategy to one that trades almost every bar.
PLANS: tuple[tuple[str, tuple[Condition, ...], float | None, float | None], ...] = (
    ("5 % drop from the 20-bar high, TP 7 %, stop 5 %", (DROP,), 7.0, 5.0),
    ("RSI(14) < 30, TP 3 %, stop 2 %", (RSI,), 3.0, 2.0),
    ("above the 50-bar MA, TP 3 %, stop 2 %", (ABOVE,), 3.0, 2.0),
    ("50/200 MA cross, no levels (held to the end)", (CROSS,), None, None),
    ("all four kinds at once (rarely all hold: the indicators' cost)", (DROP, RSI, ABOVE, CROSS), 2.0, 2.0),
    ("0.1 % below the last high, TP 0.5 %, stop 0.5 % (thousands of trades)", (EVERY_BAR,), 0.5, 0.5),
)


def synthetic_candles(bars: int, *, seed: int = SEED) -> Candles:
    """A seeded hourly random walk whose volatility switches between calm and wild regimes."""
    rng = np.random.default_rng(seed)
    volatility = np.repeat(rng.choice([0.004, 0.008, 0.016], size=bars // 500 + 1), 500)[:bars]
    close = 20_000 * np.exp(np.cumsum(rng.normal(0, volatility)))
    opening = np.concatenate(([20_000.0], close[:-1]))
    high = np.maximum(opening, close) * (1 + np.abs(rng.normal(0, volatility / 2)))
    low = np.minimum(opening, close) * (1 - np.abs(rng.normal(0, volatility / 2)))
    return Candles(1_640_995_200 + HOUR * np.arange(bars), opening, high, low, close, np.ones(bars))


def measure(candles: Candles, conditions: tuple[Condition, ...], take_profit: float | None, stop: float | None,
            *, repeats: int) -> tuple[list[float], int]:
    """CPU seconds of each repeat of one plan, and its trade count."""
    plan = Plan(conditions=conditions, take_profit_pct=take_profit, stop_loss_pct=stop, allocation_pct=100,
                symbol="BTC/USDT", timeframe="1h")
    seconds, trades = [], 0
    for _ in range(repeats):
        began = time.process_time()
        trades = run_backtest(plan, candles, fee_pct=0.1).trades_total
        seconds.append(time.process_time() - began)
    return seconds, trades


def main() -> None:
    """Print a markdown table of CPU seconds per plan."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=FOUR_YEARS_HOURLY)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    candles = synthetic_candles(args.bars)
    print(f"{args.bars} hourly bars, fee 0.1 %, {args.repeats} repeats, CPU seconds per run\n")
    print("| plan | trades | lowest s | median s |")
    print("|---|---|---|---|")
    for label, conditions, take_profit, stop in PLANS:
        seconds, trades = measure(candles, conditions, take_profit, stop, repeats=args.repeats)
        print(f"| {label} | {trades} | {min(seconds):.3f} | {statistics.median(seconds):.3f} |")


if __name__ == "__main__":
    main()
