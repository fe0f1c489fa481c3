"""The chat's JSON endpoints through Django's test client: paging back through a conversation's messages,
and restoring a strategy version, which a socket on the conversation is told."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client

from chat.models import Conversation, Message
from chat.selectors import PAGE_MESSAGES
from strategies.models import Strategy, StrategyVersion
from strategies.services import strategy_version_create
from strategies.validation import validate_strategy
from tests.chat import TRADING, store_messages
from tests.strategies import seed_strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="alice", password="x")


@pytest.fixture
def alice_client(client: Client, alice: Any) -> Client:
    client.force_login(alice)
    return client


@pytest.fixture
def long_conversation(alice: Any) -> tuple[Conversation, list[Message]]:
    conversation = Conversation.objects.create(owner=alice, title="Long")
    return conversation, store_messages(conversation, [f"{i} {TRADING * 30}" for i in range(50)])


def messages_url(conversation_id: Any, **query: str) -> str:
    suffix = "&".join(f"{name}={value}" for name, value in query.items())
    return f"/api/conversations/{conversation_id}/messages/" + (f"?{suffix}" if suffix else "")


def test_pages_of_messages_lead_back_to_the_first_within_the_budget(alice_client, long_conversation, settings):
    settings.CHAT_MAX_SERVER_FRAME_BYTES = 10_000
    conversation, stored = long_conversation

    pages = [alice_client.get(messages_url(conversation.id))]
    while pages[-1].json()["has_more"]:
        pages.append(alice_client.get(messages_url(conversation.id, before=pages[-1].json()["before"])))

    assert all(page.status_code == 200 and len(page.content) <= 10_000 for page in pages)
    assert len(pages) > 3
    shown = [entry["id"] for page in reversed(pages) for entry in page.json()["messages"]]
    assert shown == [str(message.id) for message in stored]
    newest = pages[0].json()["messages"][-1]
    assert newest["content"] == stored[-1].content and newest["role"] == "assistant"
    assert {"id", "role", "content", "status", "created_at", "strategy_version"} <= newest.keys()


def test_messages_come_as_utf8_json(alice_client, long_conversation):
    conversation, _ = long_conversation

    response = alice_client.get(messages_url(conversation.id, limit="1"))

    assert response["Content-Type"] == "application/json"
    assert TRADING.encode() in response.content and b"\\u" not in response.content


def test_limit_bounds_the_number_of_messages(alice_client, long_conversation):
    conversation, stored = long_conversation

    body = alice_client.get(messages_url(conversation.id, limit="5")).json()

    assert [entry["id"] for entry in body["messages"]] == [str(m.id) for m in stored[-5:]]
    assert body["has_more"] is True and body["before"] == str(stored[-5].id)


def test_another_traders_conversation_is_not_found_like_one_that_does_not_exist(
    alice_client, django_user_model, long_conversation
):
    bob = django_user_model.objects.create_user(username="bob", password="x")
    bobs = Conversation.objects.create(owner=bob, title="Bob's")
    store_messages(bobs, ["Bob's secret plan"])

    foreign = alice_client.get(messages_url(bobs.id))
    missing = alice_client.get(messages_url(uuid.uuid4()))

    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert b"secret" not in foreign.content


def test_the_messages_need_a_login(client, long_conversation):
    conversation, _ = long_conversation

    response = client.get(messages_url(conversation.id))

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/accounts/login/"


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": str(PAGE_MESSAGES + 1)}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "9" * 5000}, "limit"),
        ({"before": "not-a-message-id"}, "before"),
        ({"before": ""}, "before"),
        ({"before": str(uuid.uuid4())}, "before"),
    ],
)
def test_a_bad_cursor_or_limit_gets_a_clear_error(alice_client, long_conversation, query, word):
    conversation, _ = long_conversation

    response = alice_client.get(messages_url(conversation.id, **query))

    assert response.status_code == 400
    assert word in response.json()["error"]


def test_a_message_of_another_conversation_is_no_cursor(alice_client, alice, long_conversation):
    conversation, _ = long_conversation
    other = Conversation.objects.create(owner=alice, title="Other")
    [elsewhere] = store_messages(other, ["elsewhere"])

    response = alice_client.get(messages_url(conversation.id, before=str(elsewhere.id)))

    assert response.status_code == 400 and "before" in response.json()["error"]


def _conversation_with_two_versions(username: str) -> tuple[Conversation, dict[str, Any]]:
    """A trader's conversation whose strategy has the seed as version 1 and a Low-risk variant current as 2."""
    owner = get_user_model().objects.get(username=username)
    conversation = Conversation.objects.create(owner=owner, title="Two versions")
    strategy = Strategy.objects.create(conversation=conversation, owner=owner, name="Two versions")
    first = seed_strategy()
    strategy_version_create(strategy=strategy, data=first)
    strategy_version_create(strategy=strategy, data={**first, "degen_class": {**first["degen_class"], "selected": "Low"}})
    return conversation, first


