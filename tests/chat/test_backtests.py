"""Run Backtest on the socket, through the full ASGI stack, with the real engine on candles in the database."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.core.cache import cache

from chat import backtests
from chat.models import Conversation, Message
from strategies.models import BacktestRun
from tests.strategies import conversation_of, drop_node, node
from tests.strategies.backtesting import add_version, backtestable_strategy, store_candles, validated

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

RUN = {"type": "action", "action": "run_backtest"}


def _alice_conversation(data: dict[str, Any] | None = None) -> Conversation:
    """Alice's conversation whose current version is `data` (default: a backtestable strategy)."""
    conversation = conversation_of(get_user_model().objects.get(username="alice"), "Dip buyer")
    add_version(conversation, data or backtestable_strategy())
    return conversation


async def _joined(connect: Any, session: str, conversation: Conversation) -> Any:
    """A socket on the conversation, past its `conversation_state`."""
    socket = await connect(f"/ws/chat/{conversation.id}/", session=session)
    assert (await socket.receive())["type"] == "conversation_state"
    return socket


async def test_a_run_sends_started_then_the_stored_result_then_a_note_in_the_chat(connect, alice_session):
    conversation = await sync_to_async(_alice_conversation)()
    await sync_to_async(store_candles)()
    socket = await _joined(connect, alice_session, conversation)

    await socket.send(RUN)
    frames = await socket.receive_until("message_complete")

    assert [frame["type"] for frame in frames] == ["backtest_started", "backtest_result", "message_complete"]
    started, result, note = frames
    assert started["strategy_version"] == 2 and result["backtest_id"] == started["backtest_id"]
    assert (result["number"], result["strategy_version"], result["fee_pct"]) == (1, 2, 0.1)
    assert result["data"] == {
        "source": "demo", "synthetic": True, "symbol": "BTC/USDT", "timeframe": "1d",
        "start": "2022-01-01T00:00:00Z", "end": "2023-02-04T00:00:00Z", "bars": 400,
    }
    assert result["metrics"]["trades"] > 0 and result["trades_total"] == result["metrics"]["trades"]
    assert result["equity_curve"] and result["price_curve"] and result["trades"]
    assert result["target_check"]["key"] == "monthly_target"
    run = await sync_to_async(BacktestRun.objects.select_related("version", "requested_by").get)()
    assert (str(run.id), run.number, run.version.number, run.requested_by.username) == (
        started["backtest_id"], 1, 2, "alice"
    )
    assert run.params == {"symbol": "BTC/USDT", "timeframe": "1d", "start": None, "end": None, "source": "demo",
                          "fee_pct": 0.1}
    assert (run.source, run.synthetic, run.bars, run.metrics) == ("demo", True, 400, result["metrics"])
    assert note["strategy_json"] is None and note["strategy_version"] == 2
    assert note["user_message"].startswith(
        "Backtest #1 of v2 on synthetic demo data — not market history (BTC/USDT 1d, 2022-01-01 → 2023-02-04): "
    )
    stored_note = await sync_to_async(Message.objects.get)(pk=note["message_id"])
    assert (stored_note.role, stored_note.content) == ("assistant", note["user_message"])


async def test_runs_are_numbered_within_the_strategy_and_params_choose_the_market_and_range(connect, alice_session):
    conversation = await sync_to_async(_alice_conversation)()
    await sync_to_async(store_candles)(source="binance", symbol="ETH/USDT")
    socket = await _joined(connect, alice_session, conversation)

    await socket.send(RUN | {"params": {"symbol": "eth/usdt", "start": "2022-03-01", "end": "2022-06-30",
                                        "fee_pct": 0.25}})
    first = (await socket.receive_until("backtest_result"))[-1]
    await socket.send(RUN | {"params": {"symbol": "ETH/USDT"}})
    second = (await socket.receive_until("backtest_result"))[-1]

    assert (first["number"], second["number"]) == (1, 2)
    assert first["data"] | {"bars": None} == {
        "source": "binance", "synthetic": False, "symbol": "ETH/USDT", "timeframe": "1d",
        "start": "2022-03-01T00:00:00Z", "end": "2022-06-30T00:00:00Z", "bars": None,
    }
    assert first["data"]["bars"] == 122 and first["fee_pct"] == 0.25
    assert second["data"]["bars"] == 400


