"""Replies a dead worker left streaming: swept when a served worker starts, and while it runs.

Without Redis there is one worker process, so at its start every reply stored as streaming was left
by the process before it, and is stored as interrupted with the text its last checkpoint kept. With
Redis, the start-up sweep takes only replies whose worker's lease is gone, and every worker then keeps
sweeping for workers that die (`RedisLiveReplies.sweep_forever`). Sockets joining a conversation and
the `sweep_replies` command take the same path: `interrupt_orphans`.
"""

from __future__ import annotations

import asyncio
import logging

from chat.broadcast import publish
from chat.db import db_call
from chat.frames import MessageComplete
from chat.live import live_replies
from chat.live_types import Orphan
from chat.models import Conversation, Message
from chat.selectors import streaming_reply_ids
from chat.services import REPLY_INTERRUPTED, replies_mark_interrupted

logger = logging.getLogger(__name__)

_running: set[asyncio.Task[None]] = set()


async def interrupt_orphans(orphans: list[Orphan]) -> int:
    """Store replies whose worker died as interrupted, with the text they reached, and end them on every socket.

    Returns how many this call stored: a reply another sweeper stored first is neither stored nor announced again.
    """
    stored = await db_call(replies_mark_interrupted)(texts={orphan.message_id: orphan.text for orphan in orphans})
    for orphan in orphans:
        await live_replies.finish(orphan.message_id)
    for reply in stored:
        frame = MessageComplete(
            message_id=reply.message_id,
            conversation_id=reply.conversation_id,
            user_message=reply.content,
            strategy_json=None,
            strategy_version=reply.strategy_version,
            status=Message.Status.INTERRUPTED,
            error=REPLY_INTERRUPTED,
            provider=reply.provider,
            model_id=reply.model_id,
        )
        await publish(reply.conversation_id, frame)
    return len(stored)


async def _adopt_orphans(conversation: Conversation | None) -> list[Orphan]:
    """Take over the replies stored as streaming (the conversation's, or all) that no live worker streams."""
    stored = await db_call(streaming_reply_ids)(conversation=conversation)
    return await live_replies.adopt_orphans(stored) if stored else []


async def sweep_stale_replies(conversation: Conversation) -> bool:
    """Store the conversation's replies that no live worker streams as interrupted; True if there were any."""
    orphans = await _adopt_orphans(conversation)
    if orphans:
        await interrupt_orphans(orphans)
    return bool(orphans)


async def sweep_all_stale_replies() -> int:
    """Store every reply that no live worker streams as interrupted, with the text it kept; how many."""
    orphans = await _adopt_orphans(None)
    return await interrupt_orphans(orphans) if orphans else 0


async def recover() -> None:
    """Sweep what dead workers left streaming, then go on storing the replies of workers that die."""
    try:
        swept = await sweep_all_stale_replies()
    except Exception:  # serving matters more; sockets joining sweep their conversation anyway
        logger.exception("could not sweep stale replies at start")
    else:
        if swept:
            logger.info("stored %s reply(s) a dead worker left streaming as interrupted", swept)
    await live_replies.sweep_forever(interrupt_orphans)


def start_recovery() -> None:
    """Run `recover` on this thread's event loop (a served worker's, as it starts serving)."""
    task = asyncio.get_event_loop().create_task(recover())
    _running.add(task)
    task.add_done_callback(_running.discard)
