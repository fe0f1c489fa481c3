"""What the engine runs, read from a strategy: `backtest_plan(strategy) -> Plan | NotExecutable`.

A `Plan` holds the entry conditions (every entry step's, all must hold), the take profit and stop
loss percentages (the first such step's, as the guardrails read them), the allocation (100 % without a
position-size step), the market (`strategies.symbols`) and the timeframe. An entry step without
`conditions` has its rules translated (`strategies.backtest.phrases`); the plan lists each translation.
An exit step's free-text rules are not executed: the plan's notes say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from strategies.schemas import Condition, Timeframe

TIMEFRAME_SECONDS: dict[Timeframe, int] = {"1h": 3_600, "4h": 14_400, "1d": 86_400}


@dataclass(frozen=True)
class Translation:
    """One plain-language entry rule the server read as an executable condition."""

    rule: str
    condition: Condition


@dataclass(frozen=True)
class Plan:
    """A strategy reduced to what the engine executes."""

    conditions: tuple[Condition, ...]
    take_profit_pct: float | None
    stop_loss_pct: float | None
    allocation_pct: float
    symbol: str
    timeframe: str
    translations: tuple[Translation, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotExecutable:
    """The strategy cannot be backtested; `message` is the sentence for the trader."""

    message: str
    rules: tuple[str, ...] = ()
