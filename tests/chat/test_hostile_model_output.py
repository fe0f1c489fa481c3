"""Hostile model output through the Bedrock fake: every reply ends with `message_complete`, keeps its text,
and never replaces the strategy in the builder with something the server could not bound."""

from __future__ import annotations

import json

import pytest

from strategies.schemas import MAX_NODES
from tests.chat.test_consumer_bedrock import (  # noqa: F401  (bedrock is a fixture)
    FOLLOW_UP,
    assert_no_strategy,
    assert_strategy_1_still_current,
    bedrock,
    first_good_turn,
    reply_with_backend,
    seed_frame,
    stored,
    streamed_text,
    strategy_data,
)
from tests.fakes.bedrock import Script, strategy_reply

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def follow_up_with(socket, bedrock, script: Script) -> dict:
    bedrock.push(script)
    await socket.send(seed_frame(FOLLOW_UP))
    frames = await socket.receive_until("message_complete", timeout=30)
    streamed_text(frames)
    return frames[-1]


async def test_a_backend_nested_5000_deep_ends_in_error_with_the_text_kept(connect, alice_session, bedrock):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    deep = '{"flowchart": ' + "[" * 5000 + "]" * 5000 + "}"

    complete = await follow_up_with(socket, bedrock, Script(text=reply_with_backend(deep, chat="Deep."), chunk_chars=500))

    assert complete["status"] == "error" and complete["user_message"] == "Deep."
    assert "nested more than" in complete["error"] and "builder was not updated" in complete["error"]
    assert_no_strategy(complete)
    reply = await stored(complete["message_id"])
    assert (reply.status, reply.content, reply.error) == ("error", "Deep.", complete["error"])
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])


async def test_a_lone_surrogate_in_model_text_is_stored_as_a_replacement_character(connect, alice_session, bedrock):
    socket = await connect(session=alice_session)
    text = strategy_reply(1000).replace("<user_message>\n", "<user_message>\nOdd \ud800 glyph. ", 1)

    bedrock.push(Script(text=text, chunk_chars=9))
    await socket.send(seed_frame())
    frames = await socket.receive_until("message_complete")

    complete = frames[-1]
    assert streamed_text(frames).startswith("Odd \ufffd glyph.")
    assert complete["status"] == "complete" and complete["error"] is None and complete["strategy_version"] == 1
    reply = await stored(complete["message_id"])
    assert reply.status == "complete" and reply.content.startswith("Odd \ufffd glyph.")


async def test_a_strategy_of_20000_nodes_is_refused_before_parsing_and_the_frame_stays_small(
    connect, alice_session, bedrock
):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    data = strategy_data()
    data["flowchart"]["nodes"] += [{"id": f"n{i}", "type": "exit_condition", "meta": {"rules": []}} for i in range(20_000)]

    bedrock.push(Script(text=reply_with_backend(json.dumps(data), chat="Huge."), chunk_chars=8192))
    await socket.send(seed_frame(FOLLOW_UP))
    frames = await socket.receive_until("message_complete", timeout=30)
    raw_complete = json.dumps(frames[-1])

    complete = frames[-1]
    assert complete["status"] == "error" and "larger than 128 KiB" in complete["error"]
    assert_no_strategy(complete)
    assert len(raw_complete) < 2048
    assert (await stored(complete["message_id"])).content == "Huge."
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])


async def test_a_strategy_over_the_node_cap_is_rejected_by_name(connect, alice_session, bedrock):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    data = strategy_data()
    data["flowchart"]["nodes"] += [{"id": f"n{i}", "type": "exit_condition"} for i in range(MAX_NODES)]

    complete = await follow_up_with(socket, bedrock, Script(text=reply_with_backend(json.dumps(data)), chunk_chars=4096))

    assert complete["status"] == "complete" and f"at most {MAX_NODES} entries" in complete["error"]
    assert_no_strategy(complete)
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])


async def test_an_over_long_label_is_rejected_by_name(connect, alice_session, bedrock):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    data = strategy_data()
    data["flowchart"]["nodes"][1]["meta"]["category"] = "DeFi " * 1000

    complete = await follow_up_with(socket, bedrock, Script(text=reply_with_backend(json.dumps(data)), chunk_chars=4096))

    assert "The category of step 'category' may be at most 200 characters long." in complete["error"]
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])


async def test_a_nul_character_in_the_strategy_is_refused_before_it_reaches_the_database(
    connect, alice_session, bedrock
):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    data = strategy_data()
    data["flowchart"]["nodes"][1]["meta"]["category"] = "De\u0000Fi"

    complete = await follow_up_with(socket, bedrock, Script(text=reply_with_backend(json.dumps(data), chat="NUL.")))

    assert complete["status"] == "error" and "NUL character" in complete["error"]
    assert (await stored(complete["message_id"])).content == "NUL."
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])
