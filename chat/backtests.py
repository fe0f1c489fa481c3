"""Run Backtest from the socket: accept the request, run the engine off the event loop, tell every socket.

`handle_run_backtest` refuses what cannot run (no strategy, rules the engine cannot execute, a violated
guardrail, no candles, bad parameters, over `BACKTEST_RATE_LIMIT_PER_MINUTE`, a run of the conversation
already going) with an `error` frame to the asking socket. An accepted run goes on as a task of its own:
`backtest_started`, `backtest_progress` for a run past `BACKTEST_PROGRESS_AFTER_SECONDS` (at most one per
`PROGRESS_STEP_PCT`), then the stored run as `backtest_result` and a short note in the chat — or an
`error` frame — to every socket on the conversation. The engine is CPU-bound: it runs on this module's
own threads, `BACKTEST_CONCURRENCY` per worker, never on the database pool the chat's reads wait on.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache

from chat.broadcast import publish
from chat.db import LazyPool, db_call
from chat.errors import ChatError, NoStrategy
from chat.frames import BacktestParams, BacktestProgress, BacktestResult, BacktestStarted, ErrorFrame
from chat.models import Conversation, Message
from chat.notes import note_create, note_frame
from chat.ratelimit import allowance
from chat.selectors import current_version
from strategies.backtest.engine import EngineResult, run_backtest
from strategies.backtest.results import BacktestReport
from strategies.runs import (
    BacktestJob,
    BacktestRefused,
    backtest_prepare,
    backtest_report,
    backtest_run_create,
    backtest_summary,
)

logger = logging.getLogger(__name__)

NO_STRATEGY = "There is no strategy to backtest yet. Ask for one first."
ALREADY_RUNNING = "A backtest of this strategy is already running. Its result will appear here."
FAILED = "The backtest could not be completed. Please try again."
#: Progress frames are at least this many percentage points apart.
PROGRESS_STEP_PCT = 10.0
#: How long a conversation counts as running a backtest if its worker dies mid-run (a run takes well under
#: a second of CPU; this leaves room for a queue of them on a busy worker).
RUNNING_LOCK_SECONDS = 120

_tasks: set[asyncio.Task[None]] = set()
#: The worker's backtest threads (`BACKTEST_CONCURRENCY`), apart from the database pool.
engine_executor = LazyPool(size_setting="BACKTEST_CONCURRENCY", name="backtest")


def _running_key(conversation_id: Any) -> str:
    return f"chat:backtest-running:{conversation_id}"


def _accept(*, user: AbstractBaseUser, conversation: Conversation, params: BacktestParams) -> BacktestJob:
    """Mark the conversation as running a backtest, count it for the trader and prepare it; release both if refused."""
    version = current_version(conversation=conversation)
    if version is None:
        raise NoStrategy(NO_STRATEGY)
    key = _running_key(conversation.id)
    # cache.add is atomic (Redis SET NX across workers): one run at a time per conversation.
    if not cache.add(key, True, timeout=RUNNING_LOCK_SECONDS):
        raise ChatError(ALREADY_RUNNING, code="backtest_in_progress")
    limit = settings.BACKTEST_RATE_LIMIT_PER_MINUTE
    try:
        with allowance(
            scope="backtests", user_id=user.pk, limit=limit,
            refusal=f"You can run {limit} backtests a minute. Please wait a moment.",
        ):
            return backtest_prepare(version=version, max_bars=settings.BACKTEST_MAX_BARS, **params.model_dump())
    except BacktestRefused as refused:
        cache.delete(key)
        raise ChatError(str(refused), code=refused.code) from None
    except BaseException:
        cache.delete(key)
        raise


def _store(
    *, job: BacktestJob, result: EngineResult, user: AbstractBaseUser, conversation: Conversation
) -> tuple[BacktestReport, Message]:
    """Store the run and its note in the chat; the run's report and the note."""
    report = backtest_report(backtest_run_create(job=job, result=result, requested_by=user))
    return report, note_create(conversation=conversation, content=backtest_summary(report))


