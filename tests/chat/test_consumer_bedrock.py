"""The chat socket through the full ASGI stack, with Bedrock played by the local wire-accurate fake.

Each test drives a real socket, lets unmodified boto3 talk to `FakeBedrock`, and checks what the
trader sees (frames), what is stored (messages, strategy versions) and that a failed reply never
replaces the strategy already in the builder.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from botocore.retries.standard import ExponentialBackoff

from chat import broadcast, replies
from chat.interpret import BAD_JSON, NO_STRATEGY
from chat.models import Message
from chat.providers import get_provider
from chat.providers.prompt import base_system_prompt, system_prompt
from strategies.models import StrategyVersion
from tests.conftest import Socket, drain_replies
from tests.fakes.bedrock import FakeBedrock, Script, strategy_reply

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

SEED_REQUEST = "I have $1000, please choose a high-return strategy"
FOLLOW_UP = "Make it less risky"
OPEN = "<user_message>\n"
#: The chat text of `strategy_reply()`, as the trader should read it.
STRATEGY_CHAT = strategy_reply().split("<user_message>")[1].split("</user_message>")[0].strip()
BUSY = "The model is busy right now (rate limited). Please try again in a moment."
AWS_VARS = (
    "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK", "AWS_CA_BUNDLE", "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
)


def seed_frame(content: str = SEED_REQUEST) -> dict[str, object]:
    return {"type": "message", "content": content, "history": []}


def strategy_data(capital: int = 1000) -> dict[str, Any]:
    """The strategy JSON inside `strategy_reply()`, to be altered by a test."""
    backend = strategy_reply(capital).split("<backend>")[1].split("</backend>")[0]
    return json.loads(backend)


def reply_with_backend(backend: str, chat: str = "Here is your strategy.") -> str:
    return f"<user_message>\n{chat}\n</user_message>\n\n<backend>\n{backend}\n</backend>"


@pytest.fixture
async def bedrock(settings, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> AsyncIterator[FakeBedrock]:
    """A fake Bedrock on loopback that the configured provider reaches with dummy SigV4 keys."""
    for name in AWS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", f"{tmp_path}/no-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", f"{tmp_path}/no-credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with FakeBedrock() as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        settings.LLM_PROVIDER = "bedrock"
        settings.BEDROCK_READ_TIMEOUT = 5
        get_provider.cache_clear()
        yield fake
        # Replies must finish before their provider closes, whichever fixture is torn down first.
        await drain_replies()
        if get_provider.cache_info().currsize:
            get_provider().close()
        get_provider.cache_clear()


@pytest.fixture
def instant_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore retries throttling at once instead of backing off."""
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)


def streamed_text(frames: list[dict[str, Any]]) -> str:
    """Check the reply's frame sequence and return the chat text its chunks carried."""
    kinds = [frame["type"] for frame in frames]
    assert kinds[:2] == ["message_received", "message_start"] and kinds[-1] == "message_complete", kinds
    assert set(kinds[2:-1]) <= {"content_chunk", "strategy_progress"}, kinds
    chunks = [frame for frame in frames[2:-1] if frame["type"] == "content_chunk"]
    progress = [frame for frame in frames[2:-1] if frame["type"] == "strategy_progress"]
    for numbered in (chunks, progress):
        assert [frame["seq"] for frame in numbered] == list(range(1, len(numbered) + 1))
        assert {frame["message_id"] for frame in numbered} <= {frames[1]["message_id"]}
    assert frames[-1]["message_id"] == frames[1]["message_id"]
    error = frames[-1]["error"]
    if error is not None:  # a sentence a trader can read, not an exception
        assert error[0].isupper() and error.endswith(".")
        assert not re.search(r"Exception|Traceback|botocore|HTTP \d|\{", error)
    text = "".join(chunk["chunk"] for chunk in chunks)
    assert not re.search(r"</?\s*(user_message|backend)", text)
    assert "{" not in text and '"flowchart"' not in text and "```" not in text
    return text


