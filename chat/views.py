"""JSON endpoints of the chat: the trader's conversations, a conversation's older messages page by page,
and restoring a strategy version, which every socket on the conversation is told and the chat notes."""

import uuid
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.views.decorators.http import require_GET, require_POST

from chat.broadcast import publish
from chat.errors import ReplyInProgress
from chat.frames import StrategyUpdated
from chat.models import Conversation, Message
from chat.notes import note_frame
from chat.selectors import PAGE_KEYS_BYTES, PAGE_MESSAGES, conversation_for_user, message_in, message_page
from chat.services import strategy_restore
from chat.wire import json_text
from strategies.selectors import strategy_for_owner
from strategies.validation import InvalidStrategy
from strategies.versions import NoChange

BAD_LIMIT = f"limit must be a whole number from 1 to {PAGE_MESSAGES}."
BAD_BEFORE = "before must be the id of a message of this conversation."
RESTORE_WHILE_STREAMING = "A reply is still being written. Wait for it (or stop it), then restore the version."


@require_GET
@login_required
def conversation_list(request: HttpRequest) -> JsonResponse:
    """The trader's conversations, newest first; archived ones only with `?archived=1`, marked as such."""
    conversations = Conversation.objects.filter(owner=request.user)
    if request.GET.get("archived") != "1":
        conversations = conversations.filter(strategy__archived_at__isnull=True)
    rows = conversations.values("id", "title", "updated_at", "strategy__archived_at")[:200]
    return JsonResponse({"conversations": [_conversation_row(row) for row in rows]})


@require_GET
@login_required
def message_list(request: HttpRequest, conversation_id: uuid.UUID) -> HttpResponse:
    """The conversation's newest messages older than `?before=<message id>`, as `conversation_state` pages them."""
    conversation = conversation_for_user(user=request.user, conversation_id=conversation_id)
    if conversation is None:
        return _json({"error": "No such conversation."}, status=404)
    try:
        before, limit = _page_query(request.GET, conversation)
    except ValueError as error:
        return _json({"error": str(error)}, status=400)
    max_bytes = settings.CHAT_MAX_SERVER_FRAME_BYTES - PAGE_KEYS_BYTES
    return _json(message_page(conversation=conversation, before=before, limit=limit, max_bytes=max_bytes).model_dump())


@require_POST
@login_required
def version_restore(request: HttpRequest, conversation_id: uuid.UUID, number: int) -> HttpResponse:
    """Make an earlier strategy version current again, note it in the chat and tell every socket on the conversation.

    `409` with `{"error": sentence}` while a reply streams, or when that version trades the same as the current one;
    `422` when that version no longer passes today's schema.
    """
    strategy = strategy_for_owner(owner=request.user, conversation_id=conversation_id)
    if strategy is None or not strategy.versions.filter(number=number).exists():
        raise Http404("No such version.")
    try:
        version, note = strategy_restore(conversation=strategy.conversation, strategy=strategy, number=number)
    except ReplyInProgress:
        return _json({"error": RESTORE_WHILE_STREAMING}, status=409)
    except NoChange as unchanged:
        sentence = f"v{number} is the same strategy as the current v{unchanged.current}, so nothing was restored."
        return _json({"error": sentence}, status=409)
    except InvalidStrategy as invalid:
        return _json({"error": f"v{number} can no longer be restored: {invalid}"}, status=422)
    frame = StrategyUpdated(
        strategy_json=version.data,
        strategy_version=version.number,
        conversation_id=str(conversation_id),
        source=version.source,
        restored_from=version.restored_from,
    )
    async_to_sync(publish)(conversation_id, frame)
    async_to_sync(publish)(conversation_id, note_frame(note, strategy_version=version.number))
    return JsonResponse(frame.model_dump(exclude={"conversation_id"}))


def _conversation_row(row: dict[str, Any]) -> dict[str, Any]:
    """One conversation of the list, as JSON."""
    archived_at = row["strategy__archived_at"]
    return {
        "id": str(row["id"]),
        "title": row["title"],
        "updated_at": row["updated_at"].isoformat(),
        "archived_at": archived_at.isoformat() if archived_at else None,
    }


def _page_query(query: QueryDict, conversation: Conversation) -> tuple[Message | None, int]:
    """The `before` message and the `limit` a query asks for; ValueError with a sentence when either is wrong."""
    try:
        limit = int(query.get("limit", PAGE_MESSAGES))
    except ValueError:
        raise ValueError(BAD_LIMIT) from None
    if not 1 <= limit <= PAGE_MESSAGES:
        raise ValueError(BAD_LIMIT)
    if "before" not in query:
        return None, limit
    try:
        before = message_in(conversation=conversation, message_id=uuid.UUID(query["before"]))
    except ValueError:
        raise ValueError(BAD_BEFORE) from None
    if before is None:
        raise ValueError(BAD_BEFORE)
    return before, limit


def _json(body: dict[str, Any], status: int = 200) -> HttpResponse:
    """A JSON response in UTF-8, with the same encoding as the socket's frames."""
    return HttpResponse(json_text(body), status=status, content_type="application/json")
