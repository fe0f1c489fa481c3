"""Backtest runs of a strategy version: preparing one (what it runs on), storing it, reading it back as a report.

`backtest_prepare` turns a version and the trader's parameters into a `BacktestJob` (the engine's plan,
the candles, the parameters with their defaults filled in) or raises `BacktestRefused` with a sentence;
the caller runs the engine on the job wherever it likes (the chat runs it on a thread of its own).
`backtest_run_create` stores what the engine measured as the strategy's next "backtest #N";
`backtest_report` is a stored run as the builder shows it, with the monthly target checked against
what the run measured — when it ran on the strategy's own market and timeframe for at least a year.
Nothing here knows of sockets.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from pydantic import TypeAdapter, ValidationError

from strategies.backtest.candles import TIMEFRAME_SECONDS, BadCandles, Candles
from strategies.backtest.engine import EngineResult
from strategies.backtest.plan import NotExecutable, Plan, backtest_plan, strategy_symbol
from strategies.backtest.results import BacktestData, BacktestMetrics, BacktestReport
from strategies.guardrails import monthly_target_check
from strategies.models import BacktestRun, Strategy, StrategyVersion
from strategies.prices.reading import DEMO_LABEL, NoCandles, candles_for
from strategies.schemas import Strategy as StrategySchema
from strategies.schemas import Symbol, Timeframe

DEFAULT_FEE_PCT = 0.1
#: Runs listed per version, newest first: each carries its curves and trades (up to a few hundred KB).
LISTED_RUNS = 20
MAX_SOURCE_CHARS = 64  # Candle.source
#: A run shorter than a year measures a stretch, not a monthly return: its CAGR extrapolates a few weeks'
#: luck (or a hand-picked window), so the target stays held to the ceiling.
MEASURED_RUN_MIN_DAYS = 365

_symbol = TypeAdapter(Symbol)
_timeframe = TypeAdapter(Timeframe)


class BacktestRefused(Exception):
    """A backtest that cannot run; `code` is stable, the message is a sentence for the trader."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, eq=False)
class BacktestJob:
    """Everything one run needs, read before the engine starts; `run_id` is the id the stored run will have."""

    run_id: uuid.UUID
    version: StrategyVersion
    plan: Plan
    params: dict[str, Any]  # as requested, defaults filled in
    fee_pct: float
    source: str
    synthetic: bool
    candles: Candles


def backtest_prepare(
    *,
    version: StrategyVersion,
    max_bars: int,
    symbol: str | None = None,
    timeframe: str | None = None,
    start: str | None = None,
    end: str | None = None,
    source: str | None = None,
    fee_pct: float | None = None,
) -> BacktestJob:
    """Check that the version can be backtested with these parameters and read its candles; else BacktestRefused."""
    violations = (version.data.get("guardrails") or {}).get("violations") or []
    if violations:
        labels = "; ".join(str(item.get("label", "")) for item in violations)
        raise BacktestRefused(
            f"Run Backtest is off while a guardrail is violated ({labels}). Fix the strategy first.",
            code="guardrail_violation",
        )
    # The timeframe first: a rule like "the 50-day average" is translated into bars of that timeframe.
    plan = backtest_plan(StrategySchema.model_validate(version.data), timeframe=_checked_timeframe(timeframe))
    if isinstance(plan, NotExecutable):
        raise BacktestRefused(plan.message, code="not_backtestable")
    plan = dataclasses.replace(plan, symbol=_checked_symbol(symbol) or plan.symbol)
    start_at, end_at = _moment(start, "start", end_of_day=False), _moment(end, "end", end_of_day=True)
    if start_at and end_at and start_at >= end_at:
        raise BacktestRefused("The start of the backtest must come before its end.", code="invalid_params")
    if source is not None and not 0 < len(source) <= MAX_SOURCE_CHARS:
        raise BacktestRefused(f"A candle source name has 1 to {MAX_SOURCE_CHARS} characters.", code="invalid_params")
    fee = DEFAULT_FEE_PCT if fee_pct is None else fee_pct
    try:
        found = candles_for(
            symbol=plan.symbol, timeframe=plan.timeframe, source=source, start=start_at, end=end_at, max_bars=max_bars
        )
    except NoCandles as missing:
        raise BacktestRefused(str(missing), code="no_candles") from None
    except BadCandles as damaged:
        raise BacktestRefused(
            f"The stored {plan.timeframe} candles of {plan.symbol} cannot be run: {damaged} An operator can "
            "import them again.",
            code="bad_candles",
        ) from None
    params = {"symbol": plan.symbol, "timeframe": plan.timeframe, "start": start, "end": end,
              "source": found.source, "fee_pct": fee}
    return BacktestJob(uuid.uuid4(), version, plan, params, fee, found.source, found.synthetic, found.candles)


