"""strategies.runs against the database: preparing, storing and reading back runs, their chat line, the HTTP list."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from strategies.backtest.engine import run_backtest
from strategies.backtest.results import BacktestData, BacktestMetrics, BacktestReport
from strategies.models import BacktestRun, Candle
from strategies.runs import backtest_prepare, backtest_report, backtest_run_create, backtest_summary
from strategies.schemas import GuardrailItem
from tests.strategies import conversation_of
from tests.strategies.backtesting import (
    START,
    add_version,
    backtestable_strategy,
    current_version_of,
    store_candles,
)

pytestmark = pytest.mark.django_db


def _run(conversation: Any, **params: Any) -> BacktestRun:
    """Prepare, run and store a backtest of the conversation's current version."""
    job = backtest_prepare(version=current_version_of(conversation), max_bars=50_000, **params)
    return backtest_run_create(job=job, result=run_backtest(job.plan, job.candles, fee_pct=job.fee_pct),
                               requested_by=None)


def _report(*, synthetic: bool, trades: int, win_rate: float | None) -> BacktestReport:
    metrics = BacktestMetrics(
        total_return_pct=34.21, buy_and_hold_return_pct=51.0, cagr_pct=7.6, max_drawdown_pct=18.26, sharpe=0.8,
        trades=trades, win_rate_pct=win_rate, exposure_pct=40, avg_trade_pct=2.1 if trades else None,
    )
    return BacktestReport(
        backtest_id="b", number=2, strategy_version=3, created_at="2026-01-01T00:00:00+00:00", fee_pct=0.1,
        data=BacktestData(source="demo" if synthetic else "binance", synthetic=synthetic, symbol="BTC/USDT",
                          timeframe="1d", start="2022-01-01T00:00:00Z", end="2025-12-31T00:00:00Z", bars=1461),
        metrics=metrics, equity_curve=[], price_curve=[], trades=[], trades_total=trades,
        target_check=GuardrailItem(key="monthly_target", label="", status="ok", reason=""),
    )


def test_the_chat_line_names_the_run_the_synthetic_data_and_the_figures() -> None:
    assert backtest_summary(_report(synthetic=True, trades=14, win_rate=57.14)) == (
        "Backtest #2 of v3 on synthetic demo data — not market history (BTC/USDT 1d, 2022-01-01 → 2025-12-31): "
        "+34.2 % vs buy-and-hold +51.0 %, max drawdown 18.3 %, 14 trades, 57 % won."
    )


def test_the_chat_line_of_a_run_without_trades_on_exchange_candles() -> None:
    assert backtest_summary(_report(synthetic=False, trades=0, win_rate=None)).endswith(
        "on binance candles (BTC/USDT 1d, 2022-01-01 → 2025-12-31): +34.2 % vs buy-and-hold +51.0 %, "
        "max drawdown 18.3 %, 0 trades."
    )


def test_a_report_checks_the_versions_target_against_what_the_run_measured(alice: Any) -> None:
    conversation = conversation_of(alice, "Dip buyer")
    add_version(conversation, backtestable_strategy())
    store_candles()

    report = backtest_report(_run(conversation))

    assert report.target_check.key == "monthly_target"
    assert f"CAGR {round(report.metrics.cagr_pct, 1):g}%" in report.target_check.reason
    assert "backtest #1 measured on synthetic demo data — not market history" in report.target_check.reason


def test_runs_are_numbered_across_the_strategys_versions(alice: Any) -> None:
    conversation = conversation_of(alice, "Dip buyer")
    add_version(conversation, backtestable_strategy())
    store_candles()
    first = _run(conversation)
    add_version(conversation, backtestable_strategy())

    second = _run(conversation, fee_pct=0)

    assert (first.number, first.version.number, second.number, second.version.number) == (1, 2, 2, 3)
    assert second.params["fee_pct"] == 0 and second.fee_pct == 0


def test_a_versions_backtests_are_listed_newest_first(alice_client: Client, alice: Any) -> None:
    conversation = conversation_of(alice, "Dip buyer")
    add_version(conversation, backtestable_strategy())
    store_candles()
    runs = [_run(conversation), _run(conversation, start="2022-06-01")]
    base = f"/api/conversations/{conversation.id}/versions"

    listing = alice_client.get(f"{base}/2/backtests/").json()

    assert [item["number"] for item in listing["backtests"]] == [2, 1] and listing["total"] == 2
    assert listing["backtests"][0] == backtest_report(runs[1]).model_dump()
    assert alice_client.get(f"{base}/1/backtests/").json() == {"backtests": [], "total": 0}
    assert alice_client.get(f"{base}/9/backtests/").status_code == 404


def test_another_traders_backtests_are_not_found(alice_client: Client, bob: Any) -> None:
    conversation = conversation_of(bob, "Bob's")
    assert alice_client.get(f"/api/conversations/{conversation.id}/versions/1/backtests/").status_code == 404
    assert alice_client.get(f"/api/conversations/{uuid.uuid4()}/versions/1/backtests/").status_code == 404


def test_a_short_cherry_picked_run_does_not_turn_the_target_warning_into_a_tick(alice: Any) -> None:
    conversation = conversation_of(alice, "Dip buyer")
    add_version(conversation, backtestable_strategy())  # a 7 % monthly target: above the 3 % ceiling
    store_candles()

    report = backtest_report(_run(conversation, start="2022-02-20", end="2022-03-31"))  # two winning trades

    assert report.metrics.cagr_pct > 200  # what it "measured" would call 7 % a month modest
    check = report.target_check
    assert (check.status, check.label) == ("warning", "Target above the 3%/month ceiling")
    assert check.reason.endswith(": backtest #1 covered 40 days — too short to measure a monthly return.")


def test_a_year_long_run_on_another_market_is_not_taken_as_the_strategys_measurement(alice: Any) -> None:
    conversation = conversation_of(alice, "Dip buyer")
    add_version(conversation, backtestable_strategy())  # trades BTC/USDT
    store_candles(symbol="ETH/USDT")

    report = backtest_report(_run(conversation, symbol="ETH/USDT"))

    check = report.target_check
    assert (check.status, check.label) == ("warning", "Target above the 3%/month ceiling")
    assert "backtest #1 ran on ETH/USDT, not the strategy's BTC/USDT, so it does not measure this strategy" in (
        check.reason
    )


def test_a_run_on_another_timeframe_is_not_taken_as_the_strategys_measurement(alice: Any) -> None:
    conversation = conversation_of(alice, "Dip buyer")
    add_version(conversation, backtestable_strategy())  # trades daily candles
    Candle.objects.bulk_create(
        Candle(source="demo", symbol="BTC/USDT", timeframe="4h", time=START + timedelta(hours=4 * index),
               open=100.0, high=101.0, low=99.0, close=100.0, volume=1000.0)
        for index in range(6 * 400)
    )

    check = backtest_report(_run(conversation, timeframe="4h")).target_check

    assert (check.status, check.label) == ("warning", "Target above the 3%/month ceiling")
    assert "backtest #1 ran on 4h candles, not the strategy's 1d" in check.reason
