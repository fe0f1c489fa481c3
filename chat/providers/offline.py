"""The offline strategist: the default provider when no live model is configured.

`build_offline_reply(turns, current_strategy)` is a pure function: it reads the trader's messages with
`strategies.intent`, folds them into a `Plan` (starting from the current strategy for follow-ups),
and returns the chat text and a strategy dict in the seed's format. `OfflineStrategist.stream` wraps
that reply in the `<user_message>` / `<backend>` tag format and yields it at a human reading pace.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from chat.providers.base import ChatTurn, ReplyRequest, StreamOutcome
from strategies.intent import RiskClass, TraderIntent, parse_intent

RISK_CLASSES: tuple[RiskClass, ...] = ("Low", "Medium", "High")
DEFAULT_CAPITAL_USD = 1000.0
OFFLINE_NOTE = "(Offline strategist — no live model is configured.)"
_TAG = re.compile(r"</?(?:user_message|backend)>", re.IGNORECASE)


@dataclass(frozen=True)
class ClassDefaults:
    """What a risk class gets when the trader does not say otherwise."""

    category: str
    monthly_target_pct: float
    take_profit_pct: float
    stop_loss_pct: float
    entry_rules: tuple[str, ...]
    rationale: str


DEFAULTS: dict[RiskClass, ClassDefaults] = {
    "Low": ClassDefaults(
        "BTC/ETH", 2.5, 5.0, 3.0,
        ("Buy when the 50-day moving average crosses above the 200-day",),
        "Low risk aims for small, steady gains with a tight stop, so no single trade hurts much.",
    ),
    "Medium": ClassDefaults(
        "Layer 1", 4.5, 8.0, 4.0,
        ("Enter on a 3% pullback", "Only while the price is above the 50-day moving average"),
        "Medium risk balances growth and safety: the profit target is about twice the stop loss.",
    ),
    "High": ClassDefaults(
        "DeFi", 7.0, 12.0, 5.0,
        ("Enter on a 5% price drop", "Scale in with at most 25% of capital per entry"),
        "High risk chases bigger moves in volatile coins, so the stop loss is what caps a bad trade.",
    ),
}
# Categories whose market calls for their own entry rule whatever the risk class.
CATEGORY_RULES: dict[str, tuple[str, ...]] = {
    "Stablecoins": (
        "Enter lending pools when the yield is above 4% APY",
        "Only audited pools with over $100M deposits",
    ),
    "Memecoins": ("Enter on a breakout above the 7-day high with volume at least twice the average",),
}


@dataclass(frozen=True)
class Plan:
    """The strategy as facts, before it becomes the seed's JSON."""

    capital_usd: float
    capital_assumed: bool
    risk: RiskClass
    category: str
    entry_rules: tuple[str, ...]
    monthly_target_pct: float
    take_profit_pct: float
    stop_loss_pct: float | None
    #: The trader removed the stop loss on purpose, so a move to High does not put it back.
    stop_removed: bool = False


def _rules_for(risk: RiskClass, category: str) -> tuple[str, ...]:
    """Return the entry rules for a risk class and category."""
    return CATEGORY_RULES.get(category, DEFAULTS[risk].entry_rules)


def _shifted(risk: RiskClass, step: int) -> RiskClass:
    """Move `risk` by `step` classes, staying within Low..High."""
    index = min(max(RISK_CLASSES.index(risk) + step, 0), len(RISK_CLASSES) - 1)
    return RISK_CLASSES[index]


def _new_plan(intent: TraderIntent) -> Plan:
    """Build a first plan from one message, filling the rest with class defaults."""
    risk = intent.risk or _shifted("Medium", intent.risk_shift)
    base = DEFAULTS[risk]
    category = intent.category or base.category
    return Plan(
        capital_usd=intent.capital_usd or DEFAULT_CAPITAL_USD,
        capital_assumed=intent.capital_usd is None,
        risk=risk,
        category=category,
        entry_rules=_rules_for(risk, category),
        monthly_target_pct=intent.monthly_target_pct or base.monthly_target_pct,
        take_profit_pct=intent.take_profit_pct or base.take_profit_pct,
        stop_loss_pct=None if intent.remove_stop_loss else intent.stop_loss_pct or base.stop_loss_pct,
        stop_removed=intent.remove_stop_loss,
    )


