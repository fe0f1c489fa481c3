"""Mark replies left `streaming` by a worker that is gone as interrupted; run before a worker starts."""

from __future__ import annotations

import asyncio

from django.core.management.base import BaseCommand

from chat.live import live_replies
from chat.models import Message
from chat.services import replies_mark_interrupted


async def _dead(reply_ids: list[str]) -> list[str]:
    return [reply_id for reply_id in reply_ids if not await live_replies.is_live(reply_id)]


class Command(BaseCommand):
    help = (
        "Mark replies stored as streaming that no live worker streams as interrupted. With REDIS_URL set, "
        "replies other workers are still streaming are left alone; without it, every streaming reply is stale."
    )

    def handle(self, *args: object, **options: object) -> None:
        """Sweep every conversation at once."""
        stored = [str(pk) for pk in Message.objects.filter(status=Message.Status.STREAMING).values_list("pk", flat=True)]
        swept = replies_mark_interrupted(reply_ids=asyncio.run(_dead(stored))) if stored else 0
        self.stdout.write(f"Marked {swept} stale streaming {'reply' if swept == 1 else 'replies'} as interrupted.")