async def stored(message_id: str) -> Message:
    return await sync_to_async(Message.objects.get)(pk=message_id)


async def version_count() -> int:
    return await sync_to_async(StrategyVersion.objects.count)()


async def first_good_turn(socket: Socket, fake: FakeBedrock) -> dict[str, Any]:
    """Play a valid strategy reply, so the conversation has strategy version 1; return its complete frame."""
    fake.push(Script(text=strategy_reply(1000)))
    await socket.send(seed_frame())
    frames = await socket.receive_until("message_complete")
    complete = frames[-1]
    assert complete["error"] is None and complete["strategy_version"] == 1
    complete["conversation_id"] = frames[0]["conversation_id"]
    return complete


async def assert_strategy_1_still_current(connect, session: str, conversation_id: str) -> dict[str, Any]:
    """A socket that rejoins still sees version 1, and the failed turn made no new version."""
    assert await version_count() == 1
    again = await connect(f"/ws/chat/{conversation_id}/", session=session)
    state = await again.receive()
    assert state["type"] == "conversation_state"
    assert state["strategy_version"] == 1 and state["strategy_json"] is not None
    assert state["in_progress"] is None
    return state


def assert_no_strategy(complete: dict[str, Any]) -> None:
    assert complete["strategy_json"] is None and complete["strategy_version"] is None


# --- replies that go through -------------------------------------------------------------------


async def test_a_normal_reply_streams_and_stores_tokens_latency_and_version(
    connect, alice_session, bedrock, settings
):
    bedrock.push(Script(text=strategy_reply(1000), chunk_chars=7, usage=(321, 654), latency_ms=777))
    socket = await connect(session=alice_session)

    await socket.send(seed_frame())
    frames = await socket.receive_until("message_complete")

    text = streamed_text(frames)
    complete = frames[-1]
    assert text == complete["user_message"] == STRATEGY_CHAT
    assert complete["error"] is None and complete["status"] == "complete"
    assert complete["provider"] == "bedrock" and complete["model_id"] == settings.BEDROCK_MODEL_ID
    assert complete["strategy_version"] == 1
    strategy = complete["strategy_json"]
    assert strategy["strategy_metrics"]["estimated_capital_required_usd"] == 1000
    assert {item["key"] for item in strategy["guardrails"]["enabled"]} >= {"stop_loss_present", "high_risk_class"}
    reply = await stored(complete["message_id"])
    assert (reply.status, reply.content, reply.error) == ("complete", STRATEGY_CHAT, "")
    assert (reply.provider, reply.model_id) == ("bedrock", settings.BEDROCK_MODEL_ID)
    assert (reply.input_tokens, reply.output_tokens, reply.latency_ms) == (321, 654, 777)
    assert reply.completed_at is not None
    assert await version_count() == 1
    sent = bedrock.requests[0]
    assert sent.model_id == settings.BEDROCK_MODEL_ID
    assert sent.authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert sent.last_user_text() == SEED_REQUEST


async def test_tags_split_one_character_per_delta_never_reach_the_chat(connect, alice_session, bedrock):
    bedrock.push(Script(text=strategy_reply(1000), chunk_chars=1))
    socket = await connect(session=alice_session)

    await socket.send(seed_frame())
    frames = await socket.receive_until("message_complete")

    assert streamed_text(frames) == frames[-1]["user_message"] == STRATEGY_CHAT
    assert frames[-1]["error"] is None and frames[-1]["strategy_version"] == 1


async def test_a_json_fence_inside_backend_is_accepted(connect, alice_session, bedrock):
    fenced = f"```json\n{json.dumps(strategy_data(), indent=2)}\n```"
    bedrock.push(Script(text=reply_with_backend(fenced, chat="A fenced strategy."), chunk_chars=5))
    socket = await connect(session=alice_session)

    await socket.send(seed_frame())
    frames = await socket.receive_until("message_complete")

    assert streamed_text(frames) == "A fenced strategy."
    complete = frames[-1]
    assert complete["error"] is None and complete["strategy_version"] == 1
    assert complete["strategy_json"]["degen_class"]["selected"] == "High"


