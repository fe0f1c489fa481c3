"""The chat's admin, as a staff user: messages are history an operator reads but cannot add, change or delete."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from chat.models import Conversation, Message

pytestmark = pytest.mark.django_db

MESSAGES = "/admin/chat/message/"


@pytest.fixture
def reply(alice: Any) -> Message:
    conversation = Conversation.objects.create(owner=alice, title="Mine")
    return Message.objects.create(conversation=conversation, role="assistant", content="Here is your strategy.")


def test_a_message_page_is_read_only(admin_client: Client, reply: Message) -> None:
    page = admin_client.get(f"{MESSAGES}{reply.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Here is your strategy." in text and 'name="content"' not in text
    assert admin_client.post(f"{MESSAGES}{reply.pk}/change/", {"content": "Rewritten."}).status_code == 403
    reply.refresh_from_db()
    assert reply.content == "Here is your strategy."


def test_messages_cannot_be_added_or_deleted(admin_client: Client, reply: Message) -> None:
    assert admin_client.get(f"{MESSAGES}add/").status_code == 403
    assert admin_client.post(f"{MESSAGES}{reply.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(
        MESSAGES, {"action": "delete_selected", "_selected_action": [reply.pk], "post": "yes"}
    ).status_code in {200, 302}
    assert Message.objects.filter(pk=reply.pk).exists()


def test_a_conversation_can_be_renamed_but_its_messages_stay(admin_client: Client, reply: Message) -> None:
    conversation = reply.conversation
    page = f"/admin/chat/conversation/{conversation.pk}/change/"
    text = admin_client.get(page).content.decode()
    assert 'name="messages-0-content"' not in text
    assert 'name="messages-MAX_NUM_FORMS" value="0"' in text  # no form to add a message
    form = {"title": "Renamed", "messages-TOTAL_FORMS": 1, "messages-INITIAL_FORMS": 1,
            "messages-MIN_NUM_FORMS": 0, "messages-MAX_NUM_FORMS": 1000,
            "messages-0-id": reply.pk, "messages-0-content": "Rewritten."}
    assert admin_client.post(page, form).status_code == 302
    conversation.refresh_from_db()
    reply.refresh_from_db()
    assert conversation.title == "Renamed" and reply.content == "Here is your strategy."
    assert admin_client.post(f"/admin/chat/conversation/{conversation.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Message.objects.filter(pk=reply.pk).exists()
