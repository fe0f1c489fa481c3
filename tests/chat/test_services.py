"""chat.services: what one reply costs the database, that the lean paths store the same rows, and what
storing a dead worker's reply keeps."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from chat.errors import ReplyInProgress
from chat.models import Conversation, Message
from chat.providers.base import StreamOutcome
from chat.selectors import reply_request
from chat.services import (
    REPLY_INTERRUPTED,
    InterruptedReply,
    Submission,
    message_submit,
    replies_mark_interrupted,
    reply_checkpoint,
    reply_finish,
)
from strategies.models import Strategy
from strategies.schemas import Strategy as StrategySchema
from strategies.validation import validate_strategy
from tests.strategies import seed_strategy

pytestmark = pytest.mark.django_db

#: Queries per reply: the burst benchmark's CPU per reply is mostly Django building these.
FIRST_MESSAGE_QUERIES = 5  # savepoint, conversation, user message, reply, release
FIRST_FINISH_QUERIES = 10  # savepoint, reply update, savepoint, strategy, release, title, name, version, current, release
FOLLOW_UP_QUERIES = 8  # savepoint, touch conversation, streaming check, 2 messages, release, 2 reads
# savepoint, reply update, strategy lock, current version (read after the lock: see strategies.services), release
FINISH_SAME_STRATEGY_QUERIES = 5


@pytest.fixture
def trader() -> Any:
    return get_user_model().objects.create_user("trader", password="x")


def submit(user: Any, conversation: Conversation | None, content: str = "Build me a strategy with $5000") -> Submission:
    return message_submit(
        user=user,
        conversation=conversation,
        reply_id=str(uuid.uuid4()),
        content=content,
        history=[],
        provider="offline",
        model_id="m",
        rate_limit_per_minute=1000,
    )


def validated(data: dict[str, Any]) -> StrategySchema:
    """The strategy a reply carrying this JSON hands to reply_finish."""
    return validate_strategy(data, stated_capital_usd=None)


def stored(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON a strategy version holds for a reply carrying this JSON."""
    return validated(data).model_dump(mode="json")


def finish(submission: Submission, strategy: StrategySchema | None) -> Any:
    return reply_finish(
        conversation=submission.conversation,
        reply_id=submission.reply.id,
        content="Here it is.",
        status=Message.Status.COMPLETE,
        error=None,
        outcome=StreamOutcome(input_tokens=10, output_tokens=20, latency_ms=30),
        strategy=strategy,
        new_conversation=submission.created,
    )