async def test_a_429_once_is_retried_and_the_reply_goes_through(
    connect, alice_session, bedrock, instant_retries
):
    bedrock.push(Script(fail_before=429), Script(text=strategy_reply(1000)))
    socket = await connect(session=alice_session)

    await socket.send(seed_frame())
    frames = await socket.receive_until("message_complete")

    assert streamed_text(frames) == STRATEGY_CHAT
    assert frames[-1]["error"] is None and frames[-1]["strategy_version"] == 1
    assert (await stored(frames[-1]["message_id"])).status == "complete"
    assert len(bedrock.requests) == 2


# --- model output the server must not trust ------------------------------------------------------


async def test_a_reply_without_backend_keeps_the_previous_strategy(connect, alice_session, bedrock):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    bedrock.push(Script(text="<user_message>\nHappy to help, tell me more.\n</user_message>"))

    await socket.send(seed_frame(FOLLOW_UP))
    frames = await socket.receive_until("message_complete")

    assert streamed_text(frames) == "Happy to help, tell me more."
    complete = frames[-1]
    assert complete["error"] == NO_STRATEGY
    assert_no_strategy(complete)
    reply = await stored(complete["message_id"])
    assert (reply.status, reply.content, reply.error) == ("complete", "Happy to help, tell me more.", NO_STRATEGY)
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])


async def test_broken_json_in_backend_keeps_the_previous_strategy(connect, alice_session, bedrock):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    broken = '{"account": {"workspace": "Vibe Water Associates",, "section": }'
    bedrock.push(Script(text=reply_with_backend(broken, chat="A safer plan.")))

    await socket.send(seed_frame(FOLLOW_UP))
    frames = await socket.receive_until("message_complete")

    assert streamed_text(frames) == "A safer plan."
    complete = frames[-1]
    assert complete["error"] == BAD_JSON
    assert_no_strategy(complete)
    reply = await stored(complete["message_id"])
    assert reply.content == "A safer plan." and reply.error == BAD_JSON
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])


async def test_a_stream_cut_at_max_tokens_is_interrupted_and_keeps_the_previous_strategy(
    connect, alice_session, bedrock
):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    full = strategy_reply(1000)
    cut = full[: full.index('"flowchart"')]  # the chat part is whole, the backend stops mid-object
    bedrock.push(Script(text=cut, stop_reason="max_tokens"))

    await socket.send(seed_frame(FOLLOW_UP))
    frames = await socket.receive_until("message_complete")

    assert streamed_text(frames) == STRATEGY_CHAT
    complete = frames[-1]
    assert complete["status"] == "interrupted"
    assert "cut off" in complete["error"] and "length" in complete["error"]
    assert_no_strategy(complete)
    reply = await stored(complete["message_id"])
    assert (reply.status, reply.content, reply.error) == ("interrupted", STRATEGY_CHAT, complete["error"])
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])


async def test_a_flowchart_edge_to_a_missing_node_is_rejected_by_name(connect, alice_session, bedrock):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    data = strategy_data()
    data["flowchart"]["edges"].append(["stop_loss", "ghost_exit"])
    bedrock.push(Script(text=reply_with_backend(json.dumps(data), chat="Added an exit.")))

    await socket.send(seed_frame(FOLLOW_UP))
    frames = await socket.receive_until("message_complete")

    assert streamed_text(frames) == "Added an exit."
    complete = frames[-1]
    assert complete["error"].startswith("The proposed strategy was rejected")
    assert "ghost_exit" in complete["error"] and "doesn't exist" in complete["error"]
    assert_no_strategy(complete)
    assert (await stored(complete["message_id"])).error == complete["error"]
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])


