"""The offline strategist's plan: a strategy as facts, built from what the trader asked and rendered as JSON.

`new_plan` reads a first message's intent, `apply_intent` changes a plan by a follow-up, `prior_plan`
folds a conversation (or reads the current strategy back with `plan_from_strategy`), and
`strategy_from_plan` renders a plan in the seed's format. Each entry comes as the words the trader reads
and the executable `conditions` the backtest engine runs (`Entry`); the category step names the market
a backtest runs on (`strategies.symbols`). Pure functions: no I/O, no model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from strategies.intent import RiskClass, TraderIntent
from strategies.schemas import DEFAULT_TIMEFRAME
from strategies.symbols import default_symbol

RISK_CLASSES: tuple[RiskClass, ...] = ("Low", "Medium", "High")
DEFAULT_CAPITAL_USD = 1000.0


Condition = dict[str, Any]  # one of strategies.schemas.Condition, as JSON


@dataclass(frozen=True)
class Entry:
    """When a strategy enters: the rules a trader reads and the conditions the backtest engine executes."""

    rules: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class ClassDefaults:
    """What a risk class gets when the trader does not say otherwise."""

    category: str
    monthly_target_pct: float
    take_profit_pct: float
    stop_loss_pct: float
    entry: Entry
    rationale: str


DEFAULTS: dict[RiskClass, ClassDefaults] = {
    "Low": ClassDefaults(
        "BTC/ETH", 2.5, 5.0, 3.0,
        Entry(("Buy when the 50-day moving average crosses above the 200-day",),
              ({"kind": "ma_cross_up", "fast": 50, "slow": 200},)),
        "Low risk aims for small, steady gains with a tight stop, so no single trade hurts much.",
    ),
    "Medium": ClassDefaults(
        "Layer 1", 4.5, 8.0, 4.0,
        Entry(
            ("Enter on a 3% pullback from the 20-day high", "Only while the price is above the 50-day moving average"),
            ({"kind": "drop_from_high", "pct": 3.0, "lookback_bars": 20}, {"kind": "price_above_ma", "period": 50}),
        ),
        "Medium risk balances growth and safety: the profit target is about twice the stop loss.",
    ),
    "High": ClassDefaults(
        "DeFi", 7.0, 12.0, 5.0,
        Entry(("Enter on a 5% price drop from the 20-day high", "Scale in with at most 25% of capital per entry"),
              ({"kind": "drop_from_high", "pct": 5.0, "lookback_bars": 20},)),
        "High risk chases bigger moves in volatile coins, so the stop loss is what caps a bad trade.",
    ),
}
# Categories whose market calls for their own entry rule whatever the risk class. A yield rule has no
# price condition, so such a strategy is honestly not backtestable (its guardrail says so).
CATEGORY_ENTRIES: dict[str, Entry] = {
    "Stablecoins": Entry((
        "Enter lending pools when the yield is above 4% APY",
        "Only audited pools with over $100M deposits",
    )),
    "Memecoins": Entry(
        ("Enter when the price is above its 20-day moving average", "Only while RSI(14) is below 70"),
        ({"kind": "price_above_ma", "period": 20}, {"kind": "rsi_below", "period": 14, "threshold": 70.0}),
    ),
}


@dataclass(frozen=True)
class Plan:
    """The strategy as facts, before it becomes the seed's JSON."""

    capital_usd: float
    capital_assumed: bool
    risk: RiskClass
    category: str
    entry: Entry
    monthly_target_pct: float
    take_profit_pct: float
    stop_loss_pct: float | None
    #: The trader removed the stop loss on purpose, so a move to High does not put it back.
    stop_removed: bool = False
    #: The trader asked for the stop loss, so it is theirs, not one the strategist added for safety.
    stop_asked: bool = False
    #: The market the strategy named (an edit, the model); None: the category's default symbol.
    symbol: str | None = None
    timeframe: str = DEFAULT_TIMEFRAME


def entry_for(risk: RiskClass, category: str) -> Entry:
    """Return the entry for a risk class and category."""
    return CATEGORY_ENTRIES.get(category, DEFAULTS[risk].entry)


