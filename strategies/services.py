"""Writes to strategies: new versions from replies, edits, restores, imports; a strategy started at a version;
archiving.

A version that would trade the same as the current one is not stored (`strategies.versions.same_strategy`).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from strategies.models import Strategy, StrategyVersion
from strategies.validation import validate_strategy
from strategies.versions import NoChange, VersionConflict, same_strategy


def strategy_lock(*, conversation: Any) -> Strategy:
    """The conversation's strategy, row-locked with its current version loaded (call inside a transaction).

    Raises Strategy.DoesNotExist when the conversation has none.
    """
    return _locked(conversation=conversation)


def _locked(**lookup: Any) -> Strategy:
    """The strategy matching `lookup`, row-locked, with its current version read after the lock was taken."""
    strategy = Strategy.objects.select_for_update().get(**lookup)
    # A separate query, not a join: on PostgreSQL a SELECT ... FOR UPDATE that waited for another writer
    # re-reads the locked row but not the rows joined to it, so a joined current version would be the one
    # from before that writer's commit (or none at all).
    if strategy.current_version_id is not None:
        strategy.current_version = StrategyVersion.objects.get(pk=strategy.current_version_id)
    return strategy


def strategy_lock_for_conversation(*, conversation: Any, expect_new: bool = False) -> tuple[Strategy, bool]:
    """The conversation's strategy, row-locked with its current version loaded, and whether it is new.

    Call inside a transaction. Created (without versions) on the conversation's first valid reply;
    `expect_new` (the conversation started with this reply's message) tries creating it before looking.
    """
    if not expect_new:
        try:
            return strategy_lock(conversation=conversation), False
        except Strategy.DoesNotExist:
            pass
    try:
        with transaction.atomic():  # a savepoint: a concurrent creator's row wins the unique conversation
            strategy = Strategy.objects.create(
                conversation=conversation,
                owner_id=conversation.owner_id,
                name=conversation.title or "Untitled strategy",
            )
    except IntegrityError:
        return strategy_lock(conversation=conversation), False
    return strategy, True


@transaction.atomic
def strategy_version_create(
    *,
    strategy: Strategy,
    data: dict[str, Any],
    source: str = StrategyVersion.Source.REPLY,
    source_message: Any = None,
    restored_from: int | None = None,
) -> StrategyVersion:
    """Add `data` as the strategy's next numbered version and make it current."""
    locked = Strategy.objects.select_for_update().get(pk=strategy.pk)
    version = strategy_version_append(
        locked=locked,
        data=data,
        source=source,
        source_message_id=getattr(source_message, "pk", None),
        restored_from=restored_from,
    )
    strategy.current_version = version
    return version


def strategy_version_append(
    *,
    locked: Strategy,
    data: dict[str, Any],
    source: str = StrategyVersion.Source.REPLY,
    source_message_id: Any = None,
    restored_from: int | None = None,
    first: bool = False,
) -> StrategyVersion:
    """Add `data` as the next version of a strategy this transaction has locked, and make it current.

    `first`: the strategy was created in this transaction, so it has no versions to number after.
    """
    last = 0 if first else locked.versions.aggregate(last=Max("number"))["last"] or 0
    version = StrategyVersion.objects.create(
        strategy=locked,
        number=last + 1,
        data=data,
        source=source,
        source_message_id=source_message_id,
        restored_from=restored_from,
    )
    locked.current_version = version
    locked.save(update_fields=["current_version", "updated_at"])
    return version


@transaction.atomic
def strategy_version_edit(*, conversation: Any, base_version: int, data: dict[str, Any]) -> StrategyVersion:
    """Store the trader's edit of version `base_version` (validated JSON) as the next version, source `edit`.

    Raises VersionConflict when another version became current first, NoChange when the edit trades the
    same as the current version, Strategy.DoesNotExist when the conversation has no strategy version.
    """
    locked = strategy_lock(conversation=conversation)
    current = locked.current_version
    if current is None:
        raise Strategy.DoesNotExist("The conversation has no strategy version.")
    if current.number != base_version:
        raise VersionConflict(current=current.number)
    if same_strategy(current.data, data):
        raise NoChange(current=current.number)
    return strategy_version_append(locked=locked, data=data, source=StrategyVersion.Source.EDIT)


@transaction.atomic
def strategy_version_restore(
    *, strategy: Strategy, number: int, stated_capital_usd: float | None
) -> StrategyVersion:
    """Make an earlier version current again, as a new version (history is never rewritten).

    Its guardrails and actions are computed afresh (today's checks, `stated_capital_usd` the trader's
    capital now), not copied from when it was stored. Raises StrategyVersion.DoesNotExist for a number
    the strategy has not reached, NoChange when that version trades the same as the current one,
    InvalidStrategy when it no longer passes the schema.
    """
    locked = _locked(pk=strategy.pk)
    earlier = locked.versions.get(number=number)
    current = locked.current_version
    if current is not None and same_strategy(current.data, earlier.data):
        raise NoChange(current=current.number)
    data = validate_strategy(earlier.data, stated_capital_usd=stated_capital_usd).model_dump(mode="json")
    version = strategy_version_append(
        locked=locked, data=data, source=StrategyVersion.Source.RESTORE, restored_from=number
    )
    strategy.current_version = version
    return version


@transaction.atomic
def strategy_create(*, owner: Any, conversation: Any, name: str, data: dict[str, Any], source: str) -> Strategy:
    """A new strategy of `conversation` whose version 1 is `data` (an import, a duplicate)."""
    strategy = Strategy.objects.create(owner=owner, conversation=conversation, name=name)
    strategy_version_append(locked=strategy, data=data, source=source, first=True)
    return strategy


def strategy_archive_set(*, strategy: Strategy, archived: bool) -> Strategy:
    """Archive the strategy (its conversation leaves the default list) or bring it back; idempotent."""
    if archived != (strategy.archived_at is not None):
        strategy.archived_at = timezone.now() if archived else None
        strategy.save(update_fields=["archived_at"])  # not updated_at: archiving is not a change to the strategy
    return strategy
