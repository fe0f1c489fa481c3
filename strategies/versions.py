"""When two strategy versions are the same, and why a new version was refused.

A version is worth storing only when it changes what the trader trades: the flowchart, the risk class,
the metrics and the timeframe. The assistant panel's prose (new with every reply) and the guardrails and
actions (the server recomputes them) are not compared. Replies, edits, restores and imports all ask
`same_strategy`.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from strategies.schemas import Strategy

TRADED_PARTS = frozenset({"flowchart", "timeframe", "degen_class", "strategy_metrics"})


class VersionConflict(Exception):
    """An edit was made from a version that is no longer current."""

    def __init__(self, *, current: int) -> None:
        super().__init__(f"The strategy is at v{current} now.")
        self.current = current


class NoChange(Exception):
    """A new version would equal the current one, so none is stored."""

    def __init__(self, *, current: int) -> None:
        super().__init__(f"That changes nothing; the strategy stays at v{current}.")
        self.current = current


def same_strategy(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two strategy JSONs trade the same (flowchart, risk class, metrics, timeframe)."""
    return _traded(a) == _traded(b)


def _traded(data: dict[str, Any]) -> dict[str, Any]:
    """The parts of a strategy that are traded, with the schema's defaults filled in."""
    normalised = schema_normalised(data)
    return {part: normalised.get(part) for part in TRADED_PARTS}


def schema_normalised(data: dict[str, Any]) -> dict[str, Any]:
    """The stored strategy as today's schema reads it, its defaults filled in; as stored if it no longer validates.

    So a version stored before a field existed (no `timeframe`, no `conditions`, no entry `mode`) reads
    as the same strategy stored since.
    """
    try:
        return Strategy.model_validate(data).model_dump(mode="json")
    except ValidationError:  # stored by an older, looser schema: take it as it is
        return data
