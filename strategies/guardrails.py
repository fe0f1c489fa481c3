"""Server-side guardrails and button states, computed from a validated strategy.

The model's own `guardrails` are never trusted: every check here reads the schema objects and
explains its status in a sentence a trader can read. A "violation" disables Run Backtest.
"""

import re
from typing import TypeVar

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

REALISTIC_MONTHLY_PCT = 20.0
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
        _realistic_monthly_target(strategy),
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


def _realistic_monthly_target(strategy: Strategy) -> GuardrailItem:
    """Warn when the monthly return target is far above what markets usually give."""
    label = "Realistic monthly target"
    target = strategy.strategy_metrics.impact_monthly_return_delta_pct
    if target > REALISTIC_MONTHLY_PCT:
        reason = f"A {format_pct(target)} monthly return is far above what markets usually deliver."
        return _item("realistic_monthly_target", label, "warning", reason)
    reason = f"A {format_pct(target)} monthly return is within a realistic range."
    return _item("realistic_monthly_target", label, "ok", reason)