async def test_plain_prose_without_tags_is_shown_with_an_error(connect, alice_session, bedrock):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    prose = "Sure! A steadier DeFi plan would buy smaller dips and take profit sooner."
    bedrock.push(Script(text=prose, chunk_chars=6))

    await socket.send(seed_frame(FOLLOW_UP))
    frames = await socket.receive_until("message_complete")

    # Nothing streams (text outside <user_message> is held), the complete frame carries the prose.
    assert streamed_text(frames) == ""
    complete = frames[-1]
    assert complete["user_message"] == prose
    assert complete["error"] == NO_STRATEGY
    assert_no_strategy(complete)
    reply = await stored(complete["message_id"])
    assert (reply.content, reply.error) == (prose, NO_STRATEGY)
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])


# --- Bedrock failures ------------------------------------------------------------------------------


async def test_a_429_on_every_attempt_ends_the_reply_with_a_busy_error(
    connect, alice_session, bedrock, instant_retries
):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    bedrock.push(Script(fail_before=429), Script(fail_before=429), Script(fail_before=429))

    await socket.send(seed_frame(FOLLOW_UP))
    frames = await socket.receive_until("message_complete")

    assert [frame["type"] for frame in frames] == ["message_received", "message_start", "message_complete"]
    complete = frames[-1]
    assert complete["error"] == BUSY and complete["status"] == "error"
    assert complete["user_message"] == ""
    assert_no_strategy(complete)
    reply = await stored(complete["message_id"])
    assert (reply.status, reply.content, reply.error) == ("error", "", BUSY)
    assert reply.input_tokens is None and reply.output_tokens is None
    assert len(bedrock.requests) == 1 + 3
    state = await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])
    assert (state["messages"][-1]["status"], state["messages"][-1]["error"]) == ("error", BUSY)


@pytest.mark.parametrize(
    ("exception", "words"),
    [("throttlingException", "rate limited"), ("modelStreamErrorException", "streaming error")],
)
async def test_an_exception_mid_stream_stores_the_partial_text_with_an_error(
    connect, alice_session, bedrock, exception, words
):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    text = strategy_reply(1000)
    bedrock.push(Script(text=text, chunk_chars=10, fail_after_chars=80, exception=exception))

    await socket.send(seed_frame(FOLLOW_UP))
    frames = await socket.receive_until("message_complete")

    partial = text[len(OPEN) : 80].rstrip()
    assert streamed_text(frames) == partial
    complete = frames[-1]
    assert complete["status"] == "error" and words in complete["error"]
    assert complete["user_message"] == partial
    assert_no_strategy(complete)
    reply = await stored(complete["message_id"])
    assert (reply.status, reply.content, reply.error) == ("error", partial, complete["error"])
    assert len(bedrock.requests) == 2  # errors inside the stream are not retried
    state = await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])
    assert (state["messages"][-1]["content"], state["messages"][-1]["status"]) == (partial, "error")


async def test_a_stall_past_the_read_timeout_ends_with_a_timeout_error(connect, alice_session, bedrock, settings):
    settings.BEDROCK_READ_TIMEOUT = 1
    get_provider.cache_clear()
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    text = strategy_reply(1000)
    bedrock.push(Script(text=text, chunk_chars=10, stall_s=3, stall_after_chars=80))

    started = time.monotonic()
    await socket.send(seed_frame(FOLLOW_UP))
    frames = await socket.receive_until("message_complete")
    elapsed = time.monotonic() - started

    partial = text[len(OPEN) : 80].rstrip()
    assert streamed_text(frames) == partial
    complete = frames[-1]
    assert complete["status"] == "error" and "took too long" in complete["error"]
    assert_no_strategy(complete)
    reply = await stored(complete["message_id"])
    assert (reply.status, reply.content) == ("error", partial)
    assert elapsed < 2.5  # the read timeout ended it, not the end of the stall
    assert await asyncio.to_thread(bedrock.requests[-1].disconnected.wait, 3)
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])


