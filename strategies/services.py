"""Writes to strategies: new versions from replies, restores, imports."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from strategies.models import Strategy, StrategyVersion


def strategy_get_or_create_for_conversation(*, conversation: Any) -> Strategy:
    """The strategy a conversation builds, created on its first valid reply."""
    strategy, _ = Strategy.objects.get_or_create(
        conversation=conversation,
        defaults={"owner_id": conversation.owner_id, "name": conversation.title or "Untitled strategy"},
    )
    return strategy


@transaction.atomic
def strategy_version_create(
    *,
    strategy: Strategy,
    data: dict[str, Any],
    source: str = StrategyVersion.Source.REPLY,
    source_message: Any = None,
) -> StrategyVersion:
    """Add `data` as the strategy's next numbered version and make it current."""
    locked = Strategy.objects.select_for_update().get(pk=strategy.pk)
    last = locked.versions.aggregate(last=Max("number"))["last"] or 0
    version = StrategyVersion.objects.create(
        strategy=locked, number=last + 1, data=data, source=source, source_message=source_message
    )
    locked.current_version = version
    locked.save(update_fields=["current_version", "updated_at"])
    strategy.current_version = version
    return version


def strategy_version_restore(*, strategy: Strategy, number: int) -> StrategyVersion:
    """Make an earlier version current again, as a new version (history is never rewritten)."""
    earlier = strategy.versions.get(number=number)
    return strategy_version_create(strategy=strategy, data=earlier.data, source=StrategyVersion.Source.RESTORE)
