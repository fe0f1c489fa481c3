"""Database calls from async code, on a dedicated bounded thread pool.

channels' `database_sync_to_async` runs every call on asgiref's single thread-sensitive thread, so one
socket's slow query (or a burst of handshakes) queues every other trader's message behind it. `db_call`
runs the function on this module's own pool instead, sized by `CHAT_DB_THREADS`, and like channels
closes stale or broken connections before and after the call. Each pool thread keeps its own
connection (Django connections are thread-local), reused for `CONN_MAX_AGE`.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

P = ParamSpec("P")
R = TypeVar("R")

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def db_executor() -> ThreadPoolExecutor:
    """The process's database thread pool, created on first use with `CHAT_DB_THREADS` threads."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=settings.CHAT_DB_THREADS, thread_name_prefix="chat-db")
        return _executor


def db_call(function: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`function` as a coroutine function that runs on the database pool."""

    def in_pool(*args: P.args, **kwargs: P.kwargs) -> R:
        close_old_connections()
        try:
            return function(*args, **kwargs)
        finally:
            close_old_connections()

    return sync_to_async(in_pool, thread_sensitive=False, executor=db_executor())
