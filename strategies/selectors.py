"""Reads of strategies: a trader's strategy by its conversation."""

from __future__ import annotations

from typing import Any

from strategies.models import Strategy


def strategy_for_owner(*, owner: Any, conversation_id: Any) -> Strategy | None:
    """The strategy of `owner`'s conversation `conversation_id`, or None (also when the conversation is another's)."""
    return Strategy.objects.filter(conversation_id=conversation_id, conversation__owner=owner).first()
