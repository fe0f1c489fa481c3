"""candles_for: which source a run reads, the bars it reads, and the sentence when there are none."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from strategies.prices.csv_format import Bar
from strategies.prices.reading import NoCandles, candles_for
from strategies.prices.store import candles_store

pytestmark = pytest.mark.django_db

START = datetime(2024, 1, 1, tzinfo=UTC)


def _store(source: str, days: int, *, first: int = 0, symbol: str = "BTC/USDT", price: float = 100.0) -> None:
    """Store `days` daily bars from START + `first` days, closing at `price` + the day's index."""
    bars = [
        Bar(START + timedelta(days=day), price, price + day + 1, price - 1, price + day, 10.0 + day)
        for day in range(first, first + days)
    ]
    candles_store(source=source, symbol=symbol, timeframe="1d", bars=bars)


def test_a_run_reads_the_arrays_in_time_order_as_unix_seconds() -> None:
    _store("binance", 3)
    source, synthetic, candles = candles_for(symbol="BTC/USDT", timeframe="1d", max_bars=100)
    assert (source, synthetic) == ("binance", False)
    assert candles.times.dtype == np.int64 and candles.close.dtype == np.float64
    assert candles.times.tolist() == [1704067200, 1704153600, 1704240000]
    assert candles.open.tolist() == [100.0, 100.0, 100.0]
    assert candles.high.tolist() == [101.0, 102.0, 103.0]
    assert candles.low.tolist() == [99.0, 99.0, 99.0]
    assert candles.close.tolist() == [100.0, 101.0, 102.0]
    assert candles.volume.tolist() == [10.0, 11.0, 12.0]


def test_without_imported_or_fetched_candles_a_run_reads_the_demo_set_marked_synthetic() -> None:
    _store("demo", 5)
    _store("binance", 5, symbol="ETH/USDT")
    source, synthetic, candles = candles_for(symbol="BTC/USDT", timeframe="1d", max_bars=100)
    assert (source, synthetic, len(candles.times)) == ("demo", True, 5)


def test_imported_or_fetched_candles_win_over_the_demo_set_even_when_fewer() -> None:
    _store("demo", 30)
    _store("import:my-file", 10)
    assert candles_for(symbol="BTC/USDT", timeframe="1d", max_bars=100).source == "import:my-file"


def test_of_several_real_sources_the_one_with_most_bars_in_the_range_is_read() -> None:
    _store("binance", 10)  # days 0-9
    _store("import:kaggle", 5, first=20)  # days 20-24
    assert candles_for(symbol="BTC/USDT", timeframe="1d", max_bars=100).source == "binance"
    late = candles_for(symbol="BTC/USDT", timeframe="1d", start=START + timedelta(days=15), max_bars=100)
    assert late.source == "import:kaggle"


def test_equal_counts_pick_the_alphabetically_first_source() -> None:
    _store("kraken", 4)
    _store("binance", 4)
    assert candles_for(symbol="BTC/USDT", timeframe="1d", max_bars=100).source == "binance"


def test_a_named_source_is_read_even_when_another_has_more_bars() -> None:
    _store("binance", 10)
    _store("demo", 4)
    source, synthetic, candles = candles_for(symbol="BTC/USDT", timeframe="1d", source="demo", max_bars=100)
    assert (source, synthetic, len(candles.times)) == ("demo", True, 4)


def test_the_range_is_inclusive_and_max_bars_keeps_the_newest() -> None:
    _store("binance", 10)
    ranged = candles_for(
        symbol="BTC/USDT", timeframe="1d", start=START + timedelta(days=2), end=START + timedelta(days=6), max_bars=3
    ).candles
    assert ranged.close.tolist() == [104.0, 105.0, 106.0]


def test_a_market_with_no_candles_tells_the_trader_how_an_operator_gets_them() -> None:
    _store("binance", 3)
    with pytest.raises(NoCandles) as refused:
        candles_for(symbol="SOL/USDT", timeframe="1d", max_bars=100)
    assert str(refused.value) == (
        "There are no 1d candles of SOL/USDT. An operator can download them with `manage.py fetch_prices "
        "--exchange binance --symbol SOL/USDT --timeframe 1d --since 2022-01-01`, or import a CSV file with "
        "`manage.py import_prices --symbol SOL/USDT --timeframe 1d FILE.csv`."
    )


def test_a_named_source_or_range_without_bars_says_so() -> None:
    _store("binance", 3)
    with pytest.raises(NoCandles, match="^There are no 1d candles of BTC/USDT from 'kraken'. An operator"):
        candles_for(symbol="BTC/USDT", timeframe="1d", source="kraken", max_bars=100)
    with pytest.raises(NoCandles, match="^There are no 1d candles of BTC/USDT in that date range. An operator"):
        candles_for(symbol="BTC/USDT", timeframe="1d", start=START + timedelta(days=30), max_bars=100)
