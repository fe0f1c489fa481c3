"""What changed between two stored strategies: nodes, edges, risk class, metrics, timeframe, and lines to read.

`strategy_diff(old, new)` is a pure function of two strategy dicts as stored, each first read through
today's schema (`strategies.versions.schema_normalised`: a version stored before a field existed is not
"changed" by its default; one that no longer validates is compared as stored). Nodes are
matched by id; a changed node lists each parameter path (`meta.stop_pct`, `label`, `meta.rules`) with its
old and new value. Lists (rules, conditions) are compared whole as values and itemised in the readable
lines. Every step is a dict or set lookup, so the work is linear in the size of the two strategies.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel

from strategies.guardrails import format_pct, format_usd
from strategies.schemas import DEFAULT_TIMEFRAME
from strategies.versions import schema_normalised

#: Top-level fields compared, with the words a trader reads and how a value is written.
_STRATEGY_FIELDS: dict[str, tuple[str, str]] = {
    "degen_class.selected": ("Risk class", "text"),
    "strategy_metrics.impact_monthly_return_delta_pct": ("Monthly return target", "pct"),
    "strategy_metrics.estimated_capital_required_usd": ("Capital", "usd"),
    "timeframe": ("Timeframe", "text"),
}
#: What a field absent from a stored strategy means (versions stored before the field existed).
_FIELD_DEFAULTS: dict[str, Any] = {"timeframe": DEFAULT_TIMEFRAME}

#: Node parameters in words, and how each value is written.
_PARAMETER_WORDS: dict[str, tuple[str, str]] = {
    "meta.category": ("Category", "text"),
    "meta.symbol": ("Symbol", "symbol"),
    "meta.mode": ("Entry mode", "text"),
    "meta.target_pct": ("Profit target", "pct"),
    "meta.stop_pct": ("Stop loss", "pct"),
    "meta.added": ("Stop loss added for safety", "yes_no"),
    "meta.allocation_pct": ("Position size", "pct"),
}

_TYPE_WORDS: dict[str, str] = {
    "start": "Start",
    "end": "End",
    "category": "Crypto Category",
    "entry_condition": "Entry Condition",
    "exit_condition": "Exit Condition",
    "take_profit": "Profit Target",
    "stop_loss": "Stop Loss",
    "position_size": "Position Size",
}


class ValueChange(BaseModel):
    """One value that differs: where (a dotted path) and what it was and is (None: absent)."""

    path: str
    old: Any
    new: Any


class NodeRef(BaseModel):
    """A flowchart step named by id, type and label."""

    id: str
    type: str
    label: str


class NodeChange(NodeRef):
    """A step present in both strategies whose parameters differ."""

    changes: list[ValueChange]


class StrategyDiff(BaseModel):
    """Everything that differs from the old strategy to the new one; `lines` says it in words (empty: no change)."""

    nodes_added: list[NodeRef]
    nodes_removed: list[NodeRef]
    nodes_changed: list[NodeChange]
    edges_added: list[tuple[str, str]]
    edges_removed: list[tuple[str, str]]
    #: Risk class, metrics and timeframe, by their path in the strategy.
    fields: list[ValueChange]
    lines: list[str]


def strategy_diff(old: dict[str, Any], new: dict[str, Any]) -> StrategyDiff:
    """The difference from `old` to `new`, two strategy dicts as stored, each read through today's schema."""
    old, new = schema_normalised(old), schema_normalised(new)
    old_nodes, new_nodes = _nodes_by_id(old), _nodes_by_id(new)
    added = [_ref(node) for node_id, node in new_nodes.items() if node_id not in old_nodes]
    removed = [_ref(node) for node_id, node in old_nodes.items() if node_id not in new_nodes]
    changed = []
    for node_id, node in new_nodes.items():
        if node_id in old_nodes:
            changes = _value_changes(_flatten(old_nodes[node_id]), _flatten(node))
            if changes:
                changed.append(NodeChange(**_ref(node).model_dump(), changes=changes))
    old_edges, new_edges = _edges(old), _edges(new)
    fields = [
        ValueChange(path=path, old=_field(old, path), new=_field(new, path))
        for path in _STRATEGY_FIELDS
        if _field(old, path) != _field(new, path)
    ]
    diff = StrategyDiff(
        nodes_added=added,
        nodes_removed=removed,
        nodes_changed=changed,
        edges_added=[edge for edge in new_edges if edge not in old_edges],
        edges_removed=[edge for edge in old_edges if edge not in new_edges],
        fields=fields,
        lines=[],
    )
    return diff.model_copy(update={"lines": _lines(diff, {**old_nodes, **new_nodes})})


def _nodes_by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The strategy's flowchart nodes keyed by id, in their order."""
    return {str(node.get("id")): node for node in (data.get("flowchart") or {}).get("nodes") or []}


def _edges(data: dict[str, Any]) -> dict[tuple[str, str], None]:
    """The flowchart's edges as (source, target) pairs, in order (a dict: ordered and hashed)."""
    return {(str(edge[0]), str(edge[1])): None for edge in (data.get("flowchart") or {}).get("edges") or []}


