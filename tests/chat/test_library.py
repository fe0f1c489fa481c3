"""chat.library: a conversation is titled after its first strategy, and a name the trader gave is never overwritten."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from chat.library import conversation_rename
from chat.models import Conversation
from strategies.models import Strategy
from tests.chat.test_services import finish, submit, validated
from tests.strategies import node, seed_strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def trader() -> Any:
    return get_user_model().objects.create_user("trader", password="x")


def titles(conversation: Conversation) -> tuple[str, str]:
    conversation.refresh_from_db()
    return conversation.title, Strategy.objects.get(conversation=conversation).name


def test_a_new_conversation_is_titled_after_its_first_strategy_not_the_message(trader: Any) -> None:
    submission = submit(trader, None, "I have $5000 and want something aggressive in DeFi, buying dips")
    assert submission.conversation.title.startswith("I have $5000")  # until a strategy names it

    finish(submission, validated(seed_strategy()))

    assert titles(submission.conversation) == ("DeFi dip buyer · High risk", "DeFi dip buyer · High risk")


def test_later_strategies_do_not_retitle_the_conversation(trader: Any) -> None:
    first = submit(trader, None)
    finish(first, validated(seed_strategy()))
    changed = seed_strategy()
    node(changed, "category")["meta"]["category"] = "Memecoins"
    changed["degen_class"]["selected"] = "Low"

    finish(submit(trader, first.conversation, "Make it memecoins, low risk"), validated(changed))

    assert titles(first.conversation) == ("DeFi dip buyer · High risk", "DeFi dip buyer · High risk")


def test_a_conversation_the_trader_renamed_before_its_first_strategy_keeps_that_name(trader: Any) -> None:
    submission = submit(trader, None)
    # Renamed while the first reply streams: the reply's copy of the conversation still has the old title.
    conversation_rename(conversation=Conversation.objects.get(pk=submission.conversation.pk), name="My plan")

    finish(submission, validated(seed_strategy()))

    assert titles(submission.conversation) == ("My plan", "My plan")
