"""Parsing the common candle export, `timestamp,open,high,low,close,volume`, into bars (pure, no I/O).

The timestamp is ISO 8601 (UTC when it names no offset) or Unix seconds, milliseconds or
microseconds (told apart by size). A first line naming the columns is a header, in any order and with
other columns beside them; without one the first six columns are read in the order above. A file is
taken whole or refused at its first bad line, with the line number and the reason.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")
TIMEFRAME_SECONDS = {"1h": 3600, "4h": 4 * 3600, "1d": 86400}
MAX_LINES = 500_000  # 57 years of hourly bars
MAX_LINE_CHARS = 1000
_TIME_ALIASES = ("timestamp", "time", "date", "datetime", "open_time", "unix")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Bar(NamedTuple):
    """One parsed candle: its open time (aware, UTC) and its prices and volume."""

    time: datetime
    open: float
    high: float
    low: float
    close: float
    volume: float


class CandleFileError(ValueError):
    """The file cannot be imported; `line` is the 1-based line at fault (0: the file as a whole)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.line = line
        self.reason = reason


def parse_candles_csv(lines: Iterable[str], *, timeframe: str) -> list[Bar]:
    """Parse every line of a candle CSV into bars in time order, or raise `CandleFileError`."""
    if timeframe not in TIMEFRAME_SECONDS:
        raise CandleFileError(0, f"Unknown timeframe {timeframe!r}: use one of {', '.join(TIMEFRAME_SECONDS)}.")
    bars: list[Bar] = []
    positions: tuple[int, ...] | None = None
    for number, fields in _rows(lines):
        if positions is None:
            positions = _header_positions(number, fields)
            if positions is not None:
                continue
            positions = tuple(range(len(COLUMNS)))
        if len(fields) <= max(positions):
            raise CandleFileError(
                number, f"expected {max(positions) + 1} columns ({','.join(COLUMNS)}), found {len(fields)}."
            )
        bar = _bar(number, [fields[position].strip() for position in positions])
        _check_time(number, bar.time, timeframe, bars[-1].time if bars else None)
        bars.append(bar)
    if not bars:
        raise CandleFileError(0, "The file holds no candles.")
    return bars


def _rows(lines: Iterable[str]) -> Iterable[tuple[int, list[str]]]:
    """Yield (line number, fields) for each non-blank line, within the line and length caps."""
    for number, line in enumerate(lines, start=1):
        if number > MAX_LINES:
            raise CandleFileError(number, f"the file has more than {MAX_LINES:,} lines; split it.")
        if len(line) > MAX_LINE_CHARS:
            raise CandleFileError(number, f"the line is longer than {MAX_LINE_CHARS} characters.")
        if line.strip():
            yield number, next(csv.reader([line]))


def _header_positions(number: int, fields: list[str]) -> tuple[int, ...] | None:
    """The positions of the six columns when `fields` is a header, None when it is a data row."""
    names = [field.strip().lower() for field in fields]
    if not names or _looks_like_time(names[0]) or any(_is_number(name) for name in names[1:]):
        return None
    time_position = next((names.index(alias) for alias in _TIME_ALIASES if alias in names), None)
    missing = [column for column in COLUMNS[1:] if column not in names]
    if time_position is None:
        missing.insert(0, "timestamp")
    if missing:
        raise CandleFileError(number, f"the header has no {', '.join(repr(name) for name in missing)} column.")
    return (time_position, *(names.index(column) for column in COLUMNS[1:]))


def _looks_like_time(text: str) -> bool:
    """Whether a first field reads as a timestamp (so the line is data, not a header)."""
    return bool(text) and (text[0].isdigit() or text[0] in "+-")


def _is_number(text: str) -> bool:
    """Whether a field reads as a number (so its line is data, not a header)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _bar(number: int, values: list[str]) -> Bar:
    """Turn one row's six values into a checked bar."""
    time = _time(number, values[0])
    numbers = [_number(number, name, value) for name, value in zip(COLUMNS[1:], values[1:], strict=True)]
    bar = Bar(time, *numbers)
    problem = bar_problem(bar)
    if problem is not None:
        raise CandleFileError(number, problem)
    return bar


def bar_problem(bar: Bar) -> str | None:
    """Why no market could print this bar (non-positive prices, open or close outside its range), or None."""
    if min(bar.open, bar.high, bar.low, bar.close) <= 0:
        return "prices must be above zero."
    if bar.volume < 0:
        return "the volume is negative."
    if bar.high < bar.low:
        return f"the high ({bar.high:g}) is below the low ({bar.low:g})."
    for name, price in (("open", bar.open), ("close", bar.close)):
        if not bar.low <= price <= bar.high:
            return f"the {name} ({price:g}) is outside the bar's range [{bar.low:g}, {bar.high:g}]."
    return None


def _number(number: int, name: str, text: str) -> float:
    """Parse one finite number, naming the column when it is not one."""
    try:
        value = float(text)
    except ValueError:
        raise CandleFileError(number, f"the {name} {text[:40]!r} is not a number.") from None
    if not math.isfinite(value):
        raise CandleFileError(number, f"the {name} {text[:40]!r} is not a finite number.")
    return value


def _time(number: int, text: str) -> datetime:
    """Parse an ISO 8601 time or Unix seconds / milliseconds / microseconds into an aware UTC datetime."""
    try:
        if text.isdigit():
            value = int(text)
            seconds = value if value < 10**11 else value / 1000 if value < 10**14 else value / 1_000_000
            return _EPOCH + timedelta(seconds=seconds)
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise CandleFileError(
            number, f"the timestamp {text[:40]!r} is neither ISO 8601 nor Unix seconds or milliseconds."
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _check_time(number: int, time: datetime, timeframe: str, previous: datetime | None) -> None:
    """Refuse a time off the timeframe's grid, or not after the previous row's."""
    if (time - _EPOCH).total_seconds() % TIMEFRAME_SECONDS[timeframe]:
        raise CandleFileError(number, f"{_iso(time)} is not the open time of a {timeframe} bar (UTC).")
    if previous is not None and time <= previous:
        what = "repeats" if time == previous else "comes before"
        raise CandleFileError(
            number, f"{_iso(time)} {what} the previous row's time {_iso(previous)}: rows go in time order, once each."
        )


def _iso(time: datetime) -> str:
    """A UTC time as ISO 8601 with a Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ")
