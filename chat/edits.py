"""The builder's `edit_strategy`: the whole edited strategy, checked exactly as a reply's strategy is, stored
as the next version and announced to every socket on the conversation as `strategy_updated`.

An edit is refused, with nothing stored, when the conversation has no strategy yet (`no_strategy`), the
trader edits too often (`rate_limited`), a reply is streaming (`reply_in_progress`), another version became
current first (`version_conflict`), the strategy is invalid (`invalid_strategy`, every problem by its JSON
path) or it changes nothing (`no_change`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from chat.broadcast import publish
from chat.db import db_call
from chat.errors import ChatError, NoStrategy, RateLimited
from chat.frames import EditStrategyFrame, StrategyUpdated
from chat.models import Conversation
from chat.ratelimit import allowance_return, allowance_take
from chat.selectors import current_version, stated_capital
from chat.services import strategy_edit
from chat.wire import json_text
from strategies.models import Strategy, StrategyVersion
from strategies.schemas import MAX_STRATEGY_JSON_BYTES, MAX_STRATEGY_JSON_DEPTH, StrategyProblem
from strategies.validation import InvalidStrategy, validate_strategy
from strategies.versions import NoChange, VersionConflict
from vibewater.untrusted import UntrustedJSONError, load_json

NO_STRATEGY = "There is no strategy to edit yet. Ask for one first."


async def handle_edit(*, user: AbstractBaseUser, conversation: Conversation | None, frame: EditStrategyFrame) -> None:
    """Store the trader's edit as the next version and tell every socket; a refusal raises ChatError."""
    if conversation is None:
        raise NoStrategy(NO_STRATEGY)
    version = await db_call(_store)(user=user, conversation=conversation, frame=frame)
    await publish(
        conversation.id,
        StrategyUpdated(
            strategy_json=version.data,
            strategy_version=version.number,
            conversation_id=str(conversation.id),
            source=version.source,
            restored_from=None,
        ),
    )


def _store(*, user: AbstractBaseUser, conversation: Conversation, frame: EditStrategyFrame) -> StrategyVersion:
    """Count the edit and store it; an edit refused for any reason but its validation is not counted."""
    limit = settings.CHAT_EDITS_PER_MINUTE
    counter = allowance_take(scope="edits", user_id=user.pk, limit=limit)
    if counter is None:
        raise RateLimited(f"You can make {limit} edits a minute. Please wait a moment.")
    try:
        return _validated_and_stored(conversation=conversation, frame=frame)
    except ChatError as refused:
        # Validation is the CPU an edit costs, so an invalid edit keeps its place; the other refusals are cheap.
        if refused.code != "invalid_strategy":
            allowance_return(counter)
        raise


def _validated_and_stored(*, conversation: Conversation, frame: EditStrategyFrame) -> StrategyVersion:
    """Bound and validate the edit as a reply's strategy, and store it; refusals as ChatError."""
    base = current_version(conversation=conversation)
    if base is None:
        raise NoStrategy(NO_STRATEGY)
    try:
        strategy = validate_strategy(
            _bounded(frame.strategy_json),
            stated_capital_usd=stated_capital(conversation=conversation, max_turns=settings.CHAT_CONTEXT_TURNS),
        )
        return strategy_edit(conversation=conversation, base_version=frame.base_version, strategy=strategy)
    except InvalidStrategy as invalid:
        message = f"That edit was not saved: {invalid}"
        raise ChatError(message, code="invalid_strategy", problems=invalid.problems) from None
    except VersionConflict as conflict:
        raise ChatError(
            f"The strategy changed to v{conflict.current} (in another tab, or by a reply) before this edit of "
            f"v{frame.base_version} arrived, so the edit was not saved. Make it again on v{conflict.current}.",
            code="version_conflict",
        ) from None
    except NoChange as unchanged:
        message = f"That edit changes nothing; the strategy stays at v{unchanged.current}."
        raise ChatError(message, code="no_change") from None
    except Strategy.DoesNotExist:  # the strategy went between the first look and the lock
        raise NoStrategy(NO_STRATEGY) from None


def _bounded(strategy_json: dict[str, object]) -> object:
    """The edited strategy held to the bounds a model's strategy JSON is held to (size and nesting)."""
    try:
        return load_json(
            json_text(strategy_json),
            max_bytes=MAX_STRATEGY_JSON_BYTES,
            max_depth=MAX_STRATEGY_JSON_DEPTH,
            what="The edited strategy",
        )
    except UntrustedJSONError as refused:
        raise InvalidStrategy(str(refused), [StrategyProblem(path="", message=str(refused))]) from None
