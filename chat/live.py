"""Replies still streaming: their text so far, for resuming sockets, and their tasks, for cancelling.

`live_replies` is the store the settings pick, behind the `chat.live_types.LiveReplies` interface the
reply pipeline uses: `chat.live_redis.RedisLiveReplies`, shared by several workers, when `REDIS_URL` is
set, else `chat.live_local.LocalLiveReplies`, for one process with the in-memory channel layer. The
stores know the interface, never each other or this module.
"""

from __future__ import annotations

from django.conf import settings

from chat.live_local import LocalLiveReplies
from chat.live_redis import RedisLiveReplies
from chat.live_types import LiveReplies


def live_replies_from_settings() -> LiveReplies:
    """The registry for this deployment: shared through Redis when `REDIS_URL` is set, else in-process."""
    if settings.REDIS_URL:
        return RedisLiveReplies(
            url=settings.REDIS_URL, ttl=settings.CHAT_LIVE_REPLY_TTL, options=settings.REDIS_CLIENT_OPTIONS
        )
    return LocalLiveReplies()


live_replies = live_replies_from_settings()