def _apply(plan: Plan, intent: TraderIntent) -> Plan:
    """Change `plan` by what one follow-up message asks for."""
    risk = intent.risk or _shifted(plan.risk, intent.risk_shift)
    if risk != plan.risk:
        old, new = DEFAULTS[plan.risk], DEFAULTS[risk]
        category = new.category if plan.category == old.category else plan.category
        plan = replace(
            plan, risk=risk, category=category, entry_rules=_rules_for(risk, category),
            monthly_target_pct=new.monthly_target_pct, take_profit_pct=new.take_profit_pct,
            stop_loss_pct=None if plan.stop_removed else new.stop_loss_pct,
        )
    if intent.category and intent.category != plan.category:
        plan = replace(plan, category=intent.category, entry_rules=_rules_for(plan.risk, intent.category))
    if intent.capital_usd:
        plan = replace(plan, capital_usd=intent.capital_usd, capital_assumed=False)
    if intent.monthly_target_pct:
        plan = replace(plan, monthly_target_pct=intent.monthly_target_pct)
    if intent.take_profit_pct:
        plan = replace(plan, take_profit_pct=intent.take_profit_pct)
    if intent.remove_stop_loss:
        plan = replace(plan, stop_loss_pct=None, stop_removed=True)
    elif intent.stop_loss_pct:
        plan = replace(plan, stop_loss_pct=intent.stop_loss_pct, stop_removed=False)
    elif plan.risk == "High" and plan.stop_loss_pct is None and not plan.stop_removed:
        plan = replace(plan, stop_loss_pct=DEFAULTS["High"].stop_loss_pct)
    return plan


def _asks_for_change(intent: TraderIntent) -> bool:
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
    capital = _number(metrics.get("estimated_capital_required_usd"))
    return Plan(
        capital_usd=capital or DEFAULT_CAPITAL_USD,
        capital_assumed=capital is None,
        risk=risk,
        category=category,
        entry_rules=rules or _rules_for(risk, category),
        monthly_target_pct=_number(metrics.get("impact_monthly_return_delta_pct")) or base.monthly_target_pct,
        take_profit_pct=_number(meta.get("take_profit", {}).get("target_pct")) or base.take_profit_pct,
        stop_loss_pct=_number(meta.get("stop_loss", {}).get("stop_pct")) if "stop_loss" in nodes else None,
    )


def _usd(amount: float) -> str:
    """Format dollars as "$1,000" or "$1,000.50"."""
    return f"${amount:,.0f}" if amount == int(amount) else f"${amount:,.2f}"


def _pct(value: float) -> str:
    """Format a percentage as "3%" or "2.5%"."""
    return f"{value:g}%"


