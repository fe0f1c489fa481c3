"""chat.frames' server frames on the wire, and the schemas the frontend's types are generated from."""

from __future__ import annotations

import typing

import pytest

from chat.frames import (
    ContentChunk,
    ConversationState,
    ErrorFrame,
    MessageComplete,
    MessageEntry,
    MessageReceived,
    MessageStart,
    MessageStatus,
    ServerFrame,
    StrategyProgress,
    StrategyUpdated,
    VersionSource,
)
from chat.live_types import InProgress, StrategySoFar
from chat.models import Message
from strategies.models import StrategyVersion
from chat.protocol_schema import GENERATED, SCHEMAS, schema_text
from chat.wire import encode_frame

ENTRY = MessageEntry(
    id="m1", role="assistant", content="Hi", status="error", error="Boom.", provider=None,
    created_at="2026-01-01T00:00:00+00:00", strategy_version=None,
)


@pytest.mark.parametrize(
    ("frame", "wire"),
    [
        (
            MessageReceived(
                message_id="m1", conversation_id="c1", content="Hi", created_at="2026-01-01T00:00:00+00:00"
            ),
            '{"type":"message_received","message_id":"m1","conversation_id":"c1","content":"Hi",'
            '"created_at":"2026-01-01T00:00:00+00:00"}',
        ),
        (
            MessageStart(message_id="m2", conversation_id="c1"),
            '{"type":"message_start","message_id":"m2","conversation_id":"c1"}',
        ),
        (
            ContentChunk(message_id="m2", chunk="Hel", seq=1),
            '{"type":"content_chunk","message_id":"m2","chunk":"Hel","seq":1}',
        ),
        (
            StrategyProgress(message_id="m2", seq=1, nodes=[{"id": "s", "type": "start"}], edges=[("s", "e")]),
            '{"type":"strategy_progress","message_id":"m2","seq":1,"nodes":[{"id":"s","type":"start"}],'
            '"edges":[["s","e"]]}',
        ),
        (
            StrategyProgress(
                message_id="m2", seq=2, nodes=[], edges=[], degen_class={"options": ["Low"], "selected": "Low"}
            ),
            '{"type":"strategy_progress","message_id":"m2","seq":2,"nodes":[],"edges":[],'
            '"degen_class":{"options":["Low"],"selected":"Low"}}',
        ),
        (
            MessageComplete(
                message_id="m2", conversation_id="c1", user_message="Hello.", strategy_json=None,
                strategy_version=None, status="complete", error=None, provider="offline", model_id="offline",
            ),
            '{"type":"message_complete","message_id":"m2","conversation_id":"c1","user_message":"Hello.",'
            '"strategy_json":null,"strategy_version":null,"status":"complete","error":null,"provider":"offline",'
            '"model_id":"offline"}',
        ),
        (
            ConversationState(
                conversation_id="c1", title="", strategy_json={"degen_class": {"selected": "Low"}},
                strategy_version=2, in_progress=InProgress("m3", "So", 4, StrategySoFar(2, [{"id": "s", "type": "start"}])),
                messages=[ENTRY], has_more=False,
                before="m1", latest_backtest=None,
            ),
            '{"type":"conversation_state","conversation_id":"c1","title":"",'
            '"strategy_json":{"degen_class":{"selected":"Low"}},"strategy_version":2,'
            '"in_progress":{"message_id":"m3","text":"So","seq":4,"strategy":{"seq":2,'
            '"nodes":[{"id":"s","type":"start"}],"edges":[],"degen_class":null,"strategy_metrics":null}},"messages":[{"id":"m1","role":"assistant",'
            '"content":"Hi","status":"error","error":"Boom.","provider":null,'
            '"created_at":"2026-01-01T00:00:00+00:00","strategy_version":null}],"has_more":false,"before":"m1","latest_backtest":null}',
        ),
        (
            StrategyUpdated(strategy_json={}, strategy_version=3, conversation_id="c1", source="restore", restored_from=1),
            '{"type":"strategy_updated","strategy_json":{},"strategy_version":3,"conversation_id":"c1",'
            '"source":"restore","restored_from":1}',
        ),
        (
            ErrorFrame(code="empty_content", message="The message is empty."),
            '{"type":"error","code":"empty_content","message":"The message is empty."}',
        ),
    ],
    ids=lambda value: value.type if hasattr(value, "type") else "",
)
def test_each_server_frame_goes_out_with_the_keys_order_and_nulls_the_frontend_reads(frame: ServerFrame, wire: str):
    assert encode_frame(frame) == wire


def test_a_message_entry_carries_truncated_only_when_it_was_shortened():
    assert "truncated" not in ENTRY.model_dump()
    assert ENTRY.model_copy(update={"truncated": True}).model_dump()["truncated"] is True


def test_a_server_frame_with_a_misspelt_field_is_refused_where_it_is_built():
    with pytest.raises(ValueError, match="mesage_id"):
        MessageStart(mesage_id="m1", conversation_id="c1")


def test_the_frames_statuses_are_the_stored_messages_statuses():
    assert set(typing.get_args(MessageStatus)) == set(Message.Status.values)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_the_committed_schema_is_what_the_models_give_now(name: str):
    committed = (GENERATED / name).read_text(encoding="utf-8")

    assert committed == schema_text(name), f"{name} is stale: run `npm run types` in frontend/ and commit the result"


def test_the_frames_version_sources_are_the_stored_versions_sources():
    assert set(typing.get_args(VersionSource)) == set(StrategyVersion.Source.values)