def _restore(username: str, conversation_id: Any, number: int) -> Any:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.post(f"/api/conversations/{conversation_id}/versions/{number}/restore/")


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_restoring_a_version_makes_it_current_and_tells_every_socket_on_the_conversation(
    connect, alice_session
):
    conversation, first = await sync_to_async(_conversation_with_two_versions)("alice")
    socket = await connect(f"/ws/chat/{conversation.id}/", session=alice_session)
    assert (await socket.receive())["type"] == "conversation_state"

    response = await sync_to_async(_restore)("alice", conversation.id, 1)

    assert response.status_code == 200
    assert response.json() == {
        "type": "strategy_updated",
        "strategy_json": validate_strategy(first, stated_capital_usd=None).model_dump(mode="json"),
        "strategy_version": 3,
        "source": "restore",
        "restored_from": 1,
    }
    assert await socket.receive() == {**response.json(), "conversation_id": str(conversation.id)}
    strategy = await sync_to_async(Strategy.objects.select_related("current_version").get)(conversation=conversation)
    assert (strategy.current_version.number, strategy.current_version.source) == (3, "restore")


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_restore_is_noted_in_the_chat_on_every_socket(connect, alice_session):
    conversation, _ = await sync_to_async(_conversation_with_two_versions)("alice")
    sockets = [await connect(f"/ws/chat/{conversation.id}/", session=alice_session) for _ in range(2)]
    for socket in sockets:
        await socket.receive()  # conversation_state

    await sync_to_async(_restore)("alice", conversation.id, 1)

    notes = []
    for socket in sockets:
        assert (await socket.receive())["type"] == "strategy_updated"
        notes.append(await socket.receive())
    assert notes[0] == notes[1]
    note = notes[0]
    assert (note["type"], note["status"], note["provider"]) == ("message_complete", "complete", "vibewater")
    assert note["user_message"] == "Restored v1 as v3: High risk · DeFi · $1,000 · target 7% monthly · stop loss 5%"
    assert note["strategy_version"] == 3 and note["strategy_json"] is None
    stored = await sync_to_async(Message.objects.get)(pk=note["message_id"])
    assert (stored.role, stored.content) == ("assistant", note["user_message"])
    again = await connect(f"/ws/chat/{conversation.id}/", session=alice_session)
    assert (await again.receive())["messages"][-1]["content"] == note["user_message"]


def test_restoring_the_version_that_is_already_current_creates_nothing(alice_client, alice):
    conversation, _ = _conversation_with_two_versions("alice")

    response = alice_client.post(f"/api/conversations/{conversation.id}/versions/2/restore/")

    assert response.status_code == 409
    assert response.json() == {"error": "v2 is the same strategy as the current v2, so nothing was restored."}
    assert StrategyVersion.objects.filter(strategy__conversation=conversation).count() == 2
    assert not Message.objects.filter(conversation=conversation).exists()


def test_a_restore_while_a_reply_streams_is_refused(alice_client, alice):
    conversation, _ = _conversation_with_two_versions("alice")
    Message.objects.create(conversation=conversation, role="assistant", status="streaming", content="Thinking")

    response = alice_client.post(f"/api/conversations/{conversation.id}/versions/1/restore/")

    assert response.status_code == 409 and "reply is still being written" in response.json()["error"]
    assert StrategyVersion.objects.filter(strategy__conversation=conversation).count() == 2
    assert Message.objects.filter(conversation=conversation).count() == 1


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_another_traders_version_cannot_be_restored_and_no_socket_hears_of_it(
    connect, alice_session, bob_session
):
    conversation, _ = await sync_to_async(_conversation_with_two_versions)("alice")
    socket = await connect(f"/ws/chat/{conversation.id}/", session=alice_session)
    await socket.receive()

    by_bob = await sync_to_async(_restore)("bob", conversation.id, 1)
    missing = await sync_to_async(_restore)("alice", conversation.id, 9)

    assert by_bob.status_code == missing.status_code == 404
    assert await sync_to_async(StrategyVersion.objects.filter(strategy__conversation=conversation).count)() == 2
    await sync_to_async(_restore)("alice", conversation.id, 1)
    assert (await socket.receive())["strategy_version"] == 3  # the first frame since: the refusals sent none


#: Guardrails as a version stored before this session holds them: a tick calling the target realistic.
LEGACY_GUARDRAILS = {
    "enabled": [
        {"key": "monthly_target", "label": "Realistic monthly target ✓", "status": "ok", "reason": "Realistic."},
        {"key": "capital_matches_request", "label": "Capital matches your request", "status": "ok",
         "reason": "The strategy uses the $1,000 you said you have."},
    ],
    "violations": [],
}


def test_a_restored_legacy_version_gets_todays_guardrails_checked_against_this_conversations_capital(
    alice_client, alice
):
    conversation, first = _conversation_with_two_versions("alice")
    StrategyVersion.objects.filter(strategy__conversation=conversation, number=1).update(
        data={**first, "guardrails": LEGACY_GUARDRAILS}
    )
    store_messages(conversation, ["I have $2,000 to trade", "Here is a plan."])

    response = alice_client.post(f"/api/conversations/{conversation.id}/versions/1/restore/")

    assert response.status_code == 200
    items = {item["key"]: item for item in response.json()["strategy_json"]["guardrails"]["enabled"]}
    assert items["monthly_target"]["status"] == "warning"
    assert "Realistic" not in items["monthly_target"]["label"]
    assert items["backtestable"]["status"] == "ok"
    assert items["capital_matches_request"]["status"] == "warning"
    assert "you said you have $2,000" in items["capital_matches_request"]["reason"]
    restored = Strategy.objects.get(conversation=conversation).current_version
    assert restored.data == response.json()["strategy_json"]


def test_a_version_that_no_longer_validates_is_not_restored_and_says_why(alice_client, alice):
    conversation, first = _conversation_with_two_versions("alice")
    broken = {**first, "flowchart": {**first["flowchart"], "edges": []}}
    StrategyVersion.objects.filter(strategy__conversation=conversation, number=1).update(data=broken)

    response = alice_client.post(f"/api/conversations/{conversation.id}/versions/1/restore/")

    assert response.status_code == 422
    assert response.json()["error"].startswith("v1 can no longer be restored: ")
    assert StrategyVersion.objects.filter(strategy__conversation=conversation).count() == 2
    assert not Message.objects.filter(conversation=conversation).exists()
