"""chat.replies through its public entry points: what the model is sent for a message, and that a started
reply is stored whether or not any socket listens."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model

from chat import replies
from chat.frames import MessageFrame
from chat.models import Conversation, Message
from chat.selectors import reply_request
from strategies.models import Strategy
from tests.chat.test_consumer_bedrock import bedrock  # noqa: F401  (a fixture)
from tests.fakes.bedrock import FakeBedrock, Script, strategy_reply

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
async def trader() -> Any:
    return await sync_to_async(get_user_model().objects.create_user)("trader", password="x")


class Entered:
    """The `enter` callback of a socket: remembers the conversation a first message created."""

    conversation: Conversation | None = None

    async def __call__(self, conversation: Conversation) -> None:
        self.conversation = conversation


async def test_a_new_conversation_seeded_with_history_sends_it_to_the_model(
    trader: Any, bedrock: FakeBedrock  # noqa: F811
) -> None:
    bedrock.push(Script(text=strategy_reply(2000)))
    frame = MessageFrame.model_validate({
        "type": "message",
        "content": "Make it safe",
        "history": [
            {"role": "user", "content": "I have $2000"},
            {"role": "assistant", "content": "  "},
            {"role": "assistant", "content": "Noted."},
        ],
    })
    entered = Entered()

    await replies.handle_message(user=trader, conversation=None, frame=frame, enter=entered)
    await replies.drain(timeout=10)

    turns = [("user", "I have $2000"), ("assistant", "Noted."), ("user", "Make it safe")]
    sent = [(message["role"], message["content"][0]["text"]) for message in bedrock.requests[0].body["messages"]]
    assert sent == [("user", "I have $2000"), ("assistant", "<user_message>\nNoted.\n</user_message>"), turns[2]]
    # Built without reading the new conversation back, it is what reading it back gives.
    assert entered.conversation is not None
    read_back, capital = await sync_to_async(reply_request)(conversation=entered.conversation, max_turns=100)
    assert [(turn.role, turn.content) for turn in read_back.turns[:3]] == turns and capital == 2000


async def test_a_started_reply_is_stored_with_its_strategy_though_no_socket_listens(trader: Any) -> None:
    frame = MessageFrame(type="message", content="Build me a strategy with $5000")
    entered = Entered()

    await replies.handle_message(user=trader, conversation=None, frame=frame, enter=entered)
    await replies.drain(timeout=10)

    reply = await sync_to_async(Message.objects.get)(conversation=entered.conversation, role="assistant")
    assert reply.status == "complete" and reply.content
    strategy = await sync_to_async(Strategy.objects.select_related("current_version").get)(
        conversation=entered.conversation
    )
    assert strategy.current_version.number == 1 and strategy.current_version.source_message_id == reply.id
