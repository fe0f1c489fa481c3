"""Writes that start or name a trader's strategies as conversations: importing a file, duplicating a version,
renaming, and titling a new conversation after its first strategy.

A conversation and its strategy share one name. The strategy domain knows nothing of conversations, so
the writes that touch both live here, each in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from chat.models import Conversation
from chat.notes import note_create
from strategies.models import Strategy, StrategyVersion
from strategies.naming import strategy_title
from strategies.porting import ImportedStrategy
from strategies.schemas import MAX_LABEL_CHARS, Strategy as StrategySchema
from strategies.services import strategy_create
from strategies.validation import validate_strategy

COPY_SUFFIX = " (copy)"


@transaction.atomic
def conversation_import(*, owner: Any, imported: ImportedStrategy) -> Conversation:
    """A new conversation, titled with the file's name, whose strategy starts at the imported one (v1, `import`)."""
    conversation = Conversation.objects.create(owner=owner, title=imported.name, title_from_trader=True)
    strategy_create(
        owner=owner,
        conversation=conversation,
        name=imported.name,
        data=imported.strategy.model_dump(mode="json"),
        source=StrategyVersion.Source.IMPORT,
    )
    note_create(conversation=conversation, content=f"Imported “{imported.name}” from a file as version 1.")
    return conversation


@transaction.atomic
def conversation_duplicate(*, owner: Any, strategy: Strategy, number: int) -> Conversation:
    """A new conversation whose strategy starts at version `number` of `strategy` (v1, `import`), with a note.

    The guardrails are computed afresh: the new conversation has no stated capital to check against.
    Raises InvalidStrategy (storing nothing) when that version no longer passes the schema.
    """
    version = strategy.versions.get(number=number)
    data = validate_strategy(version.data, stated_capital_usd=None).model_dump(mode="json")
    name = strategy.name[: MAX_LABEL_CHARS - len(COPY_SUFFIX)] + COPY_SUFFIX
    conversation = Conversation.objects.create(owner=owner, title=name, title_from_trader=True)
    strategy_create(owner=owner, conversation=conversation, name=name, data=data, source=StrategyVersion.Source.IMPORT)
    note_create(conversation=conversation, content=f"Duplicated from “{strategy.name}” v{number}.")
    return conversation


@transaction.atomic
def conversation_rename(*, conversation: Conversation, name: str) -> None:
    """Give the conversation and its strategy the trader's name; no strategy will retitle it."""
    Conversation.objects.filter(pk=conversation.pk).update(title=name, title_from_trader=True)
    Strategy.objects.filter(conversation=conversation).update(name=name)
    conversation.title, conversation.title_from_trader = name, True


def conversation_title_from_strategy(*, conversation: Conversation, strategy: Strategy, data: StrategySchema) -> None:
    """Title a conversation's new strategy, and the conversation, after the strategy — unless the trader named it.

    Call in the transaction that created `strategy`.
    """
    title = strategy_title(data)
    retitled = Conversation.objects.filter(pk=conversation.pk, title_from_trader=False).update(title=title)
    if not retitled:  # the trader renamed it, perhaps while this first reply streamed
        title = Conversation.objects.values_list("title", flat=True).get(pk=conversation.pk)
    conversation.title = title
    strategy.name = title
    strategy.save(update_fields=["name"])
