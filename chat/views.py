"""JSON endpoints of the chat: the trader's conversations."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from chat.models import Conversation


@require_GET
@login_required
def conversation_list(request: HttpRequest) -> JsonResponse:
    """The trader's conversations, newest first."""
    rows = Conversation.objects.filter(owner=request.user).values("id", "title", "updated_at")[:200]
    return JsonResponse(
        {"conversations": [{**row, "id": str(row["id"]), "updated_at": row["updated_at"].isoformat()} for row in rows]}
    )