async def handle_run_backtest(
    *, user: AbstractBaseUser, conversation: Conversation | None, params: BacktestParams | None
) -> None:
    """Accept a Run Backtest of the conversation's current version and start it; ChatError when it cannot run."""
    if conversation is None:
        raise NoStrategy(NO_STRATEGY)
    job = await db_call(_accept)(user=user, conversation=conversation, params=params or BacktestParams())
    # From here on the run is the task's, so the conversation is released however it ends.
    task = asyncio.create_task(_run(job, user=user, conversation=conversation))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _run(job: BacktestJob, *, user: AbstractBaseUser, conversation: Conversation) -> None:
    """Announce the run, run the engine on its threads, store it and tell every socket; a failure is an `error`."""
    conversation_id = str(conversation.id)
    # The conversation is released only once the outcome is published: released earlier, a click while the
    # builder still shows the run going would start a second one.
    try:
        try:
            report, note = await _engine_and_store(job, user=user, conversation=conversation)
        except Exception:
            logger.exception("backtest %s of conversation %s failed", job.run_id, conversation_id)
            await publish(conversation_id, ErrorFrame(code="backtest_failed", message=FAILED))
            return
        await publish(conversation_id, BacktestResult(**dict(report)))
        await publish(conversation_id, note_frame(note, strategy_version=job.version.number))
    finally:
        await db_call(cache.delete)(_running_key(conversation_id))


async def _engine_and_store(
    job: BacktestJob, *, user: AbstractBaseUser, conversation: Conversation
) -> tuple[BacktestReport, Message]:
    """Announce the run, run the engine on its threads with progress frames, and store the run and its note."""
    conversation_id = str(conversation.id)
    await publish(conversation_id, BacktestStarted(backtest_id=str(job.run_id), strategy_version=job.version.number))
    progress = _ProgressPublisher(conversation_id=conversation_id, backtest_id=str(job.run_id))
    try:
        engine = functools.partial(
            run_backtest, job.plan, job.candles, fee_pct=job.fee_pct, on_progress=progress.report
        )
        result = await asyncio.get_running_loop().run_in_executor(engine_executor(), engine)
    finally:
        await progress.close()
    return await db_call(_store)(job=job, result=result, user=user, conversation=conversation)


class _ProgressPublisher:
    """Carries the engine thread's progress to the event loop as `backtest_progress` frames, in order.

    Nothing is sent before `BACKTEST_PROGRESS_AFTER_SECONDS`; after that, a frame each time the run has
    gone `PROGRESS_STEP_PCT` further than the last one sent.
    """

    def __init__(self, *, conversation_id: str, backtest_id: str) -> None:
        self._conversation_id = conversation_id
        self._backtest_id = backtest_id
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[float | None] = asyncio.Queue()
        self._quiet_until = time.monotonic() + settings.BACKTEST_PROGRESS_AFTER_SECONDS
        self._last_sent = 0.0
        self._task = asyncio.create_task(self._publish_loop())

    def report(self, pct: float) -> None:
        """Called on the engine's thread with how far the run has got (0–100)."""
        if time.monotonic() < self._quiet_until or pct < self._last_sent + PROGRESS_STEP_PCT:
            return
        self._last_sent = pct
        self._loop.call_soon_threadsafe(self._queue.put_nowait, pct)

    async def close(self) -> None:
        """Send what is queued, then stop: the result is never overtaken by a progress frame."""
        # The engine has returned, so every progress it reported is already queued ahead of this.
        self._queue.put_nowait(None)
        await self._task

    async def _publish_loop(self) -> None:
        while (pct := await self._queue.get()) is not None:
            await publish(self._conversation_id, BacktestProgress(backtest_id=self._backtest_id, pct=round(pct, 1)))


async def drain(*, timeout: float) -> None:
    """Wait up to `timeout` seconds for every backtest this process is running to finish and be stored."""
    pending = list(_tasks)
    if pending:
        await asyncio.wait_for(asyncio.gather(*pending, return_exceptions=True), timeout)