def shifted(risk: RiskClass, step: int) -> RiskClass:
    """Move `risk` by `step` classes, staying within Low..High."""
    index = min(max(RISK_CLASSES.index(risk) + step, 0), len(RISK_CLASSES) - 1)
    return RISK_CLASSES[index]


def new_plan(intent: TraderIntent) -> Plan:
    """Build a first plan from one message, filling the rest with class defaults."""
    risk = intent.risk or shifted("Medium", intent.risk_shift)
    base = DEFAULTS[risk]
    category = intent.category or base.category
    return Plan(
        capital_usd=intent.capital_usd or DEFAULT_CAPITAL_USD,
        capital_assumed=intent.capital_usd is None,
        risk=risk,
        category=category,
        entry=entry_for(risk, category),
        monthly_target_pct=intent.monthly_target_pct or base.monthly_target_pct,
        take_profit_pct=intent.take_profit_pct or base.take_profit_pct,
        stop_loss_pct=None if intent.remove_stop_loss else intent.stop_loss_pct or base.stop_loss_pct,
        stop_removed=intent.remove_stop_loss,
        stop_asked=bool(intent.stop_loss_pct or intent.wants_stop_loss) and not intent.remove_stop_loss,
    )


def apply_intent(plan: Plan, intent: TraderIntent) -> Plan:
    """Change `plan` by what one follow-up message asks for."""
    risk = intent.risk or shifted(plan.risk, intent.risk_shift)
    if risk != plan.risk:
        old, new = DEFAULTS[plan.risk], DEFAULTS[risk]
        category = new.category if plan.category == old.category else plan.category
        plan = replace(
            plan, risk=risk, category=category, entry=entry_for(risk, category),
            symbol=plan.symbol if category == plan.category else None,
            monthly_target_pct=new.monthly_target_pct, take_profit_pct=new.take_profit_pct,
            stop_loss_pct=None if plan.stop_removed else new.stop_loss_pct,
        )
    if intent.category and intent.category != plan.category:
        plan = replace(plan, category=intent.category, entry=entry_for(plan.risk, intent.category), symbol=None)
    if intent.capital_usd:
        plan = replace(plan, capital_usd=intent.capital_usd, capital_assumed=False)
    if intent.monthly_target_pct:
        plan = replace(plan, monthly_target_pct=intent.monthly_target_pct)
    if intent.take_profit_pct:
        plan = replace(plan, take_profit_pct=intent.take_profit_pct)
    if intent.remove_stop_loss:
        plan = replace(plan, stop_loss_pct=None, stop_removed=True, stop_asked=False)
    elif intent.stop_loss_pct:
        plan = replace(plan, stop_loss_pct=intent.stop_loss_pct, stop_removed=False, stop_asked=True)
    elif intent.wants_stop_loss:
        stop = plan.stop_loss_pct or DEFAULTS[plan.risk].stop_loss_pct
        plan = replace(plan, stop_loss_pct=stop, stop_removed=False, stop_asked=True)
    elif plan.risk == "High" and plan.stop_loss_pct is None and not plan.stop_removed:
        plan = replace(plan, stop_loss_pct=DEFAULTS["High"].stop_loss_pct, stop_asked=False)
    return plan


def asks_for_change(intent: TraderIntent) -> bool:
    """Tell whether a message asks to change anything besides wanting an explanation."""
    return intent != TraderIntent(wants_explanation=intent.wants_explanation)


