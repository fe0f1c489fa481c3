"""The bundled demo set in the database: every category's default symbol, so backtests work offline.

"Synthetic demo data — not market history": seeded candles from `demo_generate`, stored as source
"demo" (which `reading` marks synthetic), with the 4h bars derived from the hourly ones. A market
whose stored bars already match the files (count, first and last bar) is left alone, so loading on
every start costs a few queries.
"""

from __future__ import annotations

import gzip

from strategies.models import Candle
from strategies.prices.csv_format import Bar, parse_candles_csv
from strategies.prices.demo_generate import DEMO_MARKETS, demo_file, resample
from strategies.prices.reading import DEMO_SOURCE
from strategies.prices.store import candles_store


def demo_prices_load() -> int:
    """Store every bundled demo market as source "demo" and return how many demo bars are in place."""
    in_place = 0
    for market in DEMO_MARKETS:
        hourly = _read(market.symbol, "1h")
        series = {"1d": _read(market.symbol, "1d"), "1h": hourly, "4h": resample(hourly, timeframe="4h")}
        for timeframe, bars in series.items():
            if not _already_stored(symbol=market.symbol, timeframe=timeframe, bars=bars):
                candles_store(source=DEMO_SOURCE, symbol=market.symbol, timeframe=timeframe, bars=bars)
            in_place += len(bars)
    return in_place


def _read(symbol: str, timeframe: str) -> list[Bar]:
    """One demo file's bars."""
    with gzip.open(demo_file(symbol, timeframe), "rt", encoding="utf-8", newline="") as lines:
        return parse_candles_csv(lines, timeframe=timeframe)


def _already_stored(*, symbol: str, timeframe: str, bars: list[Bar]) -> bool:
    """Whether the database holds exactly these demo bars, judged by their count and their first and last bar."""
    stored = Candle.objects.filter(source=DEMO_SOURCE, symbol=symbol, timeframe=timeframe)
    ends = stored.order_by("time").values_list("time", "close")
    expected = [(bar.time, bar.close) for bar in (bars[0], bars[-1])]
    return stored.count() == len(bars) and [ends.first(), ends.last()] == expected
