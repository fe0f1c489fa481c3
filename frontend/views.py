"""The builder page: renders the template the Vite bundle mounts into, or a "not available" page."""

from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from chat.models import Conversation
from chat.selectors import conversation_for_user

LOGOUT_URL = "/accounts/logout/"
#: How many of the trader's strategies the "not available" page links to.
UNAVAILABLE_PAGE_STRATEGIES = 20


@login_required
def builder(request: HttpRequest, conversation_id: UUID | None = None) -> HttpResponse:
    """Render the builder for a new conversation or for one of the trader's own; a 404 page for any other."""
    if conversation_id and conversation_for_user(user=request.user, conversation_id=conversation_id) is None:
        return _unavailable(request)
    data = {
        "conversation_id": str(conversation_id) if conversation_id else None,
        "username": request.user.get_username(),
        "logout_url": LOGOUT_URL,
        "max_message_chars": settings.CHAT_MAX_MESSAGE_CHARS,
    }
    return render(request, "frontend/builder.html", {"data": data, "logout_url": LOGOUT_URL})


def _unavailable(request: HttpRequest) -> HttpResponse:
    """Say the conversation is not available (someone else's and missing look the same) and list the trader's own."""
    strategies = Conversation.objects.filter(owner=request.user, strategy__archived_at__isnull=True)
    context = {"strategies": strategies.only("id", "title")[:UNAVAILABLE_PAGE_STRATEGIES]}
    return render(request, "frontend/unavailable.html", context, status=404)
