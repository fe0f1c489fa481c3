"""Two daphne workers sharing PostgreSQL and Redis: fan-out, resume, cancel and crashes across workers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time

import pytest
import redis
import websockets

from tests.scale.conftest import LIVE_REPLY_TTL, Client, RedisServer, Worker, Workers, http_get, login, wait_for

pytestmark = pytest.mark.asyncio

SEED_REQUEST = "I have $1000, please choose a high-return strategy"


def chat_text(frames: list[dict]) -> str:
    return "".join(frame["chunk"] for frame in frames if frame["type"] == "content_chunk")


async def new_conversation(client: Client) -> str:
    """Ask the seed question and wait for its reply; the new conversation's id."""
    await client.ask(SEED_REQUEST)
    return (await client.receive_until("message_complete"))[0]["conversation_id"]


async def turn(client: Client, content: str) -> list[dict]:
    """The frames of the turn that starts with the message `content`, skipping any before it."""
    while not ((frame := await client.receive())["type"] == "message_received" and frame["content"] == content):
        pass
    return [frame, *await client.receive_until("message_complete")]


async def state_when(client_factory, predicate, *, timeout: float) -> dict:
    """The first `conversation_state` a fresh socket gets that satisfies `predicate`."""
    deadline = time.monotonic() + timeout
    while True:
        client = await client_factory()
        state = await client.receive()
        await client.close()
        if predicate(state) or time.monotonic() > deadline:
            return state
        await asyncio.sleep(0.3)


async def test_a_socket_on_worker_b_gets_every_frame_a_socket_on_worker_a_gets(workers: Workers, cookie: str):
    on_a = await Client.open(workers.a, cookie)
    conversation_id = await new_conversation(on_a)
    on_b = await Client.open(workers.b, cookie, conversation_id)
    assert (await on_b.receive())["type"] == "conversation_state"

    await on_a.ask("Make it less risky")
    seen_on_a = await on_a.receive_until("message_complete")
    seen_on_b = await on_b.receive_until("message_complete")

    assert seen_on_b == seen_on_a
    assert seen_on_b[0]["type"] == "message_received" and seen_on_b[0]["content"] == "Make it less risky"
    chunks = [frame for frame in seen_on_b if frame["type"] == "content_chunk"]
    assert [chunk["seq"] for chunk in chunks] == list(range(1, len(chunks) + 1))
    assert chat_text(seen_on_b) == seen_on_b[-1]["user_message"] and seen_on_b[-1]["strategy_version"] == 2


async def test_a_client_dropped_from_worker_a_mid_reply_resumes_on_worker_b_with_exactly_the_full_text(
    workers: Workers, cookie: str
):
    on_a = await Client.open(workers.a, cookie)
    await on_a.ask(SEED_REQUEST)
    before = await on_a.receive_until("content_chunk")
    before += [await on_a.receive() for _ in range(2)]
    conversation_id, reply_id = before[0]["conversation_id"], before[1]["message_id"]
    on_a.socket.transport.abort()  # the connection dies: no closing handshake

    on_b = await Client.open(workers.b, cookie, conversation_id)
    state = await on_b.receive()
    rest = await on_b.receive_until("message_complete")

    progress = state["in_progress"]
    assert progress is not None and progress["message_id"] == reply_id
    assert progress["text"].startswith(chat_text(before)) and progress["seq"] >= 3
    live = [frame for frame in rest if frame["type"] == "content_chunk"]
    assert [frame["seq"] for frame in live] == list(range(progress["seq"] + 1, progress["seq"] + 1 + len(live)))
    assert progress["text"] + chat_text(rest) == rest[-1]["user_message"]
    assert rest[-1]["error"] is None and rest[-1]["message_id"] == reply_id


def summed_steps(start: dict, frames: list[dict]) -> tuple[list, list]:
    """The steps and edges that `start` (an `in_progress.strategy`) and then the progress `frames` add up to."""
    progress = [frame for frame in frames if frame["type"] == "strategy_progress"]
    return (
        start["nodes"] + [node for frame in progress for node in frame["nodes"]],
        start["edges"] + [edge for frame in progress for edge in frame["edges"]],
    )


async def test_a_socket_joining_on_worker_b_mid_reply_gets_the_steps_so_far_then_the_rest(
    workers: Workers, cookie: str
):
    on_a = await Client.open(workers.a, cookie)
    await on_a.ask(SEED_REQUEST)
    before = await on_a.receive_until("strategy_progress")
    conversation_id, reply_id = before[0]["conversation_id"], before[1]["message_id"]

    on_b = await Client.open(workers.b, cookie, conversation_id)
    state = await on_b.receive()
    rest = await on_b.receive_until("message_complete")
    on_a_all = before + await on_a.receive_until("message_complete")

    so_far = state["in_progress"]["strategy"]
    assert state["in_progress"]["message_id"] == reply_id and so_far["seq"] >= 1 and so_far["nodes"]
    live = [frame["seq"] for frame in rest if frame["type"] == "strategy_progress"]
    assert live == list(range(so_far["seq"] + 1, so_far["seq"] + 1 + len(live)))
    empty = {"nodes": [], "edges": []}
    assert summed_steps(so_far, rest) == summed_steps(empty, on_a_all)
    nodes, edges = summed_steps(so_far, rest)
    flowchart = rest[-1]["strategy_json"]["flowchart"]
    assert [node["id"] for node in nodes] == [node["id"] for node in flowchart["nodes"]]
    assert edges == flowchart["edges"]