def backtest_run_create(*, job: BacktestJob, result: EngineResult, requested_by: Any) -> BacktestRun:
    """Store what the engine measured as the strategy's next numbered run."""
    with transaction.atomic():
        Strategy.objects.select_for_update().get(pk=job.version.strategy_id)  # numbers one run at a time
        last = BacktestRun.objects.filter(version__strategy_id=job.version.strategy_id).aggregate(
            last=Max("number")
        )["last"]
        return BacktestRun.objects.create(
            id=job.run_id,
            number=(last or 0) + 1,
            version=job.version,
            requested_by=requested_by,
            params=job.params,
            fee_pct=job.fee_pct,
            source=job.source,
            synthetic=job.synthetic,
            symbol=job.plan.symbol,
            timeframe=job.plan.timeframe,
            start=_parsed_iso(result.start),
            end=_parsed_iso(result.end),
            bars=result.bars,
            metrics=result.metrics.model_dump(),
            equity_curve=[point.model_dump() for point in result.equity_curve],
            price_curve=[point.model_dump() for point in result.price_curve],
            trades=[trade.model_dump() for trade in result.trades],
            trades_total=result.trades_total,
        )


def backtest_report(run: BacktestRun) -> BacktestReport:
    """A stored run as the builder shows it, its version's monthly target checked against what it measured."""
    metrics = BacktestMetrics.model_validate(run.metrics)
    target = float(run.version.data["strategy_metrics"]["impact_monthly_return_delta_pct"])
    not_measured_because = _not_a_measurement(run)
    return BacktestReport(
        backtest_id=str(run.id),
        number=run.number,
        strategy_version=run.version.number,
        created_at=run.created_at.isoformat(),
        fee_pct=run.fee_pct,
        data=BacktestData(
            source=run.source,
            synthetic=run.synthetic,
            symbol=run.symbol,
            timeframe=run.timeframe,
            start=_iso(run.start),
            end=_iso(run.end),
            bars=run.bars,
        ),
        metrics=metrics,
        equity_curve=run.equity_curve,
        price_curve=run.price_curve,
        trades=run.trades,
        trades_total=run.trades_total,
        target_check=monthly_target_check(
            target_pct=target,
            measured_cagr_pct=None if not_measured_because else metrics.cagr_pct,
            run=f"backtest #{run.number}",
            data=_data_words(source=run.source, synthetic=run.synthetic),
            not_measured_because=not_measured_because,
        ),
    )


