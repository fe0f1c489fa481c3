"""The candles a backtest reads: one market's OHLCV bars as parallel numpy arrays, oldest first.

`times` are each bar's open time as int64 Unix seconds, UTC (the prices module fills them from
`Candle.time`); the prices are float64. The constructor checks the shape once, so the engine can
trust it: equal lengths, strictly increasing times, finite positive prices, `low <= open, close <= high`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from strategies.schemas import Timeframe

#: Each timeframe's bar length.
TIMEFRAME_SECONDS: dict[Timeframe, int] = {"1h": 3_600, "4h": 14_400, "1d": 86_400}

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class BadCandles(ValueError):
    """The arrays do not describe a valid series of bars; the message says which rule they break."""


@dataclass(frozen=True, eq=False)
class Candles:
    """One market's bars in time order: open time (Unix seconds, UTC) and open/high/low/close/volume."""

    times: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray

    def __post_init__(self) -> None:
        """Coerce the arrays to int64/float64 and refuse a series no market could print."""
        object.__setattr__(self, "times", np.ascontiguousarray(self.times, dtype=np.int64))
        for name in ("open", "high", "low", "close", "volume"):
            object.__setattr__(self, name, np.ascontiguousarray(getattr(self, name), dtype=np.float64))
        lengths = {len(getattr(self, name)) for name in ("times", "open", "high", "low", "close", "volume")}
        if len(lengths) != 1 or self.times.ndim != 1:
            raise BadCandles("The candle arrays must be one-dimensional and of equal length.")
        if np.any(np.diff(self.times) <= 0):
            raise BadCandles("The candle times must be strictly increasing.")
        prices = np.stack([self.open, self.high, self.low, self.close])
        if not np.all(np.isfinite(prices)) or np.any(prices <= 0):
            raise BadCandles("Candle prices must be finite and above zero.")
        body_low, body_high = np.minimum(self.open, self.close), np.maximum(self.open, self.close)
        if np.any(self.low > body_low) or np.any(self.high < body_high):
            raise BadCandles("Each candle's open and close must lie between its low and its high.")

    def __len__(self) -> int:
        """The number of bars."""
        return len(self.times)


def iso_time(unix_seconds: int) -> str:
    """Unix seconds as ISO 8601 in UTC, e.g. "2024-01-01T00:00:00Z"."""
    return datetime.fromtimestamp(int(unix_seconds), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