async def test_a_cancel_sent_on_worker_b_stops_the_reply_streaming_on_worker_a(workers: Workers, cookie: str):
    on_a = await Client.open(workers.a, cookie)
    await on_a.ask(SEED_REQUEST)
    frames = await on_a.receive_until("content_chunk")
    on_b = await Client.open(workers.b, cookie, frames[0]["conversation_id"])
    await on_b.receive()  # conversation_state

    await on_b.send({"type": "cancel"})
    complete = (await on_b.receive_until("message_complete"))[-1]

    assert complete["status"] == "interrupted" and "stopped" in complete["error"]
    assert complete["strategy_json"] is None
    assert (await on_a.receive_until("message_complete"))[-1] == complete
    await on_b.send({"type": "cancel"})
    assert (await on_b.receive())["code"] == "nothing_to_cancel"


async def test_a_worker_killed_mid_reply_ends_it_on_every_socket_with_the_text_it_had_streamed(
    workers: Workers, cookie: str
):
    # Half a second between 4-character chunks: the kill lands while worker A waits for the next one, never
    # between recording a chunk in Redis and publishing it, so the sockets have exactly the text Redis has.
    workers.a.stop()
    workers.a.start(OFFLINE_TEXT_CHARS_PER_SECOND="8", OFFLINE_JSON_CHARS_PER_SECOND="8")
    on_a = await Client.open(workers.a, cookie)
    await on_a.ask("Pick a balanced DeFi strategy for $2500")
    frames = await on_a.receive_until("content_chunk")
    conversation_id, reply_id = frames[0]["conversation_id"], frames[1]["message_id"]
    on_b = await Client.open(workers.b, cookie, conversation_id)
    state = await on_b.receive()
    seen_on_b = [await on_b.receive() for _ in range(2)]
    assert [frame["type"] for frame in seen_on_b] == ["content_chunk", "content_chunk"]

    workers.a.kill()
    seen_on_b += await on_b.receive_until("message_complete", timeout=LIVE_REPLY_TTL + 5)

    complete = seen_on_b[-1]
    text_on_b = state["in_progress"]["text"] + chat_text(seen_on_b)
    assert (complete["message_id"], complete["status"], complete["strategy_json"]) == (reply_id, "interrupted", None)
    assert complete["user_message"] == text_on_b and "stopped" in complete["error"]
    again = await Client.open(workers.b, cookie, conversation_id)
    user, reply = (await again.receive())["messages"][-2:]
    assert (user["role"], user["content"], user["status"]) == ("user", "Pick a balanced DeFi strategy for $2500", "complete")
    assert (reply["id"], reply["status"], reply["content"]) == (reply_id, "interrupted", text_on_b)
    await again.ask("Make it less risky")
    assert (await again.receive_until("message_complete"))[-1]["error"] is None


async def test_a_lone_worker_restarted_after_a_kill_stores_its_reply_interrupted_with_the_checkpointed_text(
    lone_worker: Worker,
):
    database = lone_worker.deployment.database_url.removeprefix("sqlite:///")
    on_worker = await Client.open(lone_worker, login(lone_worker))
    await on_worker.ask(SEED_REQUEST)
    frames = await on_worker.receive_until("content_chunk")
    conversation_id, reply_id = frames[0]["conversation_id"], frames[1]["message_id"]
    await asyncio.to_thread(wait_for, lambda: stored_reply(database, reply_id)[1], timeout=30,
                            what="a checkpoint of the reply's text")
    checkpointed = stored_reply(database, reply_id)[1]

    lone_worker.kill()
    received = chat_text(frames + await frames_until_closed(on_worker))
    lone_worker.start()

    # The worker stores it as it starts, before any socket joins the conversation.
    await asyncio.to_thread(wait_for, lambda: stored_reply(database, reply_id)[0] != "streaming", timeout=30,
                            what="the restarted worker to store the reply")
    again = await Client.open(lone_worker, login(lone_worker), conversation_id)
    reply = (await again.receive())["messages"][-1]
    assert (reply["id"], reply["status"]) == (reply_id, "interrupted") and "stopped" in reply["error"]
    assert reply["content"].startswith(checkpointed) and received.startswith(reply["content"])


