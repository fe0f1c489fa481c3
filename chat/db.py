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

class LazyPool:
    """A thread pool made on first call, sized by a setting read then (not at import, so tests can set it)."""

    def __init__(self, *, size_setting: str, name: str) -> None:
        self._size_setting, self._name = size_setting, name
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def __call__(self) -> ThreadPoolExecutor:
        """The pool, created the first time it is asked for."""
        with self._lock:
            if self._pool is None:
                size = getattr(settings, self._size_setting)
                self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix=self._name)
            return self._pool


#: The process's database thread pool (`CHAT_DB_THREADS` threads).
db_executor = LazyPool(size_setting="CHAT_DB_THREADS", name="chat-db")


def db_call(function: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`function` as a coroutine function that runs on the database pool."""

    def in_pool(*args: P.args, **kwargs: P.kwargs) -> R:
        close_old_connections()
        try:
            return function(*args, **kwargs)
        finally:
            close_old_connections()

    return sync_to_async(in_pool, thread_sensitive=False, executor=db_executor())
