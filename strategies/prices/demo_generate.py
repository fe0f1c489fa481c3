"""Generating the bundled demo set: "synthetic demo data — not market history" (no Django here).

`python -m strategies.prices.demo_generate` rewrites the files in `demo_data/` (seeded, so the same
bytes every time): for each market a four-year hourly path from geometric Brownian motion whose drift
follows bull, bear and sideways regimes (a Markov chain of days shared by the coins, whose shocks
correlate) and whose volatility clusters (GARCH(1,1)). Its daily bars (2022-2025) are kept, and its
last year of hourly bars. The pegged USDC/USDT pair reverts to 1.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from strategies.prices.csv_format import TIMEFRAME_SECONDS, Bar

DATA_DIR = Path(__file__).with_name("demo_data")
FIRST_DAY = datetime(2022, 1, 1, tzinfo=UTC)
DAYS = 4 * 365 + 1  # 2022-01-01 to 2025-12-31
HOURLY_DAYS = 365  # the last year
SEED = 20260101
_HOURS_A_YEAR = 365 * 24
# (drift a year, volatility multiplier, mean length in days) of each regime, and how they follow each other.
_REGIMES = ((0.7, 0.9, 90), (-0.5, 1.25, 60), (0.0, 0.75, 50))
_NEXT_REGIME = ((0.0, 0.5, 0.5), (0.4, 0.0, 0.6), (0.6, 0.4, 0.0))
_CORRELATION = 0.75  # of each coin's hourly shock with the market's common one


@dataclass(frozen=True)
class DemoMarket:
    """One demo market's character: where its price starts, how much it moves, how much it trades."""

    symbol: str
    start_price: float
    annual_volatility: float
    hourly_volume: float  # in the base currency, on an average hour
    pegged: bool = False


#: The default symbol of every category (`strategies.symbols.DEFAULT_SYMBOLS`).
DEMO_MARKETS = (
    DemoMarket("BTC/USDT", 46_000.0, 0.60, 1_200.0),
    DemoMarket("ETH/USDT", 3_700.0, 0.75, 15_000.0),
    DemoMarket("SOL/USDT", 170.0, 1.00, 120_000.0),
    DemoMarket("DOGE/USDT", 0.17, 1.10, 60_000_000.0),
    DemoMarket("FET/USDT", 0.60, 1.20, 2_000_000.0),
    DemoMarket("USDC/USDT", 1.0, 0.02, 30_000_000.0, pegged=True),
)


def demo_file(symbol: str, timeframe: str) -> Path:
    """Where one market's demo candles at one timeframe are kept."""
    return DATA_DIR / f"{symbol.replace('/', '-')}_{timeframe}.csv.gz"