def test_a_first_message_and_its_reply_stay_within_their_query_budget(
    trader: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(FIRST_MESSAGE_QUERIES):
        submission = submit(trader, None)
    with django_assert_max_num_queries(FIRST_FINISH_QUERIES):
        version = finish(submission, validated(seed_strategy()))

    reply = Message.objects.get(pk=submission.reply.id)
    assert (reply.status, reply.content, reply.error) == ("complete", "Here it is.", "")
    assert (reply.input_tokens, reply.output_tokens, reply.latency_ms) == (10, 20, 30)
    assert reply.completed_at is not None
    strategy = Strategy.objects.get(conversation=submission.conversation)
    submission.conversation.refresh_from_db()
    assert strategy.owner == trader and strategy.name == submission.conversation.title == "DeFi dip buyer · High risk"
    assert strategy.current_version == version and version.number == 1
    assert version.data == stored(seed_strategy())
    assert strategy.current_version.source_message == reply


def test_follow_ups_number_versions_on_and_skip_unchanged_strategies(
    trader: Any, django_assert_max_num_queries: Any
) -> None:
    first = submit(trader, None)
    finish(first, validated(seed_strategy()))

    with django_assert_max_num_queries(FOLLOW_UP_QUERIES):
        same = submit(trader, first.conversation, "Explain it")
        request, capital = reply_request(conversation=same.conversation, max_turns=settings.CHAT_CONTEXT_TURNS)
    # The same strategy in new words: the assistant panel's prose differs with every reply.
    reworded = {**seed_strategy(), "assistant_panel": {"greeting": "Hi again", "assistant_reply": "Still this."}}
    with django_assert_max_num_queries(FINISH_SAME_STRATEGY_QUERIES):
        unchanged = finish(same, validated(reworded))
    changed_data = {**seed_strategy(), "degen_class": {"selected": "Medium"}}
    changed = finish(submit(trader, first.conversation, "Make it safer"), validated(changed_data))

    assert unchanged.number == 1
    assert changed.number == 2 and changed.data == stored(changed_data)
    assert Strategy.objects.get(conversation=first.conversation).current_version == changed
    assert [m.content for m in request.turns] == ["Build me a strategy with $5000", "Here it is.", "Explain it"]
    assert Strategy.objects.get(conversation=first.conversation).versions.count() == 2
    assert request.current_strategy == stored(seed_strategy()) and capital == 5000


def test_the_model_is_sent_only_the_newest_turns_of_a_long_conversation(trader: Any) -> None:
    conversation = Conversation.objects.create(owner=trader)
    for n in range(60):
        role = "user" if n % 2 == 0 else "assistant"
        Message.objects.create(conversation=conversation, role=role, content=f"turn {n}")

    request, _ = reply_request(conversation=conversation, max_turns=40)

    assert [turn.content for turn in request.turns] == [f"turn {n}" for n in range(20, 60)]


def test_a_first_reply_that_finds_a_strategy_already_there_versions_it(trader: Any) -> None:
    # Another worker's reply on the same new conversation (a stale-reply sweep let it in) stored one first.
    submission = submit(trader, None)
    Strategy.objects.create(conversation=submission.conversation, owner=trader, name="From elsewhere")

    version = finish(submission, validated(seed_strategy()))

    strategy = Strategy.objects.get(conversation=submission.conversation)
    assert strategy.name == "From elsewhere" and strategy.current_version == version and version.number == 1


def test_a_refused_message_leaves_the_conversation_untouched(trader: Any) -> None:
    first = submit(trader, None)
    before = Conversation.objects.get(pk=first.conversation.pk).updated_at

    with pytest.raises(ReplyInProgress):
        submit(trader, Conversation.objects.get(pk=first.conversation.pk), "Again")

    assert Conversation.objects.get(pk=first.conversation.pk).updated_at == before
    assert Message.objects.filter(conversation=first.conversation).count() == 2


def test_a_deleted_conversation_refuses_messages_and_replies(trader: Any) -> None:
    submission = submit(trader, None)
    Conversation.objects.filter(pk=submission.conversation.pk).delete()

    with pytest.raises(Conversation.DoesNotExist):
        submit(trader, submission.conversation)
    with pytest.raises(Message.DoesNotExist):
        finish(submission, validated(seed_strategy()))
    assert not Strategy.objects.exists()


def test_a_dead_workers_reply_is_stored_interrupted_with_its_text_or_else_its_checkpoint(trader: Any) -> None:
    first = submit(trader, None)
    version = finish(first, validated(seed_strategy()))
    with_text = submit(trader, first.conversation, "Make it safer").reply
    checkpointed = submit(trader, None, "I have $300").reply
    reply_checkpoint(reply_id=checkpointed.id, content="So far")

    stored = replies_mark_interrupted(texts={str(with_text.id): "The text so far", str(checkpointed.id): ""})

    assert sorted(stored, key=lambda reply: reply.content) == [
        InterruptedReply(str(checkpointed.id), str(checkpointed.conversation_id), "So far", "offline", "m", None),
        InterruptedReply(
            str(with_text.id), str(first.conversation.id), "The text so far", "offline", "m", version.number
        ),
    ]
    for reply in (with_text, checkpointed):
        reply.refresh_from_db()
        assert (reply.status, reply.error) == ("interrupted", REPLY_INTERRUPTED) and reply.completed_at is not None


def test_a_reply_already_stored_is_neither_interrupted_nor_checkpointed_again(trader: Any) -> None:
    submission = submit(trader, None)
    finish(submission, None)
    reply_id = submission.reply.id

    reply_checkpoint(reply_id=reply_id, content="A late checkpoint")
    assert replies_mark_interrupted(texts={str(reply_id): "A second sweeper's text"}) == []

    reply = Message.objects.get(pk=reply_id)
    assert (reply.status, reply.content, reply.error) == ("complete", "Here it is.", "")