def strategy_from_plan(plan: Plan, user_request: str, summary: str) -> dict[str, Any]:
    """Render a plan as a strategy dict in the seed's format; guardrails are left for the server."""
    nodes: list[dict[str, Any]] = [
        {"id": "start", "type": "start", "label": "Start Strategy"},
        {"id": "category", "type": "category", "label": "Crypto Category: ", "meta": {"category": plan.category}},
        {"id": "entry", "type": "entry_condition", "label": "Set Entry Condition: ",
         "meta": {"mode": "ai_optimized", "rules": list(plan.entry_rules)}},
        {"id": "profit_target", "type": "take_profit", "label": "Profit Target: ",
         "meta": {"target_pct": plan.take_profit_pct}},
    ]
    if plan.stop_loss_pct is not None:
        nodes.append({"id": "stop_loss", "type": "stop_loss", "label": "Stop Loss: ",
                      "meta": {"stop_pct": plan.stop_loss_pct, "added": True}})
    nodes.append({"id": "end", "type": "end", "label": "End Strategy"})
    ids = [node["id"] for node in nodes]
    capital = int(plan.capital_usd) if plan.capital_usd == int(plan.capital_usd) else plan.capital_usd
    return {
        "account": {"workspace": "Vibe Water Associates", "section": "My Strategies"},
        "assistant_panel": {"greeting": "Hello", "user_request": user_request, "assistant_reply": summary},
        "flowchart": {"nodes": nodes, "edges": [list(pair) for pair in zip(ids, ids[1:])]},
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


def _describe(plan: Plan) -> str:
    """Name the risk class, category, capital and monthly target in one phrase."""
    owner = "" if plan.capital_assumed else "your "
    return (f"a {plan.risk}-risk {plan.category} strategy for {owner}{_usd(plan.capital_usd)}, "
            f"targeting {_pct(plan.monthly_target_pct)} a month")


def _exits(plan: Plan) -> str:
    """Describe the take profit and stop loss in one phrase."""
    if plan.stop_loss_pct is None:
        return f"take profit at {_pct(plan.take_profit_pct)} and no stop loss"
    return f"take profit at {_pct(plan.take_profit_pct)} and a stop loss at {_pct(plan.stop_loss_pct)}"


def _changes(old: Plan, new: Plan) -> list[str]:
    """List, in words, what differs between two plans."""
    said = [
        f"{label} {before} → {after}"
        for label, before, after in (
            ("risk class", old.risk, new.risk),
            ("capital", _usd(old.capital_usd), _usd(new.capital_usd)),
            ("category", old.category, new.category),
            ("monthly target", _pct(old.monthly_target_pct), _pct(new.monthly_target_pct)),
            ("take profit", _pct(old.take_profit_pct), _pct(new.take_profit_pct)),
        )
        if before != after
    ]
    if old.stop_loss_pct != new.stop_loss_pct:
        if new.stop_loss_pct is None:
            said.append("stop loss removed")
        elif old.stop_loss_pct is None:
            said.append(f"stop loss added at {_pct(new.stop_loss_pct)}")
        else:
            said.append(f"stop loss {_pct(old.stop_loss_pct)} → {_pct(new.stop_loss_pct)}")
    return said


def _entry(plan: Plan) -> str:
    """Quote a plan's entry rules in one sentence."""
    return f"It enters on {' and '.join(f'“{rule}”' for rule in plan.entry_rules)}."


def _explanation(plan: Plan) -> str:
    """Explain why a plan enters and exits as it does, in three sentences."""
    return (f"{_entry(plan)} {DEFAULTS[plan.risk].rationale} The {_pct(plan.monthly_target_pct)} "
            "monthly target is an estimate, not a promise.")


def _warnings(plan: Plan) -> str:
    """Return the cautions a plan calls for, each a sentence with a leading space, or ""."""
    text = ""
    if plan.risk == "High" and plan.stop_loss_pct is None:
        text += " Without a stop loss a High-risk strategy can lose far more than you expect."
    if plan.capital_assumed:
        text += f" You didn't mention your capital, so I assumed {_usd(DEFAULT_CAPITAL_USD)}; tell me yours."
    return text


def _prior_plan(intents: list[TraderIntent], current_strategy: dict[str, Any] | None) -> Plan | None:
    """Return the plan before the newest message: the current strategy, or earlier messages folded."""
    if current_strategy is not None:
        stop_said = [i.remove_stop_loss for i in intents[:-1] if i.remove_stop_loss or i.stop_loss_pct]
        return replace(plan_from_strategy(current_strategy), stop_removed=bool(stop_said and stop_said[-1]))
    if len(intents) < 2:
        return None
    plan = _new_plan(intents[0])
    for earlier in intents[1:-1]:
        plan = _apply(plan, earlier)
    return plan


def build_offline_reply(
    turns: Sequence[ChatTurn], current_strategy: dict[str, Any] | None
) -> tuple[str, dict[str, Any]]:
    """Return the chat text and strategy dict answering the newest user turn."""
    messages = [t.content for t in turns if t.role == "user"] or [""]
    intents = [parse_intent(m) for m in messages]
    new, old = intents[-1], _prior_plan(intents, current_strategy)

    explain_only = old is not None and new.wants_explanation and not _asks_for_change(new)
    if old is not None and explain_only:
        plan = old
        text = f"Your strategy is {_describe(plan)}, with {_exits(plan)}."
    elif old is None:
        plan = _new_plan(new)
        text = f"I've built {_describe(plan)}, with {_exits(plan)}."
        if not new.wants_explanation:
            text += f" {_entry(plan)}"
    else:
        plan = _apply(old, new)
        changed = _changes(old, plan)
        if changed:
            opening = f"Updated your strategy: {'; '.join(changed)}."
        elif _asks_for_change(new):
            opening = "Your strategy already works that way."
        else:
            opening = ("I kept your strategy as it was — I can change the capital, risk class, category, "
                       "monthly target, take profit or stop loss.")
        text = f"{opening} It's now {_describe(plan)}, with {_exits(plan)}."
    if new.wants_explanation:
        text += f" {_explanation(plan)}"
    text += f"{_warnings(plan)} {OFFLINE_NOTE}"
    if explain_only and current_strategy is not None:
        return text, copy.deepcopy(current_strategy)
    phrase = _describe(plan)
    summary = f"{phrase[0].upper()}{phrase[1:]}."
    return text, strategy_from_plan(plan, messages[-1], summary)


def render_reply(user_message: str, strategy: dict[str, Any]) -> str:
    """Wrap a reply in the `<user_message>` / `<backend>` tag format the model uses."""
    # Text the trader typed (echoed in the JSON) or a stored rule must never close a tag early.
    message = _TAG.sub("", user_message)
    backend = json.dumps(strategy, indent=2, ensure_ascii=False).replace("<", "\\u003c")
    return f"<user_message>\n{message}\n</user_message>\n\n<backend>\n{backend}\n</backend>\n"


class OfflineStrategist:
    """An `LLMProvider` that writes strategies from keywords, streamed at a reading pace."""

    name = "offline"
    model_id = "offline-strategist-1"

    def __init__(self, *, chars_per_chunk: int = 6, seconds_per_chunk: float = 0.03) -> None:
        if chars_per_chunk < 1:
            raise ValueError("chars_per_chunk must be at least 1")
        self.chars_per_chunk = chars_per_chunk
        self.seconds_per_chunk = seconds_per_chunk

    async def stream(self, request: ReplyRequest, outcome: StreamOutcome) -> AsyncIterator[str]:
        """Yield the reply in `chars_per_chunk` pieces and fill `outcome` with estimates."""
        started = time.perf_counter()
        text = render_reply(*build_offline_reply(request.turns, request.current_strategy))
        outcome.input_tokens = sum(len(t.content) for t in request.turns) // 4
        for index in range(0, len(text), self.chars_per_chunk):
            if index and self.seconds_per_chunk > 0:
                await asyncio.sleep(self.seconds_per_chunk)
            yield text[index:index + self.chars_per_chunk]
        outcome.stop_reason = "end_turn"
        outcome.output_tokens = len(text) // 4
        outcome.latency_ms = round((time.perf_counter() - started) * 1000)