async def test_a_run_past_the_quiet_time_reports_progress_before_its_result(connect, alice_session, settings):
    settings.BACKTEST_PROGRESS_AFTER_SECONDS = 0
    conversation = await sync_to_async(_alice_conversation)()
    await sync_to_async(store_candles)(bars=3000)
    socket = await _joined(connect, alice_session, conversation)

    await socket.send(RUN)
    frames = await socket.receive_until("backtest_result")

    progress = [frame for frame in frames if frame["type"] == "backtest_progress"]
    assert frames[0]["type"] == "backtest_started" and progress
    assert all(frame["backtest_id"] == frames[0]["backtest_id"] for frame in progress)
    percentages = [frame["pct"] for frame in progress]
    assert percentages == sorted(percentages) and all(0 < pct <= 100 for pct in percentages)
    assert all(b - a >= backtests.PROGRESS_STEP_PCT for a, b in zip(percentages, percentages[1:]))


async def test_a_run_shorter_than_the_quiet_time_sends_no_progress(connect, alice_session, settings):
    settings.BACKTEST_PROGRESS_AFTER_SECONDS = 3600
    conversation = await sync_to_async(_alice_conversation)()
    await sync_to_async(store_candles)(bars=3000)
    socket = await _joined(connect, alice_session, conversation)

    await socket.send(RUN)

    assert [frame["type"] for frame in await socket.receive_until("backtest_result")] == [
        "backtest_started", "backtest_result"
    ]


async def test_every_socket_on_the_conversation_sees_the_same_result(connect, alice_session):
    conversation = await sync_to_async(_alice_conversation)()
    await sync_to_async(store_candles)()
    asking, watching = await _joined(connect, alice_session, conversation), await _joined(
        connect, alice_session, conversation
    )

    await asking.send(RUN)

    asked, watched = await asyncio.gather(
        asking.receive_until("message_complete"), watching.receive_until("message_complete")
    )
    assert asked == watched and [frame["type"] for frame in watched][-2:] == ["backtest_result", "message_complete"]


async def test_a_socket_joining_later_finds_the_latest_run_of_the_current_version(connect, alice_session):
    conversation = await sync_to_async(_alice_conversation)()
    await sync_to_async(store_candles)()
    socket = await _joined(connect, alice_session, conversation)
    await socket.send(RUN)
    result = (await socket.receive_until("backtest_result"))[-1]

    joined = await connect(f"/ws/chat/{conversation.id}/", session=alice_session)
    state = await joined.receive()
    await sync_to_async(add_version)(conversation, backtestable_strategy())
    after_new_version = await (await connect(f"/ws/chat/{conversation.id}/", session=alice_session)).receive()

    assert state["latest_backtest"] == {key: value for key, value in result.items() if key != "type"}
    assert state["messages"][-1]["content"].startswith("Backtest #1 of v2")
    assert after_new_version["strategy_version"] == 3 and after_new_version["latest_backtest"] is None


async def test_rules_the_engine_cannot_execute_are_named_and_nothing_runs(connect, alice_session):
    data = backtestable_strategy()
    node(data, "entry")["meta"].update(rules=["Enter when Elon tweets"], conditions=[])
    conversation = await sync_to_async(_alice_conversation)(validated(data))
    await sync_to_async(store_candles)()
    socket = await _joined(connect, alice_session, conversation)

    await socket.send(RUN)
    error = await socket.receive()

    assert (error["type"], error["code"]) == ("error", "not_backtestable")
    assert "'Enter when Elon tweets' cannot be backtested" in error["message"]
    assert await sync_to_async(BacktestRun.objects.count)() == 0


async def test_a_symbol_without_candles_tells_how_to_get_them(connect, alice_session):
    conversation = await sync_to_async(_alice_conversation)()
    await sync_to_async(store_candles)()
    socket = await _joined(connect, alice_session, conversation)

    await socket.send(RUN | {"params": {"symbol": "SOL/USDT"}})
    error = await socket.receive()

    assert (error["type"], error["code"]) == ("error", "no_candles")
    assert "SOL/USDT" in error["message"] and "fetch_prices" in error["message"]
    assert await sync_to_async(BacktestRun.objects.count)() == 0