def stored_reply(database: str, reply_id: str) -> tuple[str, str]:
    """A reply's status and content, read from the SQLite file as the worker left it."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return connection.execute(
            "SELECT status, content FROM chat_message WHERE id = ?", (reply_id.replace("-", ""),)
        ).fetchone()


async def frames_until_closed(client: Client) -> list[dict]:
    """The frames a socket still had when its server died."""
    frames = []
    with contextlib.suppress(websockets.ConnectionClosed):
        while True:
            frames.append(await client.receive())
    return frames


async def test_sweep_replies_leaves_a_reply_another_worker_is_streaming(workers: Workers, cookie: str):
    on_b = await Client.open(workers.b, cookie)
    await on_b.ask(SEED_REQUEST)
    await on_b.receive_until("content_chunk")
    await asyncio.sleep(LIVE_REPLY_TTL)  # longer than the TTL: only the heartbeat keeps it live

    output = await asyncio.to_thread(workers.a.deployment.manage, "sweep_replies")

    assert "Marked 0 stale streaming replies" in output
    complete = (await on_b.receive_until("message_complete"))[-1]
    assert complete["status"] == "complete" and complete["error"] is None


async def test_idle_layer_connections_survive_more_than_10_seconds(workers: Workers, cookie: str):
    on_a = await Client.open(workers.a, cookie)
    conversation_id = await new_conversation(on_a)
    on_b = await Client.open(workers.b, cookie, conversation_id)
    await on_b.receive()

    await asyncio.sleep(11)  # past redis-py 8's default 5 s socket timeout, twice over

    await on_b.ask("add a stop loss at 4%")
    seen_on_b = await on_b.receive_until("message_complete")
    assert await on_a.receive_until("message_complete") == seen_on_b
    await on_a.ask(SEED_REQUEST)
    await on_a.receive_until("content_chunk")
    await on_b.send({"type": "cancel"})  # relayed to worker A over its idle cancel listener
    assert (await on_a.receive_until("message_complete"))[-1]["status"] == "interrupted"


async def test_after_a_redis_restart_the_same_sockets_get_new_replies_and_the_streaming_one_is_stored(
    workers: Workers, cookie: str, redis_server: RedisServer
):
    on_a = await Client.open(workers.a, cookie)
    conversation_id = await new_conversation(on_a)
    on_b = await Client.open(workers.b, cookie, conversation_id)
    await on_b.receive()
    await on_a.ask("Make it less risky")
    reply_id = (await on_a.receive_until("content_chunk"))[1]["message_id"]

    redis_server.stop()
    status, body = http_get(f"{workers.b.http}/healthz")
    assert (status, json.loads(body)) == (503, {"database": "ok", "channel_layer": "error"})
    redis_server.start()  # empty: the live-reply records and subscriptions are gone with the old one
    for worker in (workers.a, workers.b):
        wait_for(lambda: http_get(f"{worker.http}/healthz")[0] == 200, timeout=10, what=f"{worker.name} healthy")
    await asyncio.sleep(2)  # the layer's subscriber retries once a second

    # The reply that streamed through the restart finished and was stored on worker A.
    state = await state_when(
        lambda: Client.open(workers.b, cookie, conversation_id),
        lambda state: state["messages"][-1]["status"] != "streaming",
        timeout=15,
    )
    assert (state["messages"][-1]["id"], state["messages"][-1]["status"]) == (reply_id, "complete")
    assert state["strategy_version"] == 2
    await on_b.ask("add a stop loss at 4%")
    seen_on_b = await turn(on_b, "add a stop loss at 4%")
    seen_on_a = await turn(on_a, "add a stop loss at 4%")
    assert seen_on_a == seen_on_b and seen_on_b[-1]["error"] is None


async def test_real_daphne_refuses_anonymous_and_foreign_origin_handshakes_with_403(workers: Workers, cookie: str):
    attempts = [
        {"Origin": workers.a.http},
        {"Origin": "https://evil.example", "Cookie": cookie},
    ]
    for headers in attempts:
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(workers.a.ws + "/ws/chat/", additional_headers=headers, open_timeout=10)
        assert refused.value.response.status_code == 403


async def test_healthz_reports_database_and_channel_layer(workers: Workers):
    for worker in (workers.a, workers.b):
        status, body = http_get(f"{worker.http}/healthz")
        assert (status, json.loads(body)) == (200, {"database": "ok", "channel_layer": "ok"})


async def test_sessions_are_cached_in_redis_and_shared_by_the_workers(workers: Workers, redis_server: RedisServer):
    cookie_header = login(workers.a)
    session_key = dict(part.split("=", 1) for part in cookie_header.split("; "))["sessionid"]

    cached = redis.Redis.from_url(redis_server.url).keys(f"*sessions.cached_db*{session_key}")
    assert cached, "the session was not written to the Redis cache"
    status, body = http_get(f"{workers.b.http}/api/conversations/", cookie=cookie_header)
    assert status == 200 and b"conversations" in body
