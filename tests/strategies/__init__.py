"""Tests of the strategy domain; `seed_strategy()` builds the seed document's example JSON, `conversation_of()`
a stored conversation whose strategy is at version 1."""

from typing import Any

from chat.models import Conversation
from strategies.models import Strategy
from strategies.services import strategy_version_create


def seed_strategy() -> dict[str, Any]:
    """A fresh copy of the strategy JSON from the seed's "Strategy JSON Format" section."""
    return {
        "account": {"workspace": "Vibe Water Associates", "section": "My Strategies"},
        "assistant_panel": {
            "greeting": "Hello",
            "user_request": "User's original request",
            "assistant_reply": "Brief summary of recommendation",
        },
        "flowchart": {
            "nodes": [
                {"id": "start", "type": "start", "label": "Start Strategy"},
                {"id": "category", "type": "category", "label": "Crypto Category: ", "meta": {"category": "DeFi"}},
                {
                    "id": "entry",
                    "type": "entry_condition",
                    "label": "Set Entry Condition: ",
                    "meta": {"mode": "ai_optimized", "rules": ["Enter on a 5% price drop"]},
                },
                {"id": "profit_target", "type": "take_profit", "label": "Profit Target: ", "meta": {"target_pct": 7.0}},
                {
                    "id": "stop_loss",
                    "type": "stop_loss",
                    "label": "Stop Loss: ",
                    "meta": {"stop_pct": 5.0, "added": True},
                },
                {"id": "end", "type": "end", "label": "End Strategy"},
            ],
            "edges": [
                ["start", "category"],
                ["category", "entry"],
                ["entry", "profit_target"],
                ["profit_target", "stop_loss"],
                ["stop_loss", "end"],
            ],
        },
        "degen_class": {"options": ["High", "Medium", "Low"], "selected": "High"},
        "strategy_metrics": {"impact_monthly_return_delta_pct": 7.0, "estimated_capital_required_usd": 1000},
        "guardrails": {
            "enabled": [
                {"key": "no_short_selling", "label": "No short selling", "status": "ok"},
                {"key": "high_risk_class", "label": "High risk asset class selected", "status": "warning"},
            ],
            "violations": [],
        },
        "actions": {
            "explain_button": {"label": "Explain", "enabled": True},
            "run_backtest_button": {"label": "Run Backtest", "enabled": True},
        },
    }


def node(data: dict[str, Any], node_id: str) -> dict[str, Any]:
    """The node with this id in a strategy dict."""
    return next(n for n in data["flowchart"]["nodes"] if n["id"] == node_id)


def drop_node(data: dict[str, Any], node_id: str) -> dict[str, Any]:
    """Remove a node and reconnect its predecessor to its successor, keeping the path intact."""
    nodes, edges = data["flowchart"]["nodes"], data["flowchart"]["edges"]
    before = next(source for source, target in edges if target == node_id)
    after = next(target for source, target in edges if source == node_id)
    data["flowchart"]["nodes"] = [n for n in nodes if n["id"] != node_id]
    data["flowchart"]["edges"] = [e for e in edges if node_id not in e] + [[before, after]]
    return data


def conversation_of(owner: Any, title: str) -> Conversation:
    """A conversation of `owner` with a strategy at version 1 (the seed strategy)."""
    conversation = Conversation.objects.create(owner=owner, title=title)
    strategy = Strategy.objects.create(conversation=conversation, owner=owner, name=title)
    strategy_version_create(strategy=strategy, data=seed_strategy())
    return conversation
