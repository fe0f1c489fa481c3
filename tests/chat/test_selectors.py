"""chat.selectors: a joining socket's state and the pages before it fit the frame budget and miss nothing."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from chat.live_types import InProgress
from chat.models import Conversation
from chat.selectors import PAGE_KEYS_BYTES, PAGE_MESSAGES, conversation_state, message_in, message_page
from chat.wire import json_size
from strategies.models import Strategy, StrategyVersion
from tests.chat import TRADING, store_messages
from tests.strategies import seed_strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation() -> Conversation:
    owner = get_user_model().objects.create_user("trader", password="x")
    return Conversation.objects.create(owner=owner, title="Long 🚀")


def page_back(conversation: Conversation, *, max_bytes: int, limit: int = PAGE_MESSAGES) -> list[dict[str, Any]]:
    """Every page from the newest back to the first, each within `max_bytes`; the pages' messages, oldest first."""
    page = message_page(conversation=conversation, before=None, limit=limit, max_bytes=max_bytes).model_dump()
    pages = [page]
    while page["has_more"]:
        before = message_in(conversation=conversation, message_id=page["before"])
        page = message_page(conversation=conversation, before=before, limit=limit, max_bytes=max_bytes).model_dump()
        pages.append(page)
    for page in pages:
        assert page["messages"] and page["before"] == page["messages"][0]["id"]
        assert json_size(page["messages"]) <= max_bytes
    return [entry for page in reversed(pages) for entry in page["messages"]]


def test_the_state_of_a_long_conversation_carries_its_newest_messages_within_the_budget(conversation):
    stored = store_messages(conversation, [f"{i} {TRADING * 40}" for i in range(60)])  # ~1.3 KB each

    state = conversation_state(conversation=conversation, in_progress=None, max_bytes=20_000).model_dump()

    assert json_size(state) <= 20_000
    shown = [entry["id"] for entry in state["messages"]]
    assert shown == [str(m.id) for m in stored[-len(shown):]]
    assert 10 <= len(shown) < 60  # as many as fit, not just a few
    assert state["has_more"] is True and state["before"] == shown[0]
    assert not any(entry.get("truncated") for entry in state["messages"])


def test_a_short_conversation_is_all_in_the_state_with_nothing_more(conversation):
    stored = store_messages(conversation, ["I have $5000", "Here is a strategy."])

    state = conversation_state(conversation=conversation, in_progress=None, max_bytes=512 * 1024).model_dump()

    assert [entry["content"] for entry in state["messages"]] == ["I have $5000", "Here is a strategy."]
    assert state["has_more"] is False and state["before"] == str(stored[0].id)


def test_an_empty_conversation_has_no_cursor(conversation):
    state = conversation_state(conversation=conversation, in_progress=None, max_bytes=512 * 1024).model_dump()

    assert state["messages"] == [] and state["has_more"] is False and state["before"] is None


def test_the_strategy_and_the_reply_in_progress_count_toward_the_budget(conversation):
    store_messages(conversation, [f"{i} {TRADING * 20}" for i in range(40)])
    strategy = Strategy.objects.create(conversation=conversation, owner=conversation.owner, name="s")
    version = StrategyVersion.objects.create(strategy=strategy, number=1, data=seed_strategy())
    strategy.current_version = version
    strategy.save()
    in_progress = InProgress(message_id="m", text=TRADING * 300, seq=7)  # ~5.7 KB

    state = conversation_state(conversation=conversation, in_progress=in_progress, max_bytes=16_000).model_dump()

    assert json_size(state) <= 16_000
    assert state["in_progress"] == asdict(in_progress) and state["strategy_json"] == seed_strategy()
    assert state["messages"] and state["has_more"] is True


def test_paging_back_reaches_the_first_message_without_a_gap_or_a_repeat(conversation):
    stored = store_messages(conversation, [f"{i} {TRADING * (i % 7 * 10)}" for i in range(90)])

    assert [entry["id"] for entry in page_back(conversation, max_bytes=8_000)] == [str(m.id) for m in stored]


def test_messages_stored_at_the_same_instant_page_in_one_order(conversation):
    stored = store_messages(conversation, [f"tied {i}" for i in range(25)], same_time=True)

    assert [entry["id"] for entry in page_back(conversation, max_bytes=512 * 1024, limit=4)] == [
        str(m.id) for m in stored
    ]


def test_a_page_holds_at_most_limit_messages(conversation):
    store_messages(conversation, ["short"] * 10)

    page = message_page(conversation=conversation, before=None, limit=3, max_bytes=512 * 1024).model_dump()

    assert len(page["messages"]) == 3 and page["has_more"] is True


def test_a_message_too_large_for_the_budget_is_shown_shortened_and_flagged(conversation):
    # Quotes, newlines and control characters take 2-6 bytes each in JSON: the cut must allow for them.
    huge = ('"quoted"\n' + TRADING + "\x01") * 6_000  # ~240 KB as JSON
    older, big, newest = store_messages(conversation, ["the first", huge, "the newest"])

    pages = [message_page(conversation=conversation, before=None, limit=PAGE_MESSAGES, max_bytes=20_000).model_dump()]
    while pages[-1]["has_more"]:
        before = message_in(conversation=conversation, message_id=pages[-1]["before"])
        page = message_page(conversation=conversation, before=before, limit=PAGE_MESSAGES, max_bytes=20_000)
        pages.append(page.model_dump())

    assert [[entry["id"] for entry in page["messages"]] for page in pages] == [
        [str(newest.id)],
        [str(big.id)],
        [str(older.id)],
    ]
    [shortened] = pages[1]["messages"]
    assert shortened["truncated"] is True
    assert huge.startswith(shortened["content"]) and len(shortened["content"]) > 1_000
    assert json_size(pages[1]["messages"]) <= 20_000
    assert "truncated" not in pages[0]["messages"][0]


def test_the_newest_message_alone_over_the_budget_still_opens_the_conversation(conversation):
    store_messages(conversation, ["older", TRADING * 50_000])  # ~1.4 MB, as history from an older version could be

    state = conversation_state(conversation=conversation, in_progress=None, max_bytes=512 * 1024).model_dump()

    assert json_size(state) <= 512 * 1024
    [*_, newest] = state["messages"]
    assert newest["truncated"] is True and len(newest["content"]) > 100_000
    assert state["has_more"] is True


def test_page_entries_carry_the_strategy_version_their_reply_made(conversation):
    question, reply = store_messages(conversation, ["I have $5000", "Here it is."])
    strategy = Strategy.objects.create(conversation=conversation, owner=conversation.owner, name="s")
    StrategyVersion.objects.create(strategy=strategy, number=1, data=seed_strategy(), source_message=reply)

    page = message_page(conversation=conversation, before=None, limit=PAGE_MESSAGES, max_bytes=512 * 1024).model_dump()

    assert [entry["strategy_version"] for entry in page["messages"]] == [None, 1]


def test_the_page_keys_fit_in_their_allowance():
    keys = {"messages": [], "has_more": False, "before": "7b0c1f7e-0000-4000-8000-000000000001"}

    assert json_size(keys) - len("{}") + len(",") <= PAGE_KEYS_BYTES
