"""The chat socket through the full ASGI stack, with the offline strategist as the model."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from asgiref.sync import sync_to_async

from chat.models import Conversation, Message
from strategies.models import StrategyVersion
from tests.conftest import communicator, drain_replies

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

SEED_REQUEST = "I have $1000, please choose a high-return strategy"


def seed_frame(content: str = SEED_REQUEST, **extra: object) -> dict[str, object]:
    return {"type": "message", "content": content, "history": [], **extra}


@pytest.fixture
def slow_strategist(settings) -> None:
    """A strategist slow enough that a test can act while the reply streams (~1 s a reply)."""
    settings.OFFLINE_TEXT_CHARS_PER_SECOND = settings.OFFLINE_JSON_CHARS_PER_SECOND = 1500
    settings.CHAT_COALESCE_MS = 0


async def test_seed_frame_gets_the_seed_sequence_with_ids(connect, alice_session):
    socket = await connect(session=alice_session)
    await socket.send(seed_frame())

    frames = await socket.receive_until("message_complete")

    kinds = [frame["type"] for frame in frames]
    assert kinds[0] == "message_received" and kinds[1] == "message_start" and kinds[-1] == "message_complete"
    assert set(kinds[2:-1]) == {"content_chunk", "strategy_progress"}
    received, start, complete = frames[0], frames[1], frames[-1]
    assert received["content"] == SEED_REQUEST
    assert start["conversation_id"] == received["conversation_id"]
    assert complete["message_id"] == start["message_id"]
    chunks = [frame for frame in frames[2:-1] if frame["type"] == "content_chunk"]
    assert [chunk["seq"] for chunk in chunks] == list(range(1, len(chunks) + 1))
    assert all(chunk["message_id"] == start["message_id"] for chunk in chunks)
    assert complete["error"] is None
    assert complete["provider"] == "offline"
    assert complete["strategy_version"] == 1
    strategy = complete["strategy_json"]
    assert strategy["degen_class"]["selected"] == "High"
    assert strategy["strategy_metrics"]["estimated_capital_required_usd"] == 1000
    assert any(node["type"] == "stop_loss" for node in strategy["flowchart"]["nodes"])
    assert {item["key"] for item in strategy["guardrails"]["enabled"]} >= {"stop_loss_present", "high_risk_class"}


async def test_chunks_join_to_the_user_message_and_never_carry_tags_or_json(connect, alice_session):
    socket = await connect(session=alice_session)
    await socket.send(seed_frame())

    frames = await socket.receive_until("message_complete")

    text = "".join(frame["chunk"] for frame in frames if frame["type"] == "content_chunk")
    assert text == frames[-1]["user_message"]
    assert text.strip() and "offline" in text.lower()
    assert not re.search(r"</?(user_message|backend)", text)
    assert "{" not in text and '"flowchart"' not in text


async def test_user_message_is_stored_before_the_reply_and_reply_stored_once_at_the_end(connect, alice_session):
    socket = await connect(session=alice_session)
    await socket.send(seed_frame())
    received = await socket.receive()
    assert received["type"] == "message_received"

    stored = await sync_to_async(Message.objects.get)(pk=received["message_id"])
    assert stored.content == SEED_REQUEST and stored.role == "user"

    complete = (await socket.receive_until("message_complete"))[-1]
    reply = await sync_to_async(Message.objects.get)(pk=complete["message_id"])
    assert reply.status == "complete" and reply.content == complete["user_message"]
    assert reply.provider == "offline" and reply.model_id
    assert reply.output_tokens and reply.completed_at is not None


async def test_follow_up_creates_version_2_and_reconnect_lists_both_turns(connect, alice_session):
    socket = await connect(session=alice_session)
    await socket.send(seed_frame())
    first = await socket.receive_until("message_complete")
    conversation_id = first[0]["conversation_id"]
    await socket.send(seed_frame("Make it less risky"))
    second = await socket.receive_until("message_complete")
    assert second[-1]["strategy_version"] == 2
    assert second[-1]["strategy_json"]["degen_class"]["selected"] == "Medium"
    await socket.close()

    again = await connect(f"/ws/chat/{conversation_id}/", session=alice_session)
    state = await again.receive()

    assert state["type"] == "conversation_state"
    assert state["conversation_id"] == conversation_id
    assert [(m["role"], m["status"]) for m in state["messages"]] == [
        ("user", "complete"),
        ("assistant", "complete"),
        ("user", "complete"),
        ("assistant", "complete"),
    ]
    assert [m["strategy_version"] for m in state["messages"]] == [None, 1, None, 2]
    assert state["messages"][2]["content"] == "Make it less risky"
    assert state["strategy_version"] == 2
    assert state["strategy_json"]["degen_class"]["selected"] == "Medium"
    assert state["in_progress"] is None
    assert all({"id", "created_at", "content"} <= m.keys() for m in state["messages"])


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("this is not json", "invalid_json"),
        (json.dumps(["message"]), "unknown_type"),
        (json.dumps({"type": "shout", "content": "hi"}), "unknown_type"),
        (json.dumps({"content": "no type"}), "unknown_type"),
        (json.dumps({"type": "message"}), "invalid_frame"),
        (json.dumps({"type": "message", "content": 42}), "invalid_frame"),
        (json.dumps({"type": "message", "content": "   \n "}), "empty_content"),
        (json.dumps({"type": "message", "content": "x" * 4001}), "content_too_long"),
        (json.dumps({"type": "message", "content": "hi", "history": "nope"}), "invalid_frame"),
        (json.dumps({"type": "action", "action": "buy_everything"}), "invalid_frame"),
        (json.dumps({"type": "message", "content": "y" * 300_000}), "frame_too_large"),
    ],
)
async def test_bad_frames_get_an_error_frame_and_the_socket_stays_open(connect, alice_session, raw, code):
    socket = await connect(session=alice_session)
    await socket.send(raw)

    error = await socket.receive()

    assert error["type"] == "error" and error["code"] == code
    assert error["message"] and "Traceback" not in error["message"]
    await socket.send(seed_frame())
    assert (await socket.receive_until("message_complete"))[-1]["error"] is None


async def test_binary_frames_are_refused_with_an_error(connect, alice_session):
    socket = await connect(session=alice_session)
    await socket.comm.send_to(bytes_data=b"\x00\x01")
    error = await socket.receive()
    assert (error["type"], error["code"]) == ("error", "unsupported_frame")


async def test_bad_frames_store_nothing(connect, alice_session):
    socket = await connect(session=alice_session)
    await socket.send({"type": "message", "content": ""})
    await socket.receive()
    assert await sync_to_async(Message.objects.count)() == 0
    assert await sync_to_async(Conversation.objects.count)() == 0


async def test_a_second_message_while_a_reply_streams_is_refused(connect, alice_session, slow_strategist):
    socket = await connect(session=alice_session)
    await socket.send(seed_frame())
    await socket.receive_until("message_start")

    await socket.send(seed_frame("And another thing"))
    frames = await socket.receive_until("error")

    assert frames[-1]["code"] == "reply_in_progress"
    complete = (await socket.receive_until("message_complete"))[-1]
    assert complete["error"] is None
    assert await sync_to_async(Message.objects.filter(content="And another thing").count)() == 0


async def test_too_many_messages_a_minute_are_rate_limited(connect, alice_session, settings):
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 2
    socket = await connect(session=alice_session)
    for _ in range(2):
        await socket.send(seed_frame())
        await socket.receive_until("message_complete")

    await socket.send(seed_frame())
    error = await socket.receive()

    assert (error["type"], error["code"]) == ("error", "rate_limited")


async def test_anonymous_sockets_are_refused(transactional_db):
    comm = communicator("/ws/chat/")
    connected, code = await comm.connect()
    assert not connected  # daphne answers a refused handshake with HTTP 403


async def test_sockets_from_a_foreign_origin_are_refused(alice_session):
    comm = communicator("/ws/chat/", session=alice_session, origin="https://evil.example")
    connected, code = await comm.connect()
    assert not connected  # daphne answers a refused handshake with HTTP 403


async def test_other_traders_conversations_are_refused_like_missing_ones(connect, alice_session, bob_session):
    socket = await connect(session=alice_session)
    await socket.send(seed_frame())
    conversation_id = (await socket.receive_until("message_complete"))[0]["conversation_id"]

    for path in (f"/ws/chat/{conversation_id}/", "/ws/chat/00000000-0000-4000-8000-000000000000/"):
        comm = communicator(path, session=bob_session)
        connected, code = await comm.connect()
        assert not connected  # daphne answers a refused handshake with HTTP 403


async def test_a_client_that_disconnects_mid_reply_still_gets_its_reply_stored(
    connect, alice_session, slow_strategist
):
    socket = await connect(session=alice_session)
    await socket.send(seed_frame())
    frames = await socket.receive_until("content_chunk")
    conversation_id, reply_id = frames[0]["conversation_id"], frames[1]["message_id"]
    await socket.close()

    await drain_replies()

    reply = await sync_to_async(Message.objects.get)(pk=reply_id)
    assert reply.status == "complete" and "offline" in reply.content.lower()
    version = await sync_to_async(StrategyVersion.objects.get)(source_message_id=reply_id)
    assert version.number == 1
    again = await connect(f"/ws/chat/{conversation_id}/", session=alice_session)
    state = await again.receive()
    assert state["messages"][-1]["content"] == reply.content and state["strategy_version"] == 1


async def test_a_socket_joining_mid_reply_resumes_without_gap_or_duplicate(connect, alice_session, slow_strategist):
    first = await connect(session=alice_session)
    await first.send(seed_frame())
    frames = await first.receive_until("content_chunk")
    conversation_id = frames[0]["conversation_id"]
    await first.receive_until("content_chunk")

    second = await connect(f"/ws/chat/{conversation_id}/", session=alice_session)
    state = await second.receive()
    progress = state["in_progress"]
    assert progress is not None and progress["seq"] >= 1 and progress["text"]
    assert state["messages"][-1]["status"] == "streaming"
    rest = await second.receive_until("message_complete")

    live_seqs = [frame["seq"] for frame in rest if frame["type"] == "content_chunk"]
    assert live_seqs == list(range(progress["seq"] + 1, progress["seq"] + 1 + len(live_seqs)))
    resumed = progress["text"] + "".join(frame["chunk"] for frame in rest if frame["type"] == "content_chunk")
    assert resumed == rest[-1]["user_message"]


async def test_every_socket_on_the_conversation_gets_the_same_frames(connect, alice_session):
    first = await connect(session=alice_session)
    await first.send(seed_frame())
    conversation_id = (await first.receive_until("message_complete"))[0]["conversation_id"]
    second = await connect(f"/ws/chat/{conversation_id}/", session=alice_session)
    await second.receive()  # conversation_state

    await first.send(seed_frame("add a stop loss at 4%"))
    seen_by_first = await first.receive_until("message_complete")
    seen_by_second = await second.receive_until("message_complete")

    assert seen_by_first == seen_by_second
    assert seen_by_second[0]["type"] == "message_received"
    assert seen_by_second[-1]["strategy_version"] == 2


async def test_cancel_stops_the_reply_and_stores_the_partial_text(connect, alice_session, slow_strategist):
    socket = await connect(session=alice_session)
    await socket.send(seed_frame())
    frames = await socket.receive_until("content_chunk")
    reply_id = frames[1]["message_id"]

    await socket.send({"type": "cancel"})
    rest = await socket.receive_until("message_complete")

    complete = rest[-1]
    assert complete["status"] == "interrupted" and "stopped" in complete["error"]
    assert complete["strategy_json"] is None and complete["strategy_version"] is None
    streamed = "".join(f["chunk"] for f in frames + rest if f["type"] == "content_chunk")
    reply = await sync_to_async(Message.objects.get)(pk=reply_id)
    assert reply.status == "interrupted" and reply.content == streamed == complete["user_message"]
    assert await sync_to_async(StrategyVersion.objects.count)() == 0


async def test_cancel_with_nothing_streaming_is_an_error(connect, alice_session):
    socket = await connect(session=alice_session)
    await socket.send({"type": "cancel"})
    error = await socket.receive()
    assert (error["type"], error["code"]) == ("error", "nothing_to_cancel")


async def test_explain_action_answers_about_the_current_strategy_without_a_new_version(connect, alice_session):
    socket = await connect(session=alice_session)
    await socket.send({"type": "action", "action": "explain"})
    assert (await socket.receive())["code"] == "no_strategy"
    await socket.send(seed_frame())
    await socket.receive_until("message_complete")

    await socket.send({"type": "action", "action": "explain"})
    frames = await socket.receive_until("message_complete")

    assert frames[0]["type"] == "message_received" and "Explain" in frames[0]["content"]
    assert frames[-1]["strategy_version"] == 1 and frames[-1]["error"] is None


async def test_client_history_seeds_only_an_empty_conversation(connect, alice_session):
    socket = await connect(session=alice_session)
    history = [{"role": "user", "content": "I have $2500"}, {"role": "assistant", "content": "Noted."}]
    await socket.send({"type": "message", "content": "Pick a balanced DeFi strategy", "history": history})
    first = await socket.receive_until("message_complete")
    assert first[-1]["strategy_json"]["strategy_metrics"]["estimated_capital_required_usd"] == 2500

    await socket.send({"type": "message", "content": "Thanks", "history": [{"role": "user", "content": "ignored"}]})
    await socket.receive_until("message_complete")

    contents = await sync_to_async(list)(Message.objects.filter(role="user").values_list("content", flat=True))
    assert contents == ["I have $2500", "Pick a balanced DeFi strategy", "Thanks"]


async def test_a_reply_left_streaming_by_a_dead_worker_is_swept_on_join(connect, alice_session):
    socket = await connect(session=alice_session)
    await socket.send(seed_frame())
    conversation_id = (await socket.receive_until("message_complete"))[0]["conversation_id"]
    orphan = await sync_to_async(Message.objects.create)(
        conversation_id=conversation_id, role="assistant", status="streaming", content=""
    )

    again = await connect(f"/ws/chat/{conversation_id}/", session=alice_session)
    state = await again.receive()

    assert state["messages"][-1]["id"] == str(orphan.id)
    assert state["messages"][-1]["status"] == "interrupted" and state["in_progress"] is None
    ended = await again.receive()  # the sweep ends the orphan on every socket, this one included
    assert (ended["type"], ended["message_id"], ended["status"]) == ("message_complete", str(orphan.id), "interrupted")
    await again.send(seed_frame("make it less risky"))
    assert (await again.receive_until("message_complete"))[-1]["error"] is None


async def test_a_reply_orphaned_after_the_socket_joined_does_not_block_the_next_message(connect, alice_session):
    socket = await connect(session=alice_session)
    await socket.send(seed_frame())
    conversation_id = (await socket.receive_until("message_complete"))[0]["conversation_id"]
    orphan = await sync_to_async(Message.objects.create)(  # a worker died mid-reply after this socket joined
        conversation_id=conversation_id, role="assistant", status="streaming", content=""
    )

    await socket.send(seed_frame("make it less risky"))

    ended = await socket.receive()
    assert (ended["type"], ended["message_id"], ended["status"]) == ("message_complete", str(orphan.id), "interrupted")
    assert (await socket.receive_until("message_complete"))[-1]["error"] is None
    await sync_to_async(orphan.refresh_from_db)()
    assert orphan.status == "interrupted"


async def test_a_reply_that_cannot_be_stored_still_completes_with_an_error(connect, alice_session, monkeypatch):
    from chat import replies

    def database_down(**kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(replies, "reply_finish", database_down)
    socket = await connect(session=alice_session)
    await socket.send(seed_frame())

    frames = await socket.receive_until("message_complete")

    complete = frames[-1]
    assert complete["status"] == "error" and "could not be saved" in complete["error"]
    assert complete["user_message"] == "".join(f["chunk"] for f in frames if f["type"] == "content_chunk")
    assert complete["strategy_json"] is None
    monkeypatch.undo()
    again = await connect(f"/ws/chat/{frames[0]['conversation_id']}/", session=alice_session)
    state = await again.receive()
    assert state["messages"][-1]["status"] == "interrupted" and state["in_progress"] is None
