"""The candle arrays are checked once, with a sentence for each series no market could print."""

from __future__ import annotations

import numpy as np
import pytest

from strategies.backtest.candles import BadCandles, Candles, iso_time

GOOD = {"times": [0, 60, 120], "open": [10, 11, 12], "high": [11, 12, 13], "low": [9, 10, 11],
        "close": [11, 12, 12.5], "volume": [1, 2, 3]}


def _with(**changes: list[float]) -> dict[str, list[float]]:
    """The good arrays with some replaced."""
    return {**GOOD, **changes}


def test_good_arrays_become_int64_times_and_float64_prices() -> None:
    candles = Candles(**GOOD)  # type: ignore[arg-type]
    assert candles.times.dtype == np.int64 and candles.close.dtype == np.float64 and len(candles) == 3


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        (_with(close=[11, 12]), "The candle arrays must be one-dimensional and of equal length."),
        (_with(times=[0, 60, 60]), "The candle times must be strictly increasing."),
        (_with(times=[0, 120, 60]), "The candle times must be strictly increasing."),
        (_with(close=[11, float("nan"), 12]), "Candle prices must be finite and above zero."),
        (_with(low=[9, 0, 11]), "Candle prices must be finite and above zero."),
        (_with(high=[11, 12, 12.4]), "Each candle's open and close must lie between its low and its high."),
        (_with(low=[9, 11.5, 11]), "Each candle's open and close must lie between its low and its high."),
    ],
)
def test_impossible_series_are_refused_with_a_sentence(arrays: dict[str, list[float]], message: str) -> None:
    with pytest.raises(BadCandles) as refused:
        Candles(**arrays)  # type: ignore[arg-type]
    assert str(refused.value) == message


def test_times_read_as_utc_iso_8601() -> None:
    assert iso_time(1_704_067_200) == "2024-01-01T00:00:00Z"
