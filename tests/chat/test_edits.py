"""edit_strategy through the full ASGI stack: the builder's edits become versions, every socket hears of them,
and every refusal stores nothing."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from chat.models import Message
from strategies.models import StrategyVersion
from tests.chat.test_consumer import seed_frame
from tests.strategies import node

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_strategist(settings) -> None:
    """A strategist slow enough that a test can act while the reply streams (~1 s a reply)."""
    settings.OFFLINE_TEXT_CHARS_PER_SECOND = settings.OFFLINE_JSON_CHARS_PER_SECOND = 1500
    settings.CHAT_COALESCE_MS = 0


async def first_version(socket: Any) -> dict[str, Any]:
    """Ask for a strategy ($1000, High risk); the reply's message_complete, with the conversation's id."""
    await socket.send(seed_frame())
    frames = await socket.receive_until("message_complete")
    complete = frames[-1]
    assert complete["strategy_version"] == 1
    return {**complete, "conversation_id": frames[0]["conversation_id"]}


def edited(strategy: dict[str, Any], *, stop_pct: float) -> dict[str, Any]:
    """The strategy with its stop loss moved, as the builder sends it (whole, guardrails included)."""
    changed = copy.deepcopy(strategy)
    node(changed, next(n["id"] for n in changed["flowchart"]["nodes"] if n["type"] == "stop_loss"))["meta"][
        "stop_pct"
    ] = stop_pct
    return changed


def edit_frame(strategy: dict[str, Any], base_version: int) -> dict[str, Any]:
    return {"type": "edit_strategy", "base_version": base_version, "strategy_json": strategy}


async def first_of(socket: Any, *frame_types: str) -> dict[str, Any]:
    """The first frame the socket receives of one of these types (the reply's frames pass by)."""
    while (frame := await socket.receive())["type"] not in frame_types:
        pass
    return frame


async def versions() -> list[tuple[int, str]]:
    return await sync_to_async(list)(StrategyVersion.objects.order_by("number").values_list("number", "source"))


async def test_a_valid_edit_becomes_the_next_version_on_every_socket(connect, alice_session):
    first = await connect(session=alice_session)
    reply = await first_version(first)
    second = await connect(f"/ws/chat/{reply['conversation_id']}/", session=alice_session)
    await second.receive()  # conversation_state
    change = edited(reply["strategy_json"], stop_pct=3)
    change["degen_class"]["selected"] = "Medium"

    await first.send(edit_frame(change, base_version=1))

    updates = [await first.receive(), await second.receive()]
    assert updates[0] == updates[1]
    update = updates[0]
    assert (update["type"], update["strategy_version"], update["source"]) == ("strategy_updated", 2, "edit")
    assert update["conversation_id"] == reply["conversation_id"] and update["restored_from"] is None
    assert update["strategy_json"]["degen_class"]["selected"] == "Medium"
    assert next(n for n in update["strategy_json"]["flowchart"]["nodes"] if n["type"] == "stop_loss")["meta"][
        "stop_pct"
    ] == 3
    assert await versions() == [(1, "reply"), (2, "edit")]
    stored = await sync_to_async(StrategyVersion.objects.get)(number=2)
    assert stored.data == update["strategy_json"]


async def test_an_edit_gets_the_servers_guardrails_against_the_capital_the_trader_stated(connect, alice_session):
    socket = await connect(session=alice_session)
    reply = await first_version(socket)  # "I have $1000"
    change = edited(reply["strategy_json"], stop_pct=4)
    change["strategy_metrics"]["estimated_capital_required_usd"] = 5000
    change["guardrails"] = {"enabled": [{"key": "trust_me", "label": "All good", "status": "ok", "reason": ""}],
                            "violations": []}
    change = {key: value for key, value in change.items() if key != "actions"}

    await socket.send(edit_frame(change, base_version=1))

    strategy = (await socket.receive())["strategy_json"]
    checks = {item["key"]: item for item in strategy["guardrails"]["enabled"]}
    assert "trust_me" not in checks
    capital = checks["capital_matches_request"]
    assert capital["status"] == "warning" and "$5,000" in capital["reason"] and "$1,000" in capital["reason"]
    assert strategy["actions"]["explain_button"]["enabled"] is True


async def test_an_invalid_edit_names_each_problem_by_its_json_path_and_stores_nothing(connect, alice_session):
    socket = await connect(session=alice_session)
    reply = await first_version(socket)
    change = edited(reply["strategy_json"], stop_pct=150)
    change["degen_class"]["selected"] = "Reckless"

    await socket.send(edit_frame(change, base_version=1))

    error = await socket.receive()
    assert (error["type"], error["code"]) == ("error", "invalid_strategy")
    stop_index = next(i for i, n in enumerate(change["flowchart"]["nodes"]) if n["type"] == "stop_loss")
    assert [problem["path"] for problem in error["problems"]] == [
        f"flowchart.nodes[{stop_index}].meta.stop_pct", "degen_class.selected"
    ]
    assert "less than 100" in error["problems"][0]["message"] and error["message"].startswith("That edit was not saved")
    assert await versions() == [(1, "reply")]


async def test_an_edit_whose_flowchart_is_broken_names_the_edge(connect, alice_session):
    socket = await connect(session=alice_session)
    reply = await first_version(socket)
    change = copy.deepcopy(reply["strategy_json"])
    change["flowchart"]["edges"].append(["entry", "nowhere"])

    await socket.send(edit_frame(change, base_version=1))

    error = await socket.receive()
    assert error["code"] == "invalid_strategy"
    assert error["problems"] == [{
        "path": f"flowchart.edges[{len(change['flowchart']['edges']) - 1}][1]",
        "message": "The strategy's flowchart has an edge to a step that doesn't exist: 'nowhere'.",
    }]
    assert await versions() == [(1, "reply")]


async def test_an_edit_of_a_version_no_longer_current_is_a_conflict(connect, alice_session):
    socket = await connect(session=alice_session)
    reply = await first_version(socket)
    await socket.send(edit_frame(edited(reply["strategy_json"], stop_pct=3), base_version=1))
    assert (await socket.receive())["strategy_version"] == 2

    await socket.send(edit_frame(edited(reply["strategy_json"], stop_pct=2), base_version=1))  # another tab's, on v1

    error = await socket.receive()
    assert error["code"] == "version_conflict" and "v2" in error["message"]
    assert await versions() == [(1, "reply"), (2, "edit")]


async def test_an_edit_that_changes_nothing_makes_no_version(connect, alice_session):
    socket = await connect(session=alice_session)
    reply = await first_version(socket)
    same = copy.deepcopy(reply["strategy_json"])
    same["assistant_panel"]["greeting"] = "Edited prose is not a trade"

    await socket.send(edit_frame(same, base_version=1))

    error = await socket.receive()
    assert error == {
        "type": "error", "code": "no_change", "message": "That edit changes nothing; the strategy stays at v1."
    }
    assert await versions() == [(1, "reply")]


async def test_an_edit_while_a_reply_streams_is_refused(connect, alice_session, slow_strategist):
    socket = await connect(session=alice_session)
    reply = await first_version(socket)
    await socket.send(seed_frame("Make it less risky"))
    await socket.receive_until("message_start")

    await socket.send(edit_frame(edited(reply["strategy_json"], stop_pct=3), base_version=1))
    frames = await socket.receive_until("error")

    assert frames[-1]["code"] == "reply_in_progress"
    complete = (await socket.receive_until("message_complete"))[-1]
    assert complete["error"] is None and complete["strategy_version"] == 2
    assert await versions() == [(1, "reply"), (2, "reply")]


async def test_a_message_after_an_edit_is_answered_from_the_edited_version(connect, alice_session):
    socket = await connect(session=alice_session)
    reply = await first_version(socket)
    await socket.send(edit_frame(edited(reply["strategy_json"], stop_pct=3), base_version=1))
    await socket.receive()

    await socket.send(seed_frame("Make it less risky"))
    complete = (await socket.receive_until("message_complete"))[-1]

    assert complete["error"] is None and complete["strategy_version"] == 3
    assert await versions() == [(1, "reply"), (2, "edit"), (3, "reply")]


async def test_an_edit_before_any_strategy_is_refused(connect, alice_session, slow_strategist):
    fresh = await connect(session=alice_session)
    await fresh.send(edit_frame({"flowchart": {}}, base_version=1))
    assert (await fresh.receive())["code"] == "no_strategy"

    await fresh.send(seed_frame("Hello"))  # a conversation now, but its first reply is still streaming
    await fresh.receive_until("message_start")
    await fresh.send(edit_frame({"flowchart": {}}, base_version=1))
    assert (await fresh.receive_until("error"))[-1]["code"] == "no_strategy"
    assert await versions() == []


async def test_an_edit_larger_than_a_strategy_may_be_is_refused_before_it_is_validated(connect, alice_session):
    socket = await connect(session=alice_session)
    reply = await first_version(socket)
    huge = copy.deepcopy(reply["strategy_json"])
    huge["assistant_panel"]["assistant_reply"] = "x" * 200_000

    await socket.send(edit_frame(huge, base_version=1))

    error = await socket.receive()
    assert error["code"] == "invalid_strategy" and error["message"].endswith("larger than 128 KiB.")
    assert error["problems"] == [{"path": "", "message": "The edited strategy is larger than 128 KiB."}]
    assert await versions() == [(1, "reply")]


async def test_edits_have_their_own_rate_limit(connect, alice_session, settings):
    settings.CHAT_EDITS_PER_MINUTE = 2
    socket = await connect(session=alice_session)
    reply = await first_version(socket)
    for number, stop_pct in ((1, 3), (2, 2)):
        await socket.send(edit_frame(edited(reply["strategy_json"], stop_pct=stop_pct), base_version=number))
        assert (await socket.receive())["strategy_version"] == number + 1

    await socket.send(edit_frame(edited(reply["strategy_json"], stop_pct=1), base_version=3))

    error = await socket.receive()
    assert error["code"] == "rate_limited" and "2 edits a minute" in error["message"]
    await socket.send(seed_frame("Make it less risky"))  # messages are counted apart
    assert (await socket.receive_until("message_complete"))[-1]["strategy_version"] == 4
    assert await sync_to_async(Message.objects.filter(role="user").count)() == 2


async def test_edits_refused_as_conflicts_or_no_change_do_not_use_up_the_rate_limit_but_invalid_ones_do(
    connect, alice_session, settings
):
    settings.CHAT_EDITS_PER_MINUTE = 2
    socket = await connect(session=alice_session)
    reply = await first_version(socket)
    for _ in range(2):
        await socket.send(edit_frame(copy.deepcopy(reply["strategy_json"]), base_version=1))
        assert (await socket.receive())["code"] == "no_change"
        await socket.send(edit_frame(edited(reply["strategy_json"], stop_pct=3), base_version=7))
        assert (await socket.receive())["code"] == "version_conflict"

    await socket.send(edit_frame(edited(reply["strategy_json"], stop_pct=3), base_version=1))
    assert (await socket.receive())["strategy_version"] == 2
    await socket.send(edit_frame(edited(reply["strategy_json"], stop_pct=150), base_version=2))
    assert (await socket.receive())["code"] == "invalid_strategy"
    await socket.send(edit_frame(edited(reply["strategy_json"], stop_pct=2), base_version=2))

    assert (await socket.receive())["code"] == "rate_limited"
    assert await versions() == [(1, "reply"), (2, "edit")]


async def test_an_edit_and_a_message_sent_at_once_from_two_tabs_both_end_well(connect, alice_session):
    editor = await connect(session=alice_session)
    reply = await first_version(editor)
    chatter = await connect(f"/ws/chat/{reply['conversation_id']}/", session=alice_session)
    await chatter.receive()  # conversation_state

    await asyncio.gather(
        editor.send(edit_frame(edited(reply["strategy_json"], stop_pct=3), base_version=1)),
        chatter.send(seed_frame("Make it less risky")),
    )

    complete = (await chatter.receive_until("message_complete"))[-1]
    assert complete["error"] is None
    edit_outcome = await first_of(editor, "strategy_updated", "error")
    if edit_outcome["type"] == "strategy_updated":  # the edit was stored first: the reply came after it
        assert (edit_outcome["strategy_version"], complete["strategy_version"]) == (2, 3)
        assert await versions() == [(1, "reply"), (2, "edit"), (3, "reply")]
    else:  # the message was stored first: its reply was streaming when the edit arrived
        assert edit_outcome["code"] == "reply_in_progress" and complete["strategy_version"] == 2
        assert await versions() == [(1, "reply"), (2, "reply")]
