"""Writing candles: an upsert on (source, symbol, timeframe, time), all of it or none of it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db import transaction

from strategies.models import Candle
from strategies.prices.csv_format import TIMEFRAME_SECONDS, Bar

SOURCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$")
SYMBOL_PATTERN = re.compile(r"^[A-Z0-9]{1,12}/[A-Z0-9]{1,12}$")  # as the strategy schema's `Symbol`
_BATCH = 2000


class BadMarket(ValueError):
    """The symbol, timeframe or source name cannot be stored; the message says which and why."""


def market_check(*, source: str, symbol: str, timeframe: str) -> None:
    """Refuse a source name, symbol or timeframe a backtest could never ask for."""
    if not SYMBOL_PATTERN.match(symbol):
        raise BadMarket(f"The symbol {symbol[:40]!r} is not a spot pair like BTC/USDT (capitals, one slash).")
    if timeframe not in TIMEFRAME_SECONDS:
        raise BadMarket(f"The timeframe {timeframe[:10]!r} is not one of {', '.join(TIMEFRAME_SECONDS)}.")
    if not SOURCE_PATTERN.match(source):
        raise BadMarket(
            f"The source name {source[:70]!r} must be 1-64 letters, digits or the characters : . _ - "
            "(starting with a letter or digit)."
        )


def candles_store(*, source: str, symbol: str, timeframe: str, bars: Sequence[Bar]) -> int:
    """Insert or update `bars` of one market in one transaction and return how many were written."""
    market_check(source=source, symbol=symbol, timeframe=timeframe)
    rows = [
        Candle(source=source, symbol=symbol, timeframe=timeframe, time=bar.time, open=bar.open,
               high=bar.high, low=bar.low, close=bar.close, volume=bar.volume)
        for bar in bars
    ]
    with transaction.atomic():
        Candle.objects.bulk_create(
            rows,
            batch_size=_BATCH,
            update_conflicts=True,
            unique_fields=["source", "symbol", "timeframe", "time"],
            update_fields=["open", "high", "low", "close", "volume"],
        )
    return len(rows)
