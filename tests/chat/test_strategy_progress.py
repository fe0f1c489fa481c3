"""The live strategy through the full ASGI stack and the Bedrock fake: `strategy_progress` frames as the
backend JSON streams, for sockets there from the start and sockets joining mid-reply."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import TypeAdapter

from chat.broadcast import publish
from chat.frames import StrategyProgress
from chat.interpret import BAD_JSON
from chat.live import live_replies
from strategies.schemas import Node
from tests.chat.test_consumer_bedrock import (  # noqa: F401  (bedrock is a fixture)
    FOLLOW_UP,
    assert_no_strategy,
    assert_strategy_1_still_current,
    bedrock,
    first_good_turn,
    reply_with_backend,
    seed_frame,
    streamed_text,
    strategy_data,
)
from tests.fakes.bedrock import Script, strategy_reply

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

_node = TypeAdapter(Node)
SO_FAR_EMPTY: dict[str, Any] = {"nodes": [], "edges": [], "degen_class": None, "strategy_metrics": None}


def progress_of(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [frame for frame in frames if frame["type"] == "strategy_progress"]


def summed(progress: list[dict[str, Any]], start: dict[str, Any] | None = None) -> dict[str, Any]:
    """The strategy so far that `start` (an `in_progress.strategy`) and then the `progress` frames add up to."""
    start = start or {}
    total = {key: start.get(key, empty) for key, empty in SO_FAR_EMPTY.items()}
    for frame in progress:
        total["nodes"] = total["nodes"] + frame["nodes"]
        total["edges"] = total["edges"] + frame["edges"]
        for section in ("degen_class", "strategy_metrics"):
            total[section] = frame.get(section, total[section])
    return total


def assert_is_the_validated_strategy(so_far: dict[str, Any], strategy: dict[str, Any]) -> None:
    """Each step sent is complete (it validates to the stored step), and together they are the stored strategy."""
    assert [_node.validate_python(node).model_dump() for node in so_far["nodes"]] == strategy["flowchart"]["nodes"]
    assert so_far["edges"] == strategy["flowchart"]["edges"]
    assert so_far["degen_class"] == strategy["degen_class"]
    assert so_far["strategy_metrics"] == strategy["strategy_metrics"]


async def test_a_paced_reply_sends_the_strategy_step_by_step_before_message_complete(connect, alice_session, bedrock):
    bedrock.push(Script(text=strategy_reply(1000), chunk_chars=12, delay_s=0.01))
    socket = await connect(session=alice_session)
    await socket.send(seed_frame())

    frames = await socket.receive_until("message_complete")

    streamed_text(frames)  # chunks and progress each numbered from 1, one reply's
    progress = progress_of(frames)
    assert len(progress) >= 3  # six steps, five edges and two sections, coalesced within 100 ms
    assert frames.index(progress[-1]) < len(frames) - 1
    assert all(frame["nodes"] or frame["edges"] or "degen_class" in frame or "strategy_metrics" in frame
               for frame in progress)
    assert_is_the_validated_strategy(summed(progress), frames[-1]["strategy_json"])


async def start_reply_paused_after_two_steps(connect, session: str, bedrock) -> tuple[Any, list[dict[str, Any]]]:
    """A socket whose reply has sent its first two steps, the model then pausing 3 s; the socket, its frames."""
    text = strategy_reply(1000)
    pause_at = text.index('"id": "entry"')
    bedrock.push(Script(text=text, chunk_chars=12, delay_s=0.005, stall_s=3, stall_after_chars=pause_at))
    first = await connect(session=session)
    await first.send(seed_frame())
    seen = await first.receive_until("strategy_progress")
    while len(summed(progress_of(seen))["nodes"]) < 2:
        seen += await first.receive_until("strategy_progress")
    return first, seen


async def test_a_socket_joining_mid_reply_gets_the_steps_so_far_then_the_rest_without_gap_or_duplicate(
    connect, alice_session, bedrock
):
    first, seen = await start_reply_paused_after_two_steps(connect, alice_session, bedrock)

    joining = await connect(f"/ws/chat/{seen[0]['conversation_id']}/", session=alice_session)
    state = await joining.receive()
    rest = await joining.receive_until("message_complete")
    everything = seen + await first.receive_until("message_complete")

    so_far = state["in_progress"]["strategy"]
    assert [node["id"] for node in so_far["nodes"]] == ["start", "category"]
    live = progress_of(rest)
    assert [frame["seq"] for frame in live] == list(range(so_far["seq"] + 1, so_far["seq"] + 1 + len(live)))
    assert summed(live, so_far) == summed(progress_of(everything))
    assert_is_the_validated_strategy(summed(live, so_far), rest[-1]["strategy_json"])


async def test_a_progress_frame_the_joining_state_holds_is_not_sent_to_that_socket_again(
    connect, alice_session, bedrock, monkeypatch: pytest.MonkeyPatch
):
    first, seen = await start_reply_paused_after_two_steps(connect, alice_session, bedrock)
    last_seen = progress_of(seen)[-1]
    snapshot = live_replies.snapshot

    async def snapshot_then_frame_arrives(conversation_id: str) -> Any:
        # The race a joiner meets: a frame recorded before the snapshot is read but delivered after it.
        state = await snapshot(conversation_id)
        await publish(conversation_id, StrategyProgress(**last_seen), message_id=last_seen["message_id"],
                      progress_seq=last_seen["seq"])
        return state

    monkeypatch.setattr(live_replies, "snapshot", snapshot_then_frame_arrives)
    joining = await connect(f"/ws/chat/{seen[0]['conversation_id']}/", session=alice_session)
    state = await joining.receive()
    rest = await joining.receive_until("message_complete")

    assert state["in_progress"]["strategy"]["seq"] == last_seen["seq"]
    assert [frame["seq"] for frame in progress_of(rest)][0] == last_seen["seq"] + 1
    assert progress_of(await first.receive_until("message_complete"))[0] == last_seen  # the others get it again


async def test_a_reply_whose_json_turns_invalid_late_leaves_the_previous_strategy_and_says_so(
    connect, alice_session, bedrock
):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    backend = json.dumps(strategy_data(500))
    broken = backend[: backend.index('"degen_class"')] + '"degen_class": {"selected": "High",, }}'
    bedrock.push(Script(text=reply_with_backend(broken, chat="A smaller plan."), chunk_chars=12, delay_s=0.002))

    await socket.send(seed_frame(FOLLOW_UP))
    frames = await socket.receive_until("message_complete")

    progress = progress_of(frames)
    assert len(summed(progress)["nodes"]) == 6  # the builder was shown every step before the JSON broke
    complete = frames[-1]
    assert complete["status"] == "error" and complete["error"] == BAD_JSON
    assert "builder was not updated" in complete["error"]
    assert_no_strategy(complete)
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])


async def test_a_streamed_strategy_that_fails_validation_leaves_the_previous_strategy_and_says_so(
    connect, alice_session, bedrock
):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    data = strategy_data(500)
    data["degen_class"]["selected"] = "Extreme"  # the last thing the model writes but the metrics
    bedrock.push(Script(text=reply_with_backend(json.dumps(data), chat="A bolder plan."), chunk_chars=12))

    await socket.send(seed_frame(FOLLOW_UP))
    frames = await socket.receive_until("message_complete")

    assert len(summed(progress_of(frames))["nodes"]) == 6
    complete = frames[-1]
    assert complete["error"].startswith("The proposed strategy was rejected")
    assert complete["error"].endswith("The builder was not updated.")
    assert_no_strategy(complete)
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])


async def test_a_ten_megabyte_backend_sends_no_more_progress_than_a_strategy_can_hold(connect, alice_session, bedrock):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    data = strategy_data()
    data["flowchart"]["nodes"] += [
        {"id": f"n{i}", "type": "exit_condition", "meta": {"rules": ["Sell"]}} for i in range(150_000)
    ]
    backend = json.dumps(data)
    assert len(backend) > 10_000_000
    bedrock.push(Script(text=reply_with_backend(backend, chat="Huge."), chunk_chars=65536))

    await socket.send(seed_frame(FOLLOW_UP))
    frames = await socket.receive_until("message_complete", timeout=60)

    progress = progress_of(frames)
    assert sum(len(json.dumps(frame)) for frame in progress) < 200_000
    assert len(summed(progress)["nodes"]) <= 100
    assert frames[-1]["status"] == "error" and "larger than" in frames[-1]["error"]
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])
