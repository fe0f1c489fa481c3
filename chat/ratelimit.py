"""Requests per trader per minute (messages, strategy imports, backtests, builder edits), counted atomically
in Django's cache: Redis when workers share one, else this process's memory (then there is only one process).

A sliding-window counter per scope ("messages", "imports", "backtests", "edits"): the current minute's count
plus the previous minute's, weighted by how much of it still lies within the last 60 s. Every request takes
its place with one atomic increment, so traders sending from many sockets and workers at once can never get
more through than the limit.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache

from chat.errors import RateLimited

WINDOW_SECONDS = 60


def _key(scope: str, user_id: object, window: int) -> str:
    return f"chat:{scope}:{user_id}:{window}"


def allowance_take(*, scope: str, user_id: object, limit: int, now: float | None = None) -> str | None:
    """Count one request of `scope` for the trader and return its counter (to give it back with), or None when over."""
    now = time.time() if now is None else now
    window, into = divmod(now, WINDOW_SECONDS)
    current = _key(scope, user_id, int(window))
    cache.add(current, 0, timeout=3 * WINDOW_SECONDS)
    taken = cache.incr(current)
    previous = cache.get(_key(scope, user_id, int(window) - 1), 0)
    if taken + previous * (1 - into / WINDOW_SECONDS) > limit:
        cache.decr(current)
        return None
    return current


def allowance_return(counter: str) -> None:
    """Give back the place a request took when it was refused for another reason (a reply in progress)."""
    try:
        cache.decr(counter)
    except ValueError:  # the counter expired meanwhile
        pass


@contextmanager
def allowance(*, scope: str, user_id: object, limit: int, refusal: str) -> Iterator[None]:
    """Count one request of `scope` while the block stores it; raise RateLimited(`refusal`) when over the limit.

    If the block raises (the request was refused for another reason), the request is not counted.
    """
    counter = allowance_take(scope=scope, user_id=user_id, limit=limit)
    if counter is None:
        raise RateLimited(refusal)
    try:
        yield
    except BaseException:
        allowance_return(counter)
        raise
