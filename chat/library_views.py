"""JSON endpoints that start or name a trader's strategies: import a file, duplicate a version, rename.

Each answers `{"error": sentence, "problems": [{"path", "message"}]}` when it refuses, and stores
nothing then.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from chat import library
from chat.ratelimit import allowance_take
from chat.selectors import conversation_for_user
from strategies.naming import InvalidName, strategy_name_clean
from strategies.porting import ImportRefused, strategy_import_read
from strategies.selectors import strategy_for_owner
from strategies.schemas import InvalidStrategy, StrategyProblem
from vibewater.untrusted import UntrustedJSONError, load_json

MULTIPART_OVERHEAD_BYTES = 16 * 1024  # boundaries and part headers around an uploaded file
MAX_RENAME_BYTES = 4 * 1024
NO_FILE = 'Choose a strategy file to import (send it as the form field "file", or as a JSON body).'


@require_POST
@login_required
def strategy_import(request: HttpRequest) -> JsonResponse:
    """Import an exported strategy file as a new conversation: 201 with its id, or 400/413/429 saying why not."""
    if (limited := _over_new_strategy_limit(request)) is not None:
        return limited
    max_bytes = settings.STRATEGY_IMPORT_MAX_BYTES
    try:
        imported = strategy_import_read(raw=_uploaded_bytes(request, max_bytes), max_bytes=max_bytes)
    except ImportRefused as refused:
        return _refused(str(refused), refused.problems, status=413 if refused.too_large else 400)
    conversation = library.conversation_import(owner=request.user, imported=imported)
    return JsonResponse(_created(conversation), status=201)


def _over_new_strategy_limit(request: HttpRequest) -> JsonResponse | None:
    """Count one new strategy (import or duplicate: each stores a conversation) and the 429 when over the limit."""
    limit = settings.STRATEGY_IMPORTS_PER_MINUTE
    if allowance_take(scope="imports", user_id=request.user.pk, limit=limit) is None:
        return _refused(f"You can import or duplicate {limit} strategies a minute. Please wait a moment.", status=429)
    return None


@require_POST
@login_required
def version_duplicate(request: HttpRequest, conversation_id: uuid.UUID, number: int) -> JsonResponse:
    """Start a new conversation whose strategy begins at this version: 201 with its id, or 404/422/429 saying why not."""
    strategy = strategy_for_owner(owner=request.user, conversation_id=conversation_id)
    if strategy is None or not strategy.versions.filter(number=number).exists():
        raise Http404("No such version.")
    if (limited := _over_new_strategy_limit(request)) is not None:
        return limited
    try:
        conversation = library.conversation_duplicate(owner=request.user, strategy=strategy, number=number)
    except InvalidStrategy as invalid:
        return _refused(f"v{number} can no longer be duplicated: {invalid}", invalid.problems, status=422)
    return JsonResponse(_created(conversation), status=201)


@require_POST
@login_required
def conversation_rename(request: HttpRequest, conversation_id: uuid.UUID) -> JsonResponse:
    """Rename a conversation and its strategy from a JSON body `{"name"}`: 200 with the title, or 400 saying why."""
    conversation = conversation_for_user(user=request.user, conversation_id=conversation_id)
    if conversation is None:
        raise Http404("No such conversation.")
    try:
        text = request.body.decode("utf-8", "replace")
        body = load_json(text, max_bytes=MAX_RENAME_BYTES, max_depth=2, what="The request")
        name = strategy_name_clean(body.get("name") if isinstance(body, dict) else None)
    except (UntrustedJSONError, InvalidName) as invalid:
        return _refused(str(invalid), [StrategyProblem(path="name", message=str(invalid))], status=400)
    library.conversation_rename(conversation=conversation, name=name)
    return JsonResponse({"conversation_id": str(conversation.id), "title": conversation.title})


def _uploaded_bytes(request: HttpRequest, max_bytes: int) -> bytes:
    """The file's bytes (at most one over `max_bytes`), refusing an oversize request before reading it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_bytes + MULTIPART_OVERHEAD_BYTES:
        raise ImportRefused.too_large_for(max_bytes)
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ImportRefused(NO_FILE)
        return upload.read(max_bytes + 1)
    if not request.body:
        raise ImportRefused(NO_FILE)
    return request.body


def _created(conversation: Any) -> dict[str, Any]:
    return {"conversation_id": str(conversation.id), "title": conversation.title, "strategy_version": 1}


def _refused(message: str, problems: list[StrategyProblem] | None = None, *, status: int) -> JsonResponse:
    body = {"error": message, "problems": [problem.model_dump() for problem in problems or []]}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
