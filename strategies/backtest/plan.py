"""What the engine runs, read from a strategy: `backtest_plan(strategy) -> Plan | NotExecutable`.

A `Plan` holds the entry conditions (every entry step's, all must hold), the take profit and stop
loss percentages (the first such step's, as the guardrails read them), the allocation (100 % without a
position-size step), the market (`strategies.symbols`) and the timeframe. An entry step without
`conditions` has its rules translated (`strategies.backtest.phrases`); the plan lists each translation.
An exit step's free-text rules are not executed: the plan's notes say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from strategies.backtest.phrases import Untranslatable, describe, translate_rule
from strategies.schemas import (
    CategoryNode,
    Condition,
    EntryConditionNode,
    ExitConditionNode,
    PositionSizeNode,
    StopLossNode,
    Strategy,
    TakeProfitNode,
    Timeframe,
)
from strategies.symbols import FALLBACK_SYMBOL, category_symbol

_N = TypeVar("_N", CategoryNode, TakeProfitNode, StopLossNode, PositionSizeNode)


@dataclass(frozen=True)
class Translation:
    """One plain-language entry rule the server read as an executable condition."""

    rule: str
    condition: Condition

    @property
    def sentence(self) -> str:
        """How the rule was read, e.g. "'Enter on a 5% price drop' was read as: close at least 5% below …"."""
        return f"'{self.rule}' was read as: {describe(self.condition)}."


@dataclass(frozen=True)
class Plan:
    """A strategy reduced to what the engine executes."""

    conditions: tuple[Condition, ...]
    take_profit_pct: float | None
    stop_loss_pct: float | None
    allocation_pct: float
    symbol: str
    timeframe: Timeframe
    translations: tuple[Translation, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotExecutable:
    """The strategy cannot be backtested; `message` is the sentence for the trader."""

    message: str
    rules: tuple[str, ...] = ()  # the entry rules that could not be read, as the trader wrote them


EXECUTABLE_PHRASINGS = (
    "The backtest runs a drop from a recent high, the price above a moving average, one moving average "
    "crossing above another and RSI below a level."
)


def _first(strategy: Strategy, kind: type[_N]) -> _N | None:
    """The first step of the given kind, as the guardrails read it."""
    return next((node for node in strategy.flowchart.nodes if isinstance(node, kind)), None)


def _quoted_list(rules: list[str]) -> str:
    """The rules quoted and joined: 'a' / 'a' and 'b' / 'a', 'b' and 'c'."""
    quoted = [f"'{rule}'" for rule in rules]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def _entry_conditions(
    strategy: Strategy, timeframe: Timeframe
) -> tuple[list[Condition], list[Translation], list[tuple[str, str | None]]]:
    """Every entry step's conditions (its rules translated where it has none), and the rules that failed."""
    conditions: list[Condition] = []
    translations: list[Translation] = []
    failures: list[tuple[str, str | None]] = []
    for node in strategy.flowchart.nodes:
        if not isinstance(node, EntryConditionNode):
            continue
        if node.meta.conditions:
            conditions.extend(node.meta.conditions)
            continue
        for rule in node.meta.rules:
            try:
                condition = translate_rule(rule, timeframe=timeframe)
            except Untranslatable as exc:
                failures.append((rule, exc.reason))
            else:
                conditions.append(condition)
                translations.append(Translation(rule=rule, condition=condition))
    return conditions, translations, failures


def _not_executable(failures: list[tuple[str, str | None]]) -> NotExecutable:
    """One sentence for the rules no phrasing matched, one per rule that broke a limit."""
    unread = [rule for rule, reason in failures if reason is None]
    sentences = [f"{_quoted_list(unread)} cannot be backtested. {EXECUTABLE_PHRASINGS}"] if unread else []
    sentences += [f"'{rule}' cannot be backtested: {reason}." for rule, reason in failures if reason is not None]
    return NotExecutable(message=" ".join(sentences), rules=tuple(rule for rule, _ in failures))


def strategy_symbol(strategy: Strategy) -> str:
    """The market the strategy trades: its category step's symbol, else the fallback."""
    category = _first(strategy, CategoryNode)
    return category_symbol(category.meta) if category else FALLBACK_SYMBOL


def backtest_plan(strategy: Strategy, *, timeframe: Timeframe | None = None) -> Plan | NotExecutable:
    """What the engine would run for `strategy` on `timeframe` (default: the strategy's), or why it cannot."""
    timeframe = timeframe or strategy.timeframe
    conditions, translations, failures = _entry_conditions(strategy, timeframe)
    if failures:
        return _not_executable(failures)
    if not conditions:
        return NotExecutable(message="The strategy has no entry step, so a backtest would never open a trade.")
    take_profit = _first(strategy, TakeProfitNode)
    stop_loss = _first(strategy, StopLossNode)
    size = _first(strategy, PositionSizeNode)
    exit_rules = [rule for node in strategy.flowchart.nodes if isinstance(node, ExitConditionNode)
                  for rule in node.meta.rules]
    notes = (
        (f"The exit rules {_quoted_list(exit_rules)} are not executed: a position closes at the take profit, "
         "the stop loss or the end of the data.",) if exit_rules else ()
    )
    return Plan(
        conditions=tuple(conditions),
        take_profit_pct=take_profit.meta.target_pct if take_profit else None,
        stop_loss_pct=stop_loss.meta.stop_pct if stop_loss else None,
        allocation_pct=size.meta.allocation_pct if size else 100.0,
        symbol=strategy_symbol(strategy),
        timeframe=timeframe,
        translations=tuple(translations),
        notes=notes,
    )
