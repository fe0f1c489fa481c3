"""chat.notes: a note the server posts is stored as the conversation's assistant message and sent as one."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from chat.models import Conversation, Message
from chat.notes import NOTE_PROVIDER, note_create, note_frame


@pytest.mark.django_db
def test_a_note_is_stored_as_a_complete_assistant_message_and_its_frame_leaves_the_strategy_alone():
    owner = get_user_model().objects.create_user("alice", password="pw-alice-1")
    conversation = Conversation.objects.create(owner=owner, title="Dip buyer")

    note = note_create(conversation=conversation, content="Restored v1 as v3.")
    frame = note_frame(note, strategy_version=3)

    stored = Message.objects.get(pk=note.pk)
    assert (stored.role, stored.status, stored.provider, stored.content) == (
        "assistant", "complete", NOTE_PROVIDER, "Restored v1 as v3."
    )
    assert (frame.message_id, frame.conversation_id, frame.user_message) == (
        str(note.pk), str(conversation.pk), "Restored v1 as v3."
    )
    assert (frame.strategy_json, frame.strategy_version, frame.status) == (None, 3, "complete")
