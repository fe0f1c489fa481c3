"""Server-side guardrails and button states, computed from a validated strategy.

The model's own `guardrails` are never trusted: every check here reads the schema objects and
explains its status in a sentence a trader can read. A "violation" disables Run Backtest.

No check calls a proposed return realistic: the monthly target is held to evidence. A version is stored
before it is measured, so its own `monthly_target` item compares the target with a documented ceiling
(`MONTHLY_TARGET_CEILING_PCT`); a backtest's report carries the same key checked against what that run
measured (`monthly_target_check`), which the builder shows in its place. Versions stay immutable.
"""

import re
from typing import TypeVar

from strategies.backtest.plan import NotExecutable, backtest_plan
from strategies.schemas import (
    Actions,
    Button,
    EntryConditionNode,
    ExitConditionNode,
    GuardrailItem,
    Guardrails,
    GuardrailStatus,
    StopLossNode,
    Strategy,
    TakeProfitNode,
)

#: 3 % a month compounds to about 43 % a year, more than broad markets deliver over any long stretch: a
#: target above it is a warning until a backtest measures more.
MONTHLY_TARGET_CEILING_PCT = 3.0
CAPITAL_TOLERANCE = 0.005  # half a percent: rounding in the model's arithmetic is not a mismatch

# "short", "shorts", "shorting", "short sell(ing)" — but not "short-term" or "short term".
_SHORTING = re.compile(r"\bshort(?:s|ing|[ -]sell\w*)?\b(?![ -]term)", re.IGNORECASE)

_N = TypeVar("_N", StopLossNode, TakeProfitNode)


def format_usd(amount: float) -> str:
    """Format dollars like $1,000 or $1,000.50."""
    return f"${amount:,.0f}" if amount == round(amount) else f"${amount:,.2f}"


def format_pct(value: float) -> str:
    """Format a percentage like 7% or 7.5%."""
    return f"{value:,.2f}".rstrip("0").rstrip(".") + "%"


def compute_guardrails(strategy: Strategy, *, stated_capital_usd: float | None) -> Guardrails:
    """Run every guardrail over the strategy; `stated_capital_usd` is what the trader said they have."""
    items = [
        _stop_loss_present(strategy),
        _high_risk_class(strategy),
        _stop_within_target(strategy),
        _capital_matches_request(strategy, stated_capital_usd),
        _no_short_selling(strategy),
        monthly_target_check(target_pct=strategy.strategy_metrics.impact_monthly_return_delta_pct),
        _backtestable(strategy),
    ]
    enabled = [item for item in items if item is not None]
    return Guardrails(enabled=enabled, violations=[item for item in enabled if item.status == "violation"])


def compute_actions(guardrails: Guardrails) -> Actions:
    """Button states: Explain is always on, Run Backtest only without violations."""
    return Actions(
        explain_button=Button(label="Explain", enabled=True),
        run_backtest_button=Button(label="Run Backtest", enabled=not guardrails.violations),
    )


def _item(key: str, label: str, status: GuardrailStatus, reason: str) -> GuardrailItem:
    """Build one guardrail entry."""
    return GuardrailItem(key=key, label=label, status=status, reason=reason)


def _first(strategy: Strategy, kind: type[_N]) -> _N | None:
    """The first node of the given model class, if any."""
    return next((node for node in strategy.flowchart.nodes if isinstance(node, kind)), None)


def _stop_loss_present(strategy: Strategy) -> GuardrailItem:
    """A stop loss is required for High risk and advised otherwise."""
    label = "Stop loss in place"
    stop = _first(strategy, StopLossNode)
    if stop is not None:
        reason = f"Losing trades are closed at a {format_pct(stop.meta.stop_pct)} loss."
        return _item("stop_loss_present", label, "ok", reason)
    if strategy.degen_class.selected == "High":
        reason = "A high-risk strategy must have a stop loss to cap its losses."
        return _item("stop_loss_present", label, "violation", reason)
    reason = "There is no stop loss, so losing trades have no automatic exit."
    return _item("stop_loss_present", label, "warning", reason)


def _high_risk_class(strategy: Strategy) -> GuardrailItem:
    """Flag the High risk class."""
    selected = strategy.degen_class.selected
    if selected == "High":
        reason = "This is a high-risk strategy: only use money you can afford to lose."
        return _item("high_risk_class", "High risk asset class selected", "warning", reason)
    reason = f"This strategy is in the {selected} risk class."
    return _item("high_risk_class", f"{selected} risk asset class", "ok", reason)


