"""`manage.py fetch_prices --exchange binance --symbol BTC/USDT --timeframe 1d --since 2022-01-01 [--until]`."""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from strategies.prices.exchange import FetchFailed, FetchReport, candles_fetch, exchange_client
from strategies.prices.store import BadMarket


def _utc_date(text: str) -> datetime:
    """An ISO 8601 date or time, UTC when it names no offset."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text[:40]!r} is not an ISO 8601 date or time, e.g. 2022-01-01.") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class Command(BaseCommand):
    help = (
        "Download an exchange's public candles with ccxt, page by page within its rate limit, storing each "
        "page as source <exchange>; run again to resume after the last stored candle."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the exchange, market and range."""
        parser.add_argument("--exchange", required=True, help="a ccxt exchange id, e.g. binance")
        parser.add_argument("--symbol", required=True, help="spot pair, e.g. BTC/USDT")
        parser.add_argument("--timeframe", required=True, help="1h, 4h or 1d")
        parser.add_argument("--since", required=True, type=_utc_date, help="first bar, e.g. 2022-01-01 (UTC)")
        parser.add_argument("--until", type=_utc_date, help="stop before this time (default: now)")
        parser.add_argument(
            "--api-url",
            help="another URL for the exchange's public API, e.g. https://data-api.binance.vision/api/v3",
        )

    def handle(self, *args: Any, exchange: str, symbol: str, timeframe: str, since: datetime,
               until: datetime | None, api_url: str | None, **options: Any) -> None:
        """Download, reporting each stored page, and turn a stop into one sentence."""
        if until is not None and until <= since:
            raise CommandError("--until must be after --since.")
        try:
            client = exchange_client(exchange_id=exchange, api_url=api_url)
            report = candles_fetch(client=client, symbol=symbol, timeframe=timeframe, since=since, until=until,
                                   on_page=self._progress)
        except (FetchFailed, BadMarket) as error:
            raise CommandError(str(error)) from None
        if report.last is None:
            self.stdout.write(f"No new {timeframe} candles of {symbol} on {exchange}: the stored ones are up to date.")
        else:
            self.stdout.write(
                f"Stored {report.stored} {timeframe} candles of {symbol} from {exchange} "
                f"({report.first:%Y-%m-%d %H:%M} to {report.last:%Y-%m-%d %H:%M} UTC)."
            )

    def _progress(self, report: FetchReport) -> None:
        """Say how far the download has come."""
        self.stdout.write(f"  … {report.stored} candles, up to {report.last:%Y-%m-%d %H:%M} UTC")