async def test_a_violated_guardrail_refuses_the_run(connect, alice_session):
    conversation = await sync_to_async(_alice_conversation)(validated(drop_node(backtestable_strategy(), "stop_loss")))
    await sync_to_async(store_candles)()
    socket = await _joined(connect, alice_session, conversation)

    await socket.send(RUN)
    error = await socket.receive()

    assert (error["code"], "Stop loss in place" in error["message"]) == ("guardrail_violation", True)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start": "last spring"}, "start must be an ISO 8601 date"),
        ({"start": "2023-01-01", "end": "2022-01-01"}, "start of the backtest must come before its end"),
        ({"symbol": "BTC-USDT; DROP TABLE"}, "symbol must be a pair like BTC/USDT"),
        ({"source": "x" * 65}, "source name has 1 to 64 characters"),
    ],
)
async def test_bad_parameters_get_a_sentence_and_nothing_runs(connect, alice_session, params, words):
    conversation = await sync_to_async(_alice_conversation)()
    await sync_to_async(store_candles)()
    socket = await _joined(connect, alice_session, conversation)

    await socket.send(RUN | {"params": params})
    error = await socket.receive()

    assert error["code"] == "invalid_params" and words in error["message"]
    assert await sync_to_async(BacktestRun.objects.count)() == 0


async def test_no_strategy_yet_is_an_error(connect, alice_session):
    socket = await connect(session=alice_session)
    await socket.send(RUN)
    assert (await socket.receive())["code"] == "no_strategy"


async def test_one_run_at_a_time_per_conversation(connect, alice_session):
    conversation = await sync_to_async(_alice_conversation)()
    await sync_to_async(store_candles)()
    socket = await _joined(connect, alice_session, conversation)
    engine_free = threading.Event()
    backtests.engine_executor().submit(engine_free.wait)  # the worker's backtest thread is busy

    try:
        await socket.send(RUN)
        assert (await socket.receive())["type"] == "backtest_started"
        await socket.send(RUN)
        refused = await socket.receive()
    finally:
        engine_free.set()

    assert refused["code"] == "backtest_in_progress"
    assert (await socket.receive_until("backtest_result"))[-1]["number"] == 1
    await socket.send(RUN)
    assert (await socket.receive_until("backtest_result"))[-1]["number"] == 2


async def test_the_conversation_stays_running_until_its_result_and_note_are_published(
    connect, alice_session, monkeypatch
):
    conversation = await sync_to_async(_alice_conversation)()
    await sync_to_async(store_candles)()
    socket = await _joined(connect, alice_session, conversation)
    running_when_published = []

    async def watched_publish(conversation_id: str, frame: Any) -> None:
        running = await sync_to_async(cache.get)(backtests._running_key(conversation_id))  # what a click would meet
        running_when_published.append((frame.type, bool(running)))
        await real_publish(conversation_id, frame)

    real_publish = backtests.publish
    monkeypatch.setattr(backtests, "publish", watched_publish)
    await socket.send(RUN)
    await socket.receive_until("message_complete")

    assert running_when_published == [
        ("backtest_started", True), ("backtest_result", True), ("message_complete", True)
    ]
    monkeypatch.undo()
    await socket.send(RUN)
    assert (await socket.receive_until("backtest_result"))[-1]["number"] == 2
    assert await sync_to_async(BacktestRun.objects.count)() == 2


async def test_runs_per_minute_are_limited_per_trader(connect, alice_session, settings):
    settings.BACKTEST_RATE_LIMIT_PER_MINUTE = 2
    conversation = await sync_to_async(_alice_conversation)()
    await sync_to_async(store_candles)()
    socket = await _joined(connect, alice_session, conversation)

    await socket.send(RUN | {"params": {"start": "not a date"}})  # refused for its own reason: not counted
    assert (await socket.receive())["code"] == "invalid_params"
    for _ in range(2):
        await socket.send(RUN)
        await socket.receive_until("message_complete")
    await socket.send(RUN)
    limited = await socket.receive()

    assert limited["code"] == "rate_limited" and "2 backtests a minute" in limited["message"]
    assert await sync_to_async(BacktestRun.objects.count)() == 2
