"""Which candles a backtest reads, and reading them as numpy arrays.

The source rule: the `source` asked for; else, of the imported or fetched sources holding bars of the
symbol and timeframe in the range, the one with the most bars there (ties: the alphabetically first
name, so the choice is stable); else the bundled demo set (`DEMO_SOURCE`, synthetic). Within a source
at most `max_bars` bars are read: the newest ones of the range.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

import numpy as np
from django.db.models import Count, QuerySet

from strategies.backtest.candles import Candles
from strategies.models import Candle

DEMO_SOURCE = "demo"
DEMO_LABEL = "synthetic demo data — not market history"


class CandleSet(NamedTuple):
    """The bars a run reads and where they came from."""

    source: str
    synthetic: bool
    candles: Candles


class NoCandles(Exception):
    """There are no bars to read; the message tells the trader how an operator gets them."""


def candles_for(
    *,
    symbol: str,
    timeframe: str,
    source: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    max_bars: int,
) -> CandleSet:
    """Return at most `max_bars` bars of `symbol` at `timeframe` in [start, end] from the source the rule picks."""
    in_range = _in_range(symbol=symbol, timeframe=timeframe, start=start, end=end)
    chosen = source if source is not None else _pick_source(in_range)
    rows = [] if chosen is None else list(
        in_range.filter(source=chosen)
        .order_by("-time")
        .values_list("time", "open", "high", "low", "close", "volume")[:max_bars]
    )
    if chosen is None or not rows:
        ranged = start is not None or end is not None
        raise NoCandles(no_candles_sentence(symbol=symbol, timeframe=timeframe, source=source, ranged=ranged))
    rows.reverse()
    return CandleSet(chosen, chosen == DEMO_SOURCE, _as_arrays(rows))


def no_candles_sentence(*, symbol: str, timeframe: str, source: str | None = None, ranged: bool = False) -> str:
    """The sentence a trader reads when a market has no candles: what an operator runs to get them."""
    where = (f" from {source!r}" if source else "") + (" in that date range" if ranged else "")
    return (
        f"There are no {timeframe} candles of {symbol}{where}. An operator can download them with "
        f"`manage.py fetch_prices --exchange binance --symbol {symbol} --timeframe {timeframe} "
        f"--since 2022-01-01`, or import a CSV file with `manage.py import_prices --symbol {symbol} "
        f"--timeframe {timeframe} FILE.csv`."
    )


def _in_range(*, symbol: str, timeframe: str, start: datetime | None, end: datetime | None) -> QuerySet[Candle]:
    """The candles of one market within the optional time range (any source)."""
    rows = Candle.objects.filter(symbol=symbol, timeframe=timeframe)
    if start is not None:
        rows = rows.filter(time__gte=start)
    if end is not None:
        rows = rows.filter(time__lte=end)
    return rows


def _pick_source(in_range: QuerySet[Candle]) -> str | None:
    """The imported or fetched source with the most bars in range, else the demo set if it has any."""
    counts = dict(in_range.order_by().values_list("source").annotate(bars=Count("id")))
    real = sorted((-bars, name) for name, bars in counts.items() if name != DEMO_SOURCE)
    if real:
        return real[0][1]
    return DEMO_SOURCE if counts.get(DEMO_SOURCE) else None


def _as_arrays(rows: list[tuple[datetime, float, float, float, float, float]]) -> Candles:
    """Turn (time, open, high, low, close, volume) rows into the arrays a backtest reads."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    times = np.fromiter(((row[0] - epoch).total_seconds() for row in rows), dtype=np.int64, count=len(rows))
    prices = np.array([row[1:] for row in rows], dtype=np.float64).reshape(len(rows), 5)
    return Candles(times, *(np.ascontiguousarray(prices[:, column]) for column in range(5)))