def _stop_within_target(strategy: Strategy) -> GuardrailItem | None:
    """Warn when the stop loss risks more than the profit target gains."""
    stop, target = _first(strategy, StopLossNode), _first(strategy, TakeProfitNode)
    if stop is None or target is None:
        return None
    stop_text, target_text = format_pct(stop.meta.stop_pct), format_pct(target.meta.target_pct)
    label = "Stop loss within profit target"
    if stop.meta.stop_pct > target.meta.target_pct:
        reason = f"The {stop_text} stop loss risks more than the {target_text} profit target can gain."
        return _item("stop_within_target", label, "warning", reason)
    reason = f"The {stop_text} stop loss risks no more than the {target_text} profit target."
    return _item("stop_within_target", label, "ok", reason)


def _capital_matches_request(strategy: Strategy, stated_capital_usd: float | None) -> GuardrailItem | None:
    """Compare the capital the strategy needs with what the trader said they have."""
    if stated_capital_usd is None:
        return None
    required = strategy.strategy_metrics.estimated_capital_required_usd
    label = "Capital matches your request"
    if abs(required - stated_capital_usd) > CAPITAL_TOLERANCE * abs(stated_capital_usd):
        reason = f"The strategy needs {format_usd(required)} but you said you have {format_usd(stated_capital_usd)}."
        return _item("capital_matches_request", label, "warning", reason)
    reason = f"The strategy uses the {format_usd(required)} you said you have."
    return _item("capital_matches_request", label, "ok", reason)


def _no_short_selling(strategy: Strategy) -> GuardrailItem:
    """Warn when an entry or exit rule talks about shorting."""
    label = "No short selling"
    for node in strategy.flowchart.nodes:
        if isinstance(node, (EntryConditionNode, ExitConditionNode)):
            for rule in node.meta.rules:
                if _SHORTING.search(rule):
                    return _item("no_short_selling", label, "warning", f"A rule mentions short selling: \"{rule}\".")
    return _item("no_short_selling", label, "ok", "No entry or exit rule sells short.")


def monthly_equivalent_pct(annual_pct: float) -> float:
    """The monthly return that compounds to `annual_pct` over twelve months."""
    return ((1 + annual_pct / 100) ** (1 / 12) - 1) * 100 if annual_pct > -100 else -100.0


def monthly_target_check(
    *,
    target_pct: float,
    measured_cagr_pct: float | None = None,
    run: str = "",
    data: str = "",
    not_measured_because: str = "",
) -> GuardrailItem:
    """Hold the monthly target to evidence: the CAGR `run` ("backtest #2") measured on `data`, else the ceiling.

    Never an "ok" that calls the target realistic: within the ceiling it is an estimate not yet measured.
    `not_measured_because` says why a run's figure is no measurement ("backtest #2 covered 40 days — too
    short to measure a monthly return"); the ceiling verdict then gives it as the reason.
    """
    target = format_pct(target_pct)
    if measured_cagr_pct is not None:
        measured_monthly = monthly_equivalent_pct(measured_cagr_pct)
        measured = f"{format_pct(round(measured_monthly, 2))} a month (CAGR {format_pct(round(measured_cagr_pct, 1))})"
        if target_pct > measured_monthly:
            reason = f"The {target} monthly target is above the {measured} that {run} measured on {data}."
            return _item("monthly_target", f"Target above what {run} measured", "warning", reason)
        reason = f"The {target} monthly target is within the {measured} that {run} measured on {data}."
        return _item("monthly_target", f"Target within what {run} measured", "ok", reason)
    ceiling = format_pct(MONTHLY_TARGET_CEILING_PCT)
    unmeasured = f": {not_measured_because}." if not_measured_because else " — run a backtest to measure it."
    if target_pct > MONTHLY_TARGET_CEILING_PCT:
        reason = (f"The {target} monthly target is above the {ceiling} a month ceiling (about 43% a year) that "
                  f"sustained returns rarely beat; it is the strategist's estimate, not yet measured{unmeasured}")
        return _item("monthly_target", f"Target above the {ceiling}/month ceiling", "warning", reason)
    reason = f"The {target} monthly target is proposed by the strategist and not yet measured{unmeasured}"
    return _item("monthly_target", f"Target within the {ceiling}/month ceiling (not a measurement)", "ok", reason)


def _backtestable(strategy: Strategy) -> GuardrailItem:
    """Say whether the engine can execute the entry conditions, naming a rule it cannot."""
    plan = backtest_plan(strategy)
    if isinstance(plan, NotExecutable):
        return _item("backtestable", "Backtestable", "warning", plan.message)
    return _item("backtestable", "Backtestable", "ok", "The entry conditions can be run by the backtest engine.")
