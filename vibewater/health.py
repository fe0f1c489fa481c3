"""`GET /healthz`: whether this worker reaches its database and its channel layer, for load balancers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from chat.db import db_call

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3.0


def _query_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


async def _reach_channel_layer() -> None:
    # A publish to a group nobody joins: it proves the layer's connection without touching any socket.
    await get_channel_layer().group_send("healthz", {"type": "healthz"})


async def _status(name: str, check: Callable[[], Awaitable[None]]) -> str:
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except Exception:
        logger.warning("health check of the %s failed", name, exc_info=True)
        return "error"
    return "ok"


@require_GET
async def healthz(request: HttpRequest) -> JsonResponse:
    """200 with {"database": "ok", "channel_layer": "ok"} when both answer, else 503 naming what failed."""
    checks = {
        "database": await _status("database", db_call(_query_database)),
        "channel_layer": await _status("channel layer", _reach_channel_layer),
    }
    healthy = all(status == "ok" for status in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)
