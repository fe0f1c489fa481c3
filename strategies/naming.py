"""Names of strategies: the title made from a strategy's first version, and what a name a trader types must be.

A conversation and its strategy share one name; the chat titles a new conversation with `strategy_title`
once its first strategy exists, unless the trader has named it already.
"""

from __future__ import annotations

from strategies.schemas import MAX_LABEL_CHARS, CategoryNode, EntryConditionNode, Strategy

MAX_CATEGORY_CHARS = 60  # keeps a title readable in the sidebar

#: What a trader calls an entry style, by the first condition's kind.
_CONDITION_STYLES: dict[str, str] = {
    "drop_from_high": "dip buyer",
    "rsi_below": "oversold buyer",
    "price_above_ma": "trend follower",
    "ma_cross_up": "crossover trader",
}

#: The same, recognised in the entry rules' words when there are no conditions.
_RULE_STYLES: tuple[tuple[str, str], ...] = (
    ("drop", "dip buyer"),
    ("dip", "dip buyer"),
    ("rsi", "oversold buyer"),
    ("oversold", "oversold buyer"),
    ("breakout", "breakout trader"),
    ("cross", "crossover trader"),
    ("moving average", "trend follower"),
    ("trend", "trend follower"),
)


class InvalidName(ValueError):
    """A name a trader typed that cannot be used; the message says why."""


def strategy_title(strategy: Strategy) -> str:
    """A short summary of the strategy for its title, e.g. "DeFi dip buyer · High risk"."""
    nodes = strategy.flowchart.nodes
    category = next((node.meta.category.strip() for node in nodes if isinstance(node, CategoryNode)), "")
    entry = next((node for node in nodes if isinstance(node, EntryConditionNode)), None)
    style = _entry_style(entry) if entry else "strategy"
    subject = f"{_clip(category, MAX_CATEGORY_CHARS)} {style}" if category else style.capitalize()
    return f"{subject} · {strategy.degen_class.selected} risk"


def strategy_name_clean(name: object) -> str:
    """The name with its outer spaces trimmed, or InvalidName when it is not text, empty or too long."""
    if not isinstance(name, str):
        raise InvalidName("The name must be text.")
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidName("The name must not be empty.")
    if len(cleaned) > MAX_LABEL_CHARS:
        raise InvalidName(f"The name may be at most {MAX_LABEL_CHARS} characters long.")
    return cleaned


def _entry_style(entry: EntryConditionNode) -> str:
    """How the entry step buys, in a trader's words."""
    if entry.meta.conditions:
        return _CONDITION_STYLES[entry.meta.conditions[0].kind]
    words = " ".join(entry.meta.rules).lower()
    return next((style for keyword, style in _RULE_STYLES if keyword in words), "strategy")


def _clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
