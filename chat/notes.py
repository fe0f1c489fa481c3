"""Short assistant notes the server itself posts to a conversation (a restored version, a backtest result):
stored as assistant messages and announced as `message_complete`, so the chat and the builder agree."""

from __future__ import annotations

from chat.frames import MessageComplete
from chat.models import Conversation, Message

#: The `provider` of a note: written by the server, not by a model.
NOTE_PROVIDER = "vibewater"


def note_create(*, conversation: Conversation, content: str) -> Message:
    """Store a note as a complete assistant message of the conversation."""
    return Message.objects.create(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        content=content,
        status=Message.Status.COMPLETE,
        provider=NOTE_PROVIDER,
    )


def note_frame(note: Message, *, strategy_version: int | None) -> MessageComplete:
    """The frame that shows a stored note on every socket; it does not change the builder's strategy."""
    return MessageComplete(
        message_id=str(note.id),
        conversation_id=str(note.conversation_id),
        user_message=note.content,
        strategy_json=None,
        strategy_version=strategy_version,
        status=Message.Status.COMPLETE,
        error=None,
        provider=NOTE_PROVIDER,
        model_id=None,
    )
