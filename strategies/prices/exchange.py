"""Downloading an exchange's public candles with ccxt: page by page, resumable, within its rate limit.

Each page is stored as it arrives (`store.candles_store`, source = the exchange's ccxt id), so an
interrupted download keeps what it fetched, and the next one starts after the last stored bar of that
source, symbol and timeframe. A bar still open (its period not over) is never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import ccxt

from strategies.models import Candle
from strategies.prices.csv_format import TIMEFRAME_SECONDS, Bar, bar_problem
from strategies.prices.store import candles_store, market_check

PAGE_SIZE = 1000  # Binance's most klines per request
# Binance also serves derivatives; the spot market list is all a spot pair's candles need (one request).
_EXCHANGE_OPTIONS: dict[str, dict[str, object]] = {"binance": {"fetchMarkets": {"types": ["spot"]}}}


class FetchFailed(Exception):
    """The download stopped; the message says why, what was stored and how to go on."""


@dataclass(frozen=True)
class FetchReport:
    """What a download stored."""

    stored: int
    first: datetime | None
    last: datetime | None


def exchange_client(*, exchange_id: str, api_url: str | None = None) -> ccxt.Exchange:
    """A ccxt client of the exchange's public API, rate limited; `api_url` replaces its public API URL."""
    if exchange_id not in ccxt.exchanges:
        raise FetchFailed(f"ccxt knows no exchange {exchange_id[:40]!r} (try binance, kraken, coinbase, okx).")
    client: ccxt.Exchange = getattr(ccxt, exchange_id)(
        {"enableRateLimit": True, "options": _EXCHANGE_OPTIONS.get(exchange_id, {})}
    )
    if api_url is not None:
        if not isinstance(client.urls.get("api"), dict) or "public" not in client.urls["api"]:
            raise FetchFailed(f"{exchange_id} has no single public API URL to replace.")
        client.urls["api"]["public"] = api_url
    return client


def candles_fetch(
    *,
    client: ccxt.Exchange,
    symbol: str,
    timeframe: str,
    since: datetime,
    until: datetime | None = None,
    page_size: int = PAGE_SIZE,
    on_page: Callable[[FetchReport], None] | None = None,
) -> FetchReport:
    """Download and store the closed bars in [since, until) (until: now), resuming after the last stored one."""
    market_check(source=client.id, symbol=symbol, timeframe=timeframe)
    step = timedelta(seconds=TIMEFRAME_SECONDS[timeframe])
    now = datetime.now(UTC)
    until = min(until or now, now)
    cursor = _resume_from(source=client.id, symbol=symbol, timeframe=timeframe, since=since, step=step)
    report = FetchReport(0, None, None)
    while cursor < until:
        try:
            rows = client.fetch_ohlcv(symbol, timeframe, since=_ms(cursor), limit=page_size,
                                      params={"until": _ms(until) - 1})
        except ccxt.BaseError as error:
            raise FetchFailed(_sentence(error, client=client, symbol=symbol, report=report)) from None
        bars = [bar for bar in map(_bar, rows) if cursor <= bar.time and bar.time + step <= until]
        if not bars:
            break
        _refuse_impossible(bars, client=client, report=report)
        candles_store(source=client.id, symbol=symbol, timeframe=timeframe, bars=bars)
        report = FetchReport(report.stored + len(bars), report.first or bars[0].time, bars[-1].time)
        if on_page is not None:
            on_page(report)
        cursor = bars[-1].time + step
    return report


def _resume_from(*, source: str, symbol: str, timeframe: str, since: datetime, step: timedelta) -> datetime:
    """`since`, or the bar after the last one already stored from this source, whichever is later."""
    last = (
        Candle.objects.filter(source=source, symbol=symbol, timeframe=timeframe, time__gte=since)
        .order_by("-time").values_list("time", flat=True).first()
    )
    return since if last is None else last + step


def _refuse_impossible(bars: list[Bar], *, client: ccxt.Exchange, report: FetchReport) -> None:
    """Stop at a bar no market could print (a backtest would refuse the whole source), storing none of its page."""
    for bar in bars:
        problem = bar_problem(bar)
        if problem is not None:
            kept = f"the {report.stored} candles before its page are stored" if report.stored else "nothing was stored"
            raise FetchFailed(
                f"{client.id} sent an impossible candle at {bar.time:%Y-%m-%d %H:%M} UTC ({problem[:-1]}); {kept}."
            )


def _bar(row: list[float]) -> Bar:
    """A ccxt OHLCV row ([ms, open, high, low, close, volume]) as a bar."""
    milliseconds, open_, high, low, close, volume = row[:6]
    return Bar(datetime.fromtimestamp(milliseconds / 1000, UTC), float(open_), float(high), float(low),
               float(close), float(volume or 0.0))


def _ms(time: datetime) -> int:
    """Unix milliseconds, as ccxt takes them."""
    return int(time.timestamp() * 1000)


def _sentence(error: ccxt.BaseError, *, client: ccxt.Exchange, symbol: str, report: FetchReport) -> str:
    """Why the download stopped, what it kept, and what to do, in words."""
    if isinstance(error, ccxt.RateLimitExceeded | ccxt.DDoSProtection):
        why = f"{client.id} refused more requests for now (rate limit, HTTP 429)"
    elif isinstance(error, ccxt.BadSymbol):
        why = f"{client.id} has no market {symbol}"
    elif isinstance(error, ccxt.NetworkError):
        why = f"{client.id} could not be reached ({type(error).__name__})"
    else:
        why = f"{client.id} answered with an error ({type(error).__name__}: {str(error)[:200]})"
    if report.last is None:
        return f"{why}; nothing was stored. Run the command again later."
    return (
        f"{why}. The {report.stored} candles fetched up to {report.last:%Y-%m-%d %H:%M} UTC are stored; "
        "run the same command again later to resume from there."
    )
