"""One trader's crafted message never stalls the replies other traders are watching stream."""

from __future__ import annotations

import time

import pytest

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paced_strategist(settings) -> None:
    """A strategist that streams every chunk as its own frame, a couple of seconds a reply."""
    settings.OFFLINE_TEXT_CHARS_PER_SECOND = settings.OFFLINE_JSON_CHARS_PER_SECOND = 3000
    settings.CHAT_COALESCE_MS = 0


async def test_a_message_of_4000_digits_is_answered_while_another_reply_keeps_streaming(
    connect, alice_session, bob_session, paced_strategist, settings
):
    # The earlier intent patterns took ~1.6 s per 4,000-digit turn with the event loop held, and the
    # strategist reads every turn: 31 turns froze every socket for ~50 s.
    digits = "1" * settings.CHAT_MAX_MESSAGE_CHARS
    history = [{"role": "user", "content": digits} for _ in range(30)]
    bob = await connect(session=bob_session)
    alice = await connect(session=alice_session)
    await bob.send({"type": "message", "content": "I have $1000, a balanced strategy please. " * 80})
    await bob.receive_until("content_chunk")

    await alice.send({"type": "message", "content": digits, "history": history})
    longest_gap, last = 0.0, time.monotonic()
    while (frame := await bob.receive(timeout=90))["type"] != "message_complete":
        now = time.monotonic()
        longest_gap, last = max(longest_gap, now - last), now

    assert longest_gap < 5
    assert frame["error"] is None
    answer = (await alice.receive_until("message_complete", timeout=90))[-1]
    assert answer["error"] is None and answer["strategy_json"] is not None
