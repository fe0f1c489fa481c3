"""The per-trader message limit: atomic across sockets and threads, and only for messages the trader sent."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from chat.ratelimit import WINDOW_SECONDS, allowance_return, allowance_take
from tests.chat.test_consumer import seed_frame

NOW = 1_000_000 * WINDOW_SECONDS + 30.0  # halfway through a minute


def test_forty_simultaneous_messages_get_exactly_the_limit_through():
    with ThreadPoolExecutor(max_workers=8) as pool:
        taken = list(pool.map(lambda _: allowance_take(scope="messages", user_id=7, limit=20, now=NOW), range(40)))
    assert sum(counter is not None for counter in taken) == 20


def test_the_previous_minute_counts_by_the_share_of_it_still_inside_the_last_60_seconds():
    for _ in range(10):
        assert allowance_take(scope="messages", user_id=7, limit=10, now=NOW - WINDOW_SECONDS)
    # Halfway through the next minute, half of those 10 still count: 5 more fit under 10.
    accepted = [allowance_take(scope="messages", user_id=7, limit=10, now=NOW) for _ in range(8)]
    assert sum(counter is not None for counter in accepted) == 5


def test_a_returned_place_can_be_taken_again_and_traders_do_not_share_counts():
    counter = allowance_take(scope="messages", user_id=7, limit=1, now=NOW)
    assert allowance_take(scope="messages", user_id=7, limit=1, now=NOW) is None
    assert allowance_take(scope="messages", user_id=8, limit=1, now=NOW) is not None
    allowance_return(counter)
    assert allowance_take(scope="messages", user_id=7, limit=1, now=NOW) is not None


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_simultaneous_messages_on_many_sockets_get_exactly_the_limit_through(connect, alice_session, settings):
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 5
    sockets = [await connect(session=alice_session) for _ in range(12)]

    await asyncio.gather(*(socket.send(seed_frame()) for socket in sockets))
    first = await asyncio.gather(*(socket.receive() for socket in sockets))

    assert sorted(frame["type"] for frame in first) == ["error"] * 7 + ["message_received"] * 5
    assert {frame["code"] for frame in first if frame["type"] == "error"} == {"rate_limited"}


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_turns_seeded_from_a_client_history_do_not_count_against_the_limit(connect, alice_session, settings):
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 2
    history = [{"role": role, "content": f"turn {n}"} for n in range(10) for role in ("user", "assistant")]
    socket = await connect(session=alice_session)

    await socket.send(seed_frame(history=history))
    assert (await socket.receive_until("message_complete"))[0]["type"] == "message_received"
    await socket.send(seed_frame("And a follow-up"))
    assert (await socket.receive_until("message_complete"))[0]["type"] == "message_received"
    await socket.send(seed_frame("One too many"))
    assert (await socket.receive())["code"] == "rate_limited"
