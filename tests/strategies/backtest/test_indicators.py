"""The indicators agree with their definitions written the slow way, and stay linear in the bars."""

from __future__ import annotations

import time

import numpy as np
import pytest

from strategies.backtest.indicators import prior_high, rolling_max, sma, wilder_rsi

VALUES = np.random.default_rng(3).uniform(50, 150, 600)


@pytest.mark.parametrize("window", [1, 2, 7, 50, 599, 600])
def test_rolling_max_is_the_maximum_of_each_window(window: int) -> None:
    expected = [VALUES[j : j + window].max() for j in range(len(VALUES) - window + 1)]
    assert rolling_max(VALUES, window).tolist() == expected


def test_prior_high_is_the_highest_of_the_bars_before_and_nan_until_they_exist() -> None:
    out = prior_high(VALUES, 20)
    assert np.isnan(out[:20]).all()
    assert out[20:].tolist() == [VALUES[i - 20 : i].max() for i in range(20, len(VALUES))]
    assert np.isnan(prior_high(VALUES[:5], 5)).all()


def test_sma_is_the_mean_of_the_last_period_values() -> None:
    out = sma(VALUES, 30)
    assert np.isnan(out[:29]).all()
    assert out[29:] == pytest.approx([VALUES[i - 29 : i + 1].mean() for i in range(29, len(VALUES))])


def test_wilder_rsi_matches_the_textbook_recursion() -> None:
    period, changes = 14, np.diff(VALUES)
    gain, loss = np.maximum(changes[:period], 0).mean(), np.maximum(-changes[:period], 0).mean()
    expected = [100 - 100 / (1 + gain / loss)]
    for change in changes[period:]:
        gain = (gain * (period - 1) + max(change, 0)) / period
        loss = (loss * (period - 1) + max(-change, 0)) / period
        expected.append(100 - 100 / (1 + gain / loss))
    out = wilder_rsi(VALUES, period)
    assert np.isnan(out[:period]).all()
    assert out[period:] == pytest.approx(expected)


def test_wilder_rsi_is_100_when_nothing_fell_and_50_when_nothing_moved() -> None:
    assert wilder_rsi(np.arange(1.0, 20.0), 5)[-1] == 100
    assert wilder_rsi(np.full(20, 7.0), 5)[-1] == 50


def test_indicators_on_a_long_window_stay_linear() -> None:
    # A window-by-window maximum over 1,000,000 bars and a 1,000-bar window would take minutes.
    values = np.random.default_rng(4).uniform(1, 2, 1_000_000)
    began = time.process_time()
    prior_high(values, 1_000)
    sma(values, 1_000)
    assert time.process_time() - began < 5
