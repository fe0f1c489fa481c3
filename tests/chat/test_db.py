"""chat.db: database calls run on the chat's own bounded pool, not asgiref's shared thread."""

from __future__ import annotations

import asyncio
import threading

import pytest
from django.contrib.auth import get_user_model

from chat.db import db_call

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_runs_on_the_pool_and_returns_the_result() -> None:
    def where(value: int) -> tuple[str, int]:
        return threading.current_thread().name, value * 2

    name, doubled = await db_call(where)(21)
    assert name.startswith("chat-db") and doubled == 42


async def test_the_pool_is_bounded_by_the_setting(settings: object) -> None:
    threads: int = settings.CHAT_DB_THREADS  # type: ignore[attr-defined]
    # Each call waits until `threads` calls run at once, so a pool with fewer threads breaks the barrier
    # and one with more would start extra threads for the calls still queued.
    together = threading.Barrier(threads, timeout=30)

    def wait_for_the_others() -> str:
        together.wait()
        return threading.current_thread().name

    names = await asyncio.gather(*(db_call(wait_for_the_others)() for _ in range(threads * 3)))
    assert len(set(names)) == threads


async def test_errors_reach_the_caller() -> None:
    def fail() -> None:
        raise LookupError("nope")

    with pytest.raises(LookupError, match="nope"):
        await db_call(fail)()


async def test_queries_work_and_see_committed_rows() -> None:
    await db_call(get_user_model().objects.create)(username="carol")
    assert await db_call(get_user_model().objects.filter(username="carol").count)() == 1
