"""Signed-in sessions seen from open sockets: tell a user's sockets when a session may have ended.

A socket stays open long after the request that signed it in. Each one joins its user's channel-layer
group (`user_group_name`); logging out, a password change, deactivation and deletion send
`session.check` to that group, which reaches the user's sockets on every worker. Each socket then
asks `session_current_key` whether its own session still signs that user in, and closes if not.

Two things make that answer right. A check raised during a request waits for the request's end
(`deferred_session_checks`, run by `accounts.middleware`), when the session is saved: Django sends
`user_logged_out` before it flushes the session and saves a new password before
`update_session_auth_hash` re-signs the changer's session. And a session that changes key (the changer's,
on a password change; any on a new login) leaves a forwarding record, so its socket follows the new key
instead of taking the old key's deletion for a logout.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import hashlib
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.core.cache import cache
from django.db import transaction
from django.utils.crypto import constant_time_compare

logger = logging.getLogger(__name__)

SESSION_CHECK = "session.check"
# A forwarding chain longer than this is not a browser changing keys (each hop is a sign-in or a
# password change); the bound keeps one check's work linear.
MAX_KEY_CHANGES = 8

# user id → digests of the sessions that ended, for checks raised during the current request.
_deferred: contextvars.ContextVar[dict[Any, set[str]] | None] = contextvars.ContextVar(
    "deferred_session_checks", default=None
)
_sending: set[asyncio.Task[None]] = set()


def user_group_name(user_id: Any) -> str:
    """The channel-layer group of every open socket of the user."""
    return f"user.{user_id}"


def session_digest(session_key: str) -> str:
    """A session key as it may travel between workers: its hash, which signs nobody in."""
    return hashlib.sha256(session_key.encode()).hexdigest()


def sessions_check_request(*, user_id: Any, ended_session_key: str | None = None) -> None:
    """Have the user's sockets re-check their sessions, naming a session known to have ended.

    During a request this waits for the request's end; otherwise it goes once the current
    transaction commits (at once outside one).
    """
    ended = {session_digest(ended_session_key)} if ended_session_key else set()
    deferred = _deferred.get()
    if deferred is None:
        transaction.on_commit(functools.partial(user_sockets_notify, user_id=user_id, ended=ended))
    else:
        deferred.setdefault(user_id, set()).update(ended)


@contextmanager
def deferred_session_checks() -> Iterator[None]:
    """Hold the checks raised inside the block and send them when it ends."""
    token = _deferred.set({})
    try:
        yield
    finally:
        deferred = _deferred.get() or {}
        _deferred.reset(token)
        for user_id, ended in deferred.items():
            user_sockets_notify(user_id=user_id, ended=ended)


def user_sockets_notify(*, user_id: Any, ended: Iterable[str] = ()) -> None:
    """Send `session.check` to the user's sockets on every worker; a layer outage is logged, never raised."""
    message = {"type": SESSION_CHECK, "ended": sorted(ended)}
    send = functools.partial(_send, user_group_name(user_id), message)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # the usual case: a request's or a command's thread
        async_to_sync(send)()
        return
    task = loop.create_task(send())  # raised by code running on the event loop itself
    _sending.add(task)
    task.add_done_callback(_sending.discard)


async def _send(group: str, message: dict[str, Any]) -> None:
    try:
        await get_channel_layer().group_send(group, message)
    except Exception:  # the sessions changed all the same; the sockets' next check sees it
        logger.warning("could not ask the sockets of %s to re-check their sessions", group, exc_info=True)


def session_key_change_record(*, old_key: str, new_key: str) -> None:
    """Remember that the session `old_key` now lives under `new_key`, for the sockets opened with it."""
    cache.set(_forward_cache_key(old_key), new_key, timeout=settings.SESSION_COOKIE_AGE)


def session_current_key(*, session_key: str, user_id: Any, ended: Iterable[str] = ()) -> str | None:
    """The key under which `session_key` still signs the user in (it may have changed), or None if it ended."""
    if session_digest(session_key) in set(ended):
        return None
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    for _ in range(MAX_KEY_CHANGES):
        data = store_class(session_key).load()
        if data:
            return session_key if _signs_in(data, user_id) else None
        session_key = cache.get(_forward_cache_key(session_key))
        if session_key is None:
            return None
    return None


def _signs_in(data: dict[str, Any], user_id: Any) -> bool:
    """Whether session data signs in the user, as `django.contrib.auth.get_user` decides it."""
    backend_path = data.get(BACKEND_SESSION_KEY)
    if str(data.get(SESSION_KEY)) != str(user_id) or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return False
    user = load_backend(backend_path).get_user(user_id)  # None once deleted or deactivated
    # Hashes made with a SECRET_KEY_FALLBACKS key are not accepted here: Django would re-sign such a
    # session on the browser's next request, which a socket cannot do.
    return user is not None and constant_time_compare(data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash())


def _forward_cache_key(session_key: str) -> str:
    return f"accounts.session-moved.{session_digest(session_key)}"
