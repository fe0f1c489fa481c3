"""Version numbers under real concurrency: edits and replies storing versions of one conversation from
threads with their own database connections. On SQLite here; tests/scale/test_concurrent_versions_postgres.py
runs this module again on PostgreSQL, whose row locks let the writers truly overlap."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from django.db import connection

from chat.models import Conversation, Message
from chat.providers.base import StreamOutcome
from chat.services import reply_finish
from strategies.models import StrategyVersion
from strategies.services import strategy_version_edit
from strategies.validation import validate_strategy
from strategies.versions import VersionConflict
from tests.strategies import conversation_of, node, seed_strategy

pytestmark = pytest.mark.django_db(transaction=True)

T = TypeVar("T")
WRITERS = 6
EDITS_PER_WRITER = 3
MAX_TRIES = 200  # an edit that loses a race reads the new current version and tries again


def variant(*, stop_pct: float = 5.0, target_pct: float = 7.0) -> dict[str, Any]:
    """The seed strategy with its stop and target moved, validated as it would be stored."""
    data = seed_strategy()
    node(data, "stop_loss")["meta"]["stop_pct"] = stop_pct
    node(data, "profit_target")["meta"]["target_pct"] = target_pct
    return validate_strategy(data, stated_capital_usd=None).model_dump(mode="json")


def run_together(jobs: list[Callable[[], T]]) -> list[T | Exception]:
    """Run the jobs on threads of their own, released at once; each one's result or exception."""
    start = threading.Barrier(len(jobs))

    def run(job: Callable[[], T]) -> T | Exception:
        start.wait()
        try:
            return job()
        except Exception as error:  # the caller counts the refusals
            return error
        finally:
            connection.close()  # each thread's own connection

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))


def current_number(conversation: Conversation) -> int:
    """The number of the conversation's current version, read fresh."""
    return StrategyVersion.objects.filter(strategy__conversation=conversation).order_by("-number")[0].number


def test_racing_edits_of_one_version_let_exactly_one_through(alice: Any) -> None:
    conversation = conversation_of(alice, "Race")
    edits = [variant(stop_pct=1.5 + n) for n in range(WRITERS)]  # none is the seed's 5 %

    results = run_together(
        [lambda data=data: strategy_version_edit(conversation=conversation, base_version=1, data=data)
         for data in edits]
    )

    stored = [result for result in results if isinstance(result, StrategyVersion)]
    refused = [result for result in results if isinstance(result, VersionConflict)]
    assert len(stored) == 1 and len(refused) == WRITERS - 1, results
    assert stored[0].number == 2 and all(conflict.current == 2 for conflict in refused)
    numbers = StrategyVersion.objects.filter(strategy__conversation=conversation).values_list("number", flat=True)
    assert list(numbers) == [1, 2]


def test_version_numbers_stay_unique_and_gapless_under_concurrent_edits_and_replies(alice: Any) -> None:
    conversation = conversation_of(alice, "Busy")
    replies = [
        Message.objects.create(conversation=conversation, role="assistant", status="streaming", id=uuid.uuid4())
        for _ in range(WRITERS)
    ]

    def edit_again_and_again(writer: int) -> int:
        tries = 0
        for n in range(EDITS_PER_WRITER):
            data = variant(stop_pct=10 + writer * EDITS_PER_WRITER + n)
            while True:
                tries += 1
                assert tries <= MAX_TRIES
                try:
                    base = current_number(conversation)
                    strategy_version_edit(conversation=conversation, base_version=base, data=data)
                    break
                except VersionConflict:
                    continue
        return tries

    def finish(reply: Message, writer: int) -> StrategyVersion | None:
        strategy = validate_strategy(variant(target_pct=20 + writer), stated_capital_usd=None)
        return reply_finish(
            conversation=conversation, reply_id=reply.id, content="Here it is.", status="complete", error=None,
            outcome=StreamOutcome(), strategy=strategy,
        )

    results = run_together(
        [lambda writer=writer: edit_again_and_again(writer) for writer in range(WRITERS)]
        + [lambda reply=reply, writer=writer: finish(reply, writer) for writer, reply in enumerate(replies)]
    )

    assert not [result for result in results if isinstance(result, Exception)], results
    versions = StrategyVersion.objects.filter(strategy__conversation=conversation).order_by("number")
    expected = 1 + WRITERS * EDITS_PER_WRITER + WRITERS
    assert list(versions.values_list("number", flat=True)) == list(range(1, expected + 1))
    assert sorted(versions.values_list("source", flat=True)) == sorted(
        ["reply"] * (1 + WRITERS) + ["edit"] * (WRITERS * EDITS_PER_WRITER)
    )
    conversation.strategy.refresh_from_db()
    assert conversation.strategy.current_version.number == expected