async def test_cancel_mid_stream_hangs_up_on_bedrock_and_stores_the_partial_text(
    connect, alice_session, bedrock
):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    bedrock.push(Script(text=strategy_reply(1000), chunk_chars=4, delay_s=0.05))  # ~30 s if not stopped
    await socket.send(seed_frame(FOLLOW_UP))
    before = await socket.receive_until("content_chunk")

    await socket.send({"type": "cancel"})
    frames = before + await socket.receive_until("message_complete")

    text = streamed_text(frames)
    assert text and STRATEGY_CHAT.startswith(text)
    complete = frames[-1]
    assert complete["status"] == "interrupted" and complete["error"] == replies.STOPPED
    assert complete["user_message"] == text
    assert_no_strategy(complete)
    request = bedrock.requests[-1]
    assert await asyncio.to_thread(request.disconnected.wait, 2)
    assert not request.completed.is_set()
    reply = await stored(complete["message_id"])
    assert (reply.status, reply.content, reply.error) == ("interrupted", text, replies.STOPPED)
    await assert_strategy_1_still_current(connect, alice_session, first["conversation_id"])


# --- what Bedrock is sent ------------------------------------------------------------------------


async def test_a_follow_up_sends_alternating_history_and_the_current_strategy(connect, alice_session, bedrock):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    bedrock.push(Script(text=strategy_reply(1000)))

    await socket.send(seed_frame(FOLLOW_UP))
    await socket.receive_until("message_complete")

    opening, follow_up = bedrock.requests[0].body, bedrock.requests[1].body
    assert opening["system"] == [{"text": base_system_prompt()}]
    assert opening["messages"] == [{"role": "user", "content": [{"text": SEED_REQUEST}]}]
    assert follow_up["messages"] == [
        {"role": "user", "content": [{"text": SEED_REQUEST}]},
        {"role": "assistant", "content": [{"text": f"<user_message>\n{STRATEGY_CHAT}\n</user_message>"}]},
        {"role": "user", "content": [{"text": FOLLOW_UP}]},
    ]
    assert follow_up["system"] == [{"text": system_prompt(first["strategy_json"])}]
    assert "<current_strategy>" in follow_up["system"][0]["text"]
    assert '"stop_loss_present"' in follow_up["system"][0]["text"]  # the server's guardrails, not the model's


async def test_a_reply_that_rewords_the_current_strategy_makes_no_new_version(connect, alice_session, bedrock):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    reworded = strategy_reply(1000).replace(
        "A high-risk DeFi dip-buying strategy with a 7% target and a 5% stop.", "Same plan, said again."
    )
    assert reworded != strategy_reply(1000)
    bedrock.push(Script(text=reworded))

    await socket.send(seed_frame("Is that still the plan?"))
    complete = (await socket.receive_until("message_complete"))[-1]

    assert complete["error"] is None and complete["strategy_version"] == 1
    assert complete["strategy_json"] == first["strategy_json"]
    assert await version_count() == 1


async def test_the_reply_after_an_edit_is_asked_about_the_edited_strategy(connect, alice_session, bedrock):
    socket = await connect(session=alice_session)
    first = await first_good_turn(socket, bedrock)
    change = json.loads(json.dumps(first["strategy_json"]))
    next(n for n in change["flowchart"]["nodes"] if n["type"] == "stop_loss")["meta"]["stop_pct"] = 3.5
    await socket.send({"type": "edit_strategy", "base_version": 1, "strategy_json": change})
    edit = await socket.receive()
    assert (edit["type"], edit["strategy_version"]) == ("strategy_updated", 2)
    bedrock.push(Script(text=strategy_reply(1000)))

    await socket.send(seed_frame(FOLLOW_UP))
    await socket.receive_until("message_complete")

    follow_up = bedrock.requests[1].body
    assert follow_up["system"] == [{"text": system_prompt(edit["strategy_json"])}]
    assert '"stop_pct": 3.5' in follow_up["system"][0]["text"]


