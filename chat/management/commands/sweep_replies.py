"""Store replies left `streaming` by a worker that is gone as interrupted, keeping the text they reached."""

from __future__ import annotations

import asyncio

from django.core.management.base import BaseCommand

from chat.recovery import sweep_all_stale_replies


class Command(BaseCommand):
    help = (
        "Store replies stored as streaming that no live worker streams as interrupted, with the text they "
        "reached. With REDIS_URL set, replies of workers whose lease is alive are left alone; without it, "
        "every streaming reply is stale. A served worker does the same as it starts."
    )

    def handle(self, *args: object, **options: object) -> None:
        """Sweep every conversation at once."""
        swept = asyncio.run(sweep_all_stale_replies())
        self.stdout.write(f"Marked {swept} stale streaming {'reply' if swept == 1 else 'replies'} as interrupted.")