def _ref(node: dict[str, Any]) -> NodeRef:
    """Name a node by id, type and label."""
    return NodeRef(id=str(node.get("id")), type=str(node.get("type")), label=str(node.get("label") or ""))


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A node's values by dotted path; lists stay whole values (rules and conditions are compared as lists)."""
    if not isinstance(value, dict):
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, item in value.items():
        if key != "id":
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def _value_changes(old: dict[str, Any], new: dict[str, Any]) -> list[ValueChange]:
    """Each path whose value differs between two flattened nodes."""
    paths = list(dict.fromkeys([*old, *new]))
    return [ValueChange(path=p, old=old.get(p), new=new.get(p)) for p in paths if old.get(p) != new.get(p)]


def _field(data: dict[str, Any], path: str) -> Any:
    """The value at a dotted path, its default when absent, else None."""
    value: Any = data
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return _FIELD_DEFAULTS.get(path) if value is None else value


# --- readable lines ---------------------------------------------------------------------------


def _lines(diff: StrategyDiff, nodes: dict[str, dict[str, Any]]) -> list[str]:
    """The diff as sentences, e.g. "Stop loss 5% → 4%", "Added step 'Exit Condition'"."""
    lines = [_parameter_line(_STRATEGY_FIELDS[change.path], change) for change in diff.fields]
    lines += [f"Added step '{step_name(node.model_dump())}'" for node in diff.nodes_added]
    lines += [f"Removed step '{step_name(node.model_dump())}'" for node in diff.nodes_removed]
    for node in diff.nodes_changed:
        for change in node.changes:
            lines += _change_lines(node, change)
    name = {node_id: step_name(node) for node_id, node in nodes.items()}
    lines += [f"Linked '{name[a]}' → '{name[b]}'" for a, b in diff.edges_added]
    lines += [f"Unlinked '{name[a]}' → '{name[b]}'" for a, b in diff.edges_removed]
    return lines


def step_name(node: dict[str, Any]) -> str:
    """A step's name for a trader: its label without the trailing colon, else its kind in words."""
    label = str(node.get("label") or "").strip().rstrip(":").strip()
    return label or _TYPE_WORDS.get(str(node.get("type")), str(node.get("id")))


def _change_lines(node: NodeChange, change: ValueChange) -> list[str]:
    """Sentences for one changed parameter of a step."""
    step = step_name(node.model_dump())
    if change.path == "label":
        return [f"Renamed step '{step_name({'label': change.old, 'type': node.type})}' to '{step}'"]
    if change.path in _PARAMETER_WORDS:
        return [_parameter_line(_PARAMETER_WORDS[change.path], change)]
    if change.path in {"meta.rules", "meta.conditions"}:
        noun = "rule" if change.path == "meta.rules" else "condition"
        old, new = _items(change.old), _items(change.new)
        added, removed = Counter(new) - Counter(old), Counter(old) - Counter(new)
        lines = [f"{step}: added {noun} '{item}'" for item in dict.fromkeys(new) if item in added]
        lines += [f"{step}: removed {noun} '{item}'" for item in dict.fromkeys(old) if item in removed]
        if not lines and old != new:  # the same items, each as often: only their order differs
            lines = [f"{step}: {noun}s reordered"]
        return lines
    words = f"{step}: {change.path.removeprefix('meta.')}"
    return [_parameter_line((words, "text"), change)]


def _parameter_line(words_and_kind: tuple[str, str], change: ValueChange) -> str:
    """A sentence like "Stop loss 5% → 4%"."""
    words, kind = words_and_kind
    return f"{words} {_shown(change.old, kind)} → {_shown(change.new, kind)}"


def _items(value: Any) -> list[str]:
    """A list of rules or conditions as readable strings, in order."""
    return [condition_text(item) if isinstance(item, dict) else str(item) for item in value or []]


def condition_text(condition: dict[str, Any]) -> str:
    """An executable entry condition in words, e.g. "close 5% below the 20-bar high"."""
    kind = condition.get("kind")
    if kind == "drop_from_high":
        return f"close {_shown(condition.get('pct'), 'pct')} below the {condition.get('lookback_bars')}-bar high"
    if kind == "price_above_ma":
        return f"close above the {condition.get('period')}-bar average"
    if kind == "ma_cross_up":
        return f"{condition.get('fast')}-bar average crosses above the {condition.get('slow')}-bar average"
    if kind == "rsi_below":
        return f"RSI({condition.get('period')}) below {_shown(condition.get('threshold'), 'number')}"
    return str(kind)


def _shown(value: Any, kind: str) -> str:
    """A value as the trader reads it."""
    if value is None:
        return "default" if kind == "symbol" else "none"
    if kind == "pct" and isinstance(value, (int, float)):
        return format_pct(value)
    if kind == "number" and isinstance(value, (int, float)):
        return f"{value:g}"
    if kind == "usd" and isinstance(value, (int, float)):
        return format_usd(value)
    if kind == "yes_no":
        return "yes" if value else "no"
    return str(value)
