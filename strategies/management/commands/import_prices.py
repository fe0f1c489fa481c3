"""`manage.py import_prices --symbol BTC/USDT --timeframe 1d [--source NAME] FILE.csv`: store an exported file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from strategies.prices.csv_format import CandleFileError, parse_candles_csv
from strategies.prices.reading import DEMO_SOURCE
from strategies.prices.store import BadMarket, candles_store, market_check

MAX_FILE_BYTES = 64 * 1024 * 1024


def _default_source(file: Path) -> str:
    """`import:<file name without extension>`, other characters than letters, digits and . _ - as hyphens."""
    return "import:" + re.sub(r"[^A-Za-z0-9._-]+", "-", file.stem).strip("-")[:57]


class Command(BaseCommand):
    help = (
        "Import candles from a CSV file (timestamp,open,high,low,close,volume; timestamp ISO 8601 or Unix "
        "seconds/milliseconds; header optional). The whole file is stored, or nothing when a line is bad; "
        "importing the same range again updates it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the market, the source name and the file."""
        parser.add_argument("file", type=Path)
        parser.add_argument("--symbol", required=True, help="spot pair, e.g. BTC/USDT")
        parser.add_argument("--timeframe", required=True, help="1h, 4h or 1d")
        parser.add_argument("--source", help="the name backtests show for this data (default: import:<file name>)")

    def handle(self, *args: Any, file: Path, symbol: str, timeframe: str, source: str | None, **options: Any) -> None:
        """Parse the whole file, then store it in one transaction."""
        source = source or _default_source(file)
        if source == DEMO_SOURCE:
            raise CommandError(f"{DEMO_SOURCE!r} names the bundled synthetic demo set; choose another --source.")
        try:
            market_check(source=source, symbol=symbol, timeframe=timeframe)
            if file.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(f"{file} is larger than {MAX_FILE_BYTES // 2**20} MiB; split it.")
            with file.open(encoding="utf-8-sig", newline="") as lines:
                bars = parse_candles_csv(lines, timeframe=timeframe)
        except (BadMarket, CandleFileError) as error:
            raise CommandError(f"{file}: nothing imported: {error}") from None
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        stored = candles_store(source=source, symbol=symbol, timeframe=timeframe, bars=bars)
        self.stdout.write(
            f"Stored {stored} {timeframe} candles of {symbol} as source {source!r} "
            f"({bars[0].time:%Y-%m-%d %H:%M} to {bars[-1].time:%Y-%m-%d %H:%M} UTC)."
        )