async def test_history_after_a_failed_reply_still_alternates(connect, alice_session, bedrock, instant_retries):
    socket = await connect(session=alice_session)
    await first_good_turn(socket, bedrock)
    bedrock.push(Script(fail_before=429), Script(fail_before=429), Script(fail_before=429))
    await socket.send(seed_frame(FOLLOW_UP))
    assert (await socket.receive_until("message_complete"))[-1]["status"] == "error"
    bedrock.push(Script(text=strategy_reply(1000)))

    await socket.send(seed_frame("Lower the stop to 4%"))
    await socket.receive_until("message_complete")

    messages = bedrock.requests[-1].body["messages"]
    roles = [message["role"] for message in messages]
    assert roles == ["user", "assistant", "user"]
    assert messages[-1]["content"][0]["text"] == f"{FOLLOW_UP}\n\nLower the stop to 4%"


# --- many conversations at once --------------------------------------------------------------------


async def test_fifty_sockets_stream_side_by_side(connect, alice_session, bedrock, settings):
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 1000
    settings.CHAT_MAX_SOCKETS_PER_USER = 100
    text = strategy_reply(1000)
    chunk_chars = len(text) // 100 + 1  # ~100 deltas, 20 ms apart: about 2 s a reply
    bedrock.default_script = Script(text=text, chunk_chars=chunk_chars, delay_s=0.02)

    solo = await connect(session=alice_session)
    started = time.monotonic()
    await solo.send(seed_frame())
    single_frames = await solo.receive_until("message_complete")
    single = time.monotonic() - started
    assert single_frames[-1]["error"] is None

    sockets = [await connect(session=alice_session) for _ in range(50)]
    started = time.monotonic()
    await asyncio.gather(*(socket.send(seed_frame()) for socket in sockets))
    results = await asyncio.gather(*(socket.receive_until("message_complete", timeout=30) for socket in sockets))
    together = time.monotonic() - started

    print(
        f"\nBedrock fake via sockets: one reply {single:.2f} s; 50 at once {together:.2f} s "
        f"({together / single:.2f}x one reply; {len(text)} chars, {chunk_chars} chars/delta, 20 ms/delta)"
    )
    completes = [frames[-1] for frames in results]
    assert all(complete["error"] is None and complete["status"] == "complete" for complete in completes)
    assert all(streamed_text(frames) == STRATEGY_CHAT for frames in results)
    assert all(complete["strategy_version"] == 1 for complete in completes)
    assert len({complete["conversation_id"] for complete in completes}) == 50
    assert await sync_to_async(Message.objects.filter(role="assistant", status="complete").count)() == 51
    assert single > 1.5
    assert together < 3 * single




async def frames_waiting(socket: Socket) -> list[dict[str, Any]]:
    """Every frame already sent to the socket, read without a timeout that would kill the app."""
    frames = []
    while not await socket.comm.receive_nothing(timeout=0.2):
        frames.append(await socket.receive())
    return frames


async def test_a_cancel_arriving_as_the_stream_ends_still_stores_the_reply(
    connect, alice_session, bedrock, monkeypatch
):
    real_close = broadcast.ChunkPublisher.close
    closing = asyncio.Event()

    async def slow_close(self: broadcast.ChunkPublisher) -> None:
        closing.set()
        await asyncio.sleep(0.3)  # the last chunk's round trip through a slow (Redis) channel layer
        await real_close(self)

    monkeypatch.setattr(broadcast.ChunkPublisher, "close", slow_close)
    bedrock.push(Script(text=strategy_reply(1000)))
    socket = await connect(session=alice_session)
    await socket.send(seed_frame())
    await asyncio.wait_for(closing.wait(), 5)  # the whole reply has been streamed

    await socket.send({"type": "cancel"})
    await drain_replies()
    frames = await frames_waiting(socket)

    reply = await sync_to_async(Message.objects.get)(role="assistant")
    assert reply.status in ("complete", "interrupted") and reply.content == STRATEGY_CHAT
    assert [frame for frame in frames if frame["type"] == "message_complete"]