def _not_a_measurement(run: BacktestRun) -> str:
    """Why the run's CAGR does not measure its version's monthly return, or "" when it does."""
    name = f"backtest #{run.number}"
    try:
        strategy = StrategySchema.model_validate(run.version.data)
    except ValidationError:  # stored by an older, looser schema: nothing to say it ran on the strategy's market
        return f"{name} ran on a version today's schema no longer reads, so it does not measure it"
    symbol = strategy_symbol(strategy)
    if run.symbol != symbol:
        return f"{name} ran on {run.symbol}, not the strategy's {symbol}, so it does not measure this strategy"
    if run.timeframe != strategy.timeframe:
        return (f"{name} ran on {run.timeframe} candles, not the strategy's {strategy.timeframe}, so it does not "
                "measure this strategy")
    covered = run.end - run.start + timedelta(seconds=TIMEFRAME_SECONDS[run.timeframe])
    if covered < timedelta(days=MEASURED_RUN_MIN_DAYS):
        return f"{name} covered {covered.days} days — too short to measure a monthly return"
    return ""


def backtest_runs_of_version(*, version: StrategyVersion, limit: int = LISTED_RUNS) -> list[BacktestRun]:
    """The version's newest runs, newest first."""
    return list(version.backtests.select_related("version").order_by("-created_at", "-number")[:limit])


def latest_backtest(*, version: StrategyVersion | None) -> BacktestReport | None:
    """The report of the version's latest run, if it has one."""
    runs = backtest_runs_of_version(version=version, limit=1) if version is not None else []
    return backtest_report(runs[0]) if runs else None


def backtest_summary(report: BacktestReport) -> str:
    """One chat line for a result, e.g. "Backtest #2 on synthetic demo data — not market history (BTC/USDT 1d,
    2022-01-01 → 2025-12-31): +34.2 % vs buy-and-hold +51.0 %, max drawdown 18.3 %, 14 trades, 57 % won."."""
    data, metrics = report.data, report.metrics
    trades = f"{metrics.trades} trade{'' if metrics.trades == 1 else 's'}"
    if metrics.win_rate_pct is not None:
        trades += f", {metrics.win_rate_pct:.0f} % won"
    where = _data_words(source=data.source, synthetic=data.synthetic)
    return (
        f"Backtest #{report.number} of v{report.strategy_version} on {where} ({data.symbol} {data.timeframe}, "
        f"{data.start[:10]} → {data.end[:10]}): {metrics.total_return_pct:+.1f} % vs buy-and-hold "
        f"{metrics.buy_and_hold_return_pct:+.1f} %, max drawdown {metrics.max_drawdown_pct:.1f} %, {trades}."
    )


def _data_words(*, source: str, synthetic: bool) -> str:
    """Where a run's candles came from, in words: the demo set always says it is synthetic."""
    return DEMO_LABEL if synthetic else f"{source} candles"


def _checked_symbol(symbol: str | None) -> str | None:
    """A requested symbol, upper-cased; BacktestRefused when it is not a pair like BTC/USDT."""
    if symbol is None:
        return None
    try:
        return _symbol.validate_python(symbol)
    except ValidationError:
        raise BacktestRefused("The symbol must be a pair like BTC/USDT.", code="invalid_params") from None


def _checked_timeframe(timeframe: str | None) -> Timeframe | None:
    """A requested timeframe; BacktestRefused when it is not one the engine runs."""
    if timeframe is None:
        return None
    try:
        return _timeframe.validate_python(timeframe)
    except ValidationError:
        raise BacktestRefused("The timeframe must be 1h, 4h or 1d.", code="invalid_params") from None


def _moment(text: str | None, name: str, *, end_of_day: bool) -> datetime | None:
    """An ISO 8601 date or time (UTC unless it says otherwise); an end given as a date includes that whole day."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BacktestRefused(
            f"The {name} must be an ISO 8601 date like 2024-01-01 or a time like 2024-01-01T12:00:00Z.",
            code="invalid_params",
        ) from None
    if end_of_day and ":" not in text:  # a date, not a time
        moment += timedelta(days=1, seconds=-1)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parsed_iso(text: str) -> datetime:
    """The engine's ISO 8601 UTC time as an aware datetime."""
    return datetime.fromisoformat(text)


def _iso(moment: datetime) -> str:
    """An aware datetime as the engine writes times: ISO 8601 UTC with a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