def resample(bars: list[Bar], *, timeframe: str) -> list[Bar]:
    """Merge consecutive bars into bars of a longer `timeframe` (first open, highest high, last close)."""
    step = TIMEFRAME_SECONDS[timeframe]
    groups: dict[int, list[Bar]] = {}
    for bar in bars:
        groups.setdefault(int(bar.time.timestamp()) // step, []).append(bar)
    return [
        Bar(datetime.fromtimestamp(key * step, UTC), group[0].open, max(bar.high for bar in group),
            min(bar.low for bar in group), group[-1].close, sum(bar.volume for bar in group))
        for key, group in groups.items()
    ]


@dataclass(frozen=True)
class CryptoMarket:
    """What every demo coin shares: the day's regime (drift, volatility multiplier) and the hour's common shock."""

    drift: np.ndarray  # a year, per day
    multiplier: np.ndarray  # per day
    common_shocks: np.ndarray  # per hour, standard normal


def crypto_market(rng: np.random.Generator) -> CryptoMarket:
    """Draw the regimes, each lasting a random number of days, and the hourly shocks every coin shares."""
    drift, multiplier = np.empty(DAYS), np.empty(DAYS)
    day, regime = 0, 0
    while day < DAYS:
        annual_drift, volatility, mean_days = _REGIMES[regime]
        length = int(rng.geometric(1 / mean_days))
        drift[day : day + length], multiplier[day : day + length] = annual_drift, volatility
        day += length
        regime = int(rng.choice(3, p=_NEXT_REGIME[regime]))
    return CryptoMarket(drift, multiplier, rng.standard_normal(DAYS * 24))


def demo_hourly_bars(market: DemoMarket, crypto: CryptoMarket, rng: np.random.Generator) -> list[Bar]:
    """A four-year hourly path of one market, from FIRST_DAY."""
    hours = DAYS * 24
    returns = _pegged_returns(hours, rng) if market.pegged else _regime_returns(market, crypto, rng)
    closes = market.start_price * np.exp(np.cumsum(returns))
    opens = np.concatenate([[market.start_price], closes[:-1]])
    hourly_sigma = market.annual_volatility / np.sqrt(_HOURS_A_YEAR)
    wick = np.abs(rng.standard_normal((2, hours))) * hourly_sigma * 0.6
    highs = np.maximum(opens, closes) * np.exp(wick[0])
    lows = np.minimum(opens, closes) * np.exp(-wick[1])
    surprise = np.abs(returns) / hourly_sigma
    volumes = market.hourly_volume * (0.5 + surprise) * rng.lognormal(0.0, 0.35, hours)
    return [
        Bar(FIRST_DAY + timedelta(hours=hour), *(_rounded(value) for value in row), round(float(volume), 2))
        for hour, (*row, volume) in enumerate(zip(opens, highs, lows, closes, volumes, strict=True))
    ]


def _regime_returns(market: DemoMarket, crypto: CryptoMarket, rng: np.random.Generator) -> np.ndarray:
    """Hourly log returns: GARCH(1,1) shocks, mostly the market's common one, scaled by the day's regime."""
    target_variance = market.annual_volatility**2 / _HOURS_A_YEAR
    alpha, beta = 0.08, 0.90
    omega = target_variance * (1 - alpha - beta)
    shocks = _CORRELATION * crypto.common_shocks + np.sqrt(1 - _CORRELATION**2) * rng.standard_normal(DAYS * 24)
    returns = np.empty(DAYS * 24)
    variance, previous = target_variance, 0.0
    for hour in range(DAYS * 24):
        variance = omega + alpha * previous**2 + beta * variance
        previous = float(np.sqrt(variance)) * shocks[hour]
        scale = crypto.multiplier[hour // 24]
        # Less half the variance, so the regime's drift is the price's, not the log price's.
        returns[hour] = previous * scale + crypto.drift[hour // 24] / _HOURS_A_YEAR - variance * scale**2 / 2
    return returns


def _pegged_returns(hours: int, rng: np.random.Generator) -> np.ndarray:
    """Hourly log returns of a pegged pair: an Ornstein-Uhlenbeck pull back to 1 around tiny noise."""
    level, returns = 0.0, np.empty(hours)
    shocks = rng.standard_normal(hours) * 0.0002
    for hour in range(hours):
        step = -0.05 * level + shocks[hour]
        returns[hour], level = step, level + step
    return returns


def _rounded(price: float) -> float:
    """Six significant digits: enough for a chart, half the file; monotone, so low <= open, close <= high holds."""
    return float(f"{price:.6g}")


def _csv(bars: list[Bar]) -> bytes:
    """The bars as the import layout, Unix seconds, gzipped with no timestamp (the same bytes each run)."""
    text = io.StringIO()
    text.write("timestamp,open,high,low,close,volume\n")
    for bar in bars:
        prices = ",".join(f"{price:g}" for price in (bar.open, bar.high, bar.low, bar.close))
        text.write(f"{int(bar.time.timestamp())},{prices},{bar.volume:.2f}\n")
    return gzip.compress(text.getvalue().encode(), compresslevel=9, mtime=0)


def demo_files() -> Iterator[tuple[Path, bytes]]:
    """Every demo file's path and contents, generated from SEED."""
    rng = np.random.default_rng(SEED)
    crypto = crypto_market(rng)
    for market in DEMO_MARKETS:
        hourly = demo_hourly_bars(market, crypto, rng)
        yield demo_file(market.symbol, "1d"), _csv(resample(hourly, timeframe="1d"))
        yield demo_file(market.symbol, "1h"), _csv(hourly[-HOURLY_DAYS * 24 :])


if __name__ == "__main__":
    DATA_DIR.mkdir(exist_ok=True)
    for path, contents in demo_files():
        path.write_bytes(contents)
        print(f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}: {len(contents):,} bytes")