def _number(value: Any) -> float | None:
    """Read a number the strategy JSON may hold as 5, 5.0, "5%" or "$1,000"."""
    if isinstance(value, str):
        value = value.strip().rstrip("%").lstrip("$").replace(",", "")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def plan_from_strategy(strategy: dict[str, Any]) -> Plan:
    """Read a seed-format strategy dict back into a plan, filling gaps with class defaults."""
    nodes = {n.get("type"): n for n in strategy.get("flowchart", {}).get("nodes", []) if isinstance(n, dict)}
    meta = {kind: m if isinstance(m := node.get("meta"), dict) else {} for kind, node in nodes.items()}
    selected = str(strategy.get("degen_class", {}).get("selected", "")).strip().capitalize()
    risk: RiskClass = next((r for r in RISK_CLASSES if r == selected), "Medium")
    base = DEFAULTS[risk]
    metrics = strategy.get("strategy_metrics", {})
    category = str(meta.get("category", {}).get("category") or base.category)
    rules = tuple(str(r) for r in meta.get("entry_condition", {}).get("rules", []) if r)
    conditions = tuple(c for c in meta.get("entry_condition", {}).get("conditions", []) if isinstance(c, dict))
    capital = _number(metrics.get("estimated_capital_required_usd"))
    return Plan(
        capital_usd=capital or DEFAULT_CAPITAL_USD,
        capital_assumed=capital is None,
        risk=risk,
        category=category,
        entry=Entry(rules, conditions) if rules else entry_for(risk, category),
        monthly_target_pct=_number(metrics.get("impact_monthly_return_delta_pct")) or base.monthly_target_pct,
        take_profit_pct=_number(meta.get("take_profit", {}).get("target_pct")) or base.take_profit_pct,
        stop_loss_pct=_number(meta.get("stop_loss", {}).get("stop_pct")) if "stop_loss" in nodes else None,
        stop_asked=meta.get("stop_loss", {}).get("added") is False,
        symbol=str(meta.get("category", {}).get("symbol") or "") or None,
        timeframe=str(strategy.get("timeframe") or DEFAULT_TIMEFRAME),
    )


def strategy_from_plan(plan: Plan, user_request: str, summary: str) -> dict[str, Any]:
    """Render a plan as a strategy dict in the seed's format; guardrails are left for the server.

    The exits are alternatives, whichever comes first closes the trade: each is a branch from the entry
    to the end, not a step after another exit.
    """
    exits: list[dict[str, Any]] = [
        {"id": "profit_target", "type": "take_profit", "label": "Profit Target: ",
         "meta": {"target_pct": plan.take_profit_pct}},
    ]
    if plan.stop_loss_pct is not None:
        exits.append({"id": "stop_loss", "type": "stop_loss", "label": "Stop Loss: ",
                      "meta": {"stop_pct": plan.stop_loss_pct, "added": not plan.stop_asked}})
    nodes: list[dict[str, Any]] = [
        {"id": "start", "type": "start", "label": "Start Strategy"},
        {"id": "category", "type": "category", "label": "Crypto Category: ",
         "meta": {"category": plan.category, "symbol": plan.symbol or default_symbol(plan.category)}},
        {"id": "entry", "type": "entry_condition", "label": "Set Entry Condition: ",
         "meta": {"mode": "ai_optimized", "rules": list(plan.entry.rules), "conditions": list(plan.entry.conditions)}},
        *exits,
        {"id": "end", "type": "end", "label": "End Strategy"},
    ]
    edges = [["start", "category"], ["category", "entry"]]
    for step in exits:
        edges += [["entry", step["id"]], [step["id"], "end"]]
    capital = int(plan.capital_usd) if plan.capital_usd == int(plan.capital_usd) else plan.capital_usd
    return {
        "account": {"workspace": "Vibe Water Associates", "section": "My Strategies"},
        "assistant_panel": {"greeting": "Hello", "user_request": user_request, "assistant_reply": summary},
        "flowchart": {"nodes": nodes, "edges": edges},
        "timeframe": plan.timeframe,
        "degen_class": {"options": ["High", "Medium", "Low"], "selected": plan.risk},
        "strategy_metrics": {
            "impact_monthly_return_delta_pct": plan.monthly_target_pct,
            "estimated_capital_required_usd": capital,
        },
        "guardrails": {"enabled": [], "violations": []},
        "actions": {
            "explain_button": {"label": "Explain", "enabled": True},
            "run_backtest_button": {"label": "Run Backtest", "enabled": True},
        },
    }


def prior_plan(intents: list[TraderIntent], current_strategy: dict[str, Any] | None) -> Plan | None:
    """Return the plan before the newest message: the current strategy, or earlier messages folded."""
    if current_strategy is not None:
        stop_said = [i.remove_stop_loss for i in intents[:-1] if i.remove_stop_loss or i.stop_loss_pct]
        return replace(plan_from_strategy(current_strategy), stop_removed=bool(stop_said and stop_said[-1]))
    if len(intents) < 2:
        return None
    plan = new_plan(intents[0])
    for earlier in intents[1:-1]:
        plan = apply_intent(plan, earlier)
    return plan
