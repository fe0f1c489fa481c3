"""The builder page: renders the template the Vite bundle mounts into."""

from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

LOGOUT_URL = "/accounts/logout/"


@login_required
def builder(request: HttpRequest, conversation_id: UUID | None = None) -> HttpResponse:
    """Render the builder for a new conversation or for the one in the URL."""
    # Access to the conversation is checked by the socket handshake and the API.
    data = {
        "conversation_id": str(conversation_id) if conversation_id else None,
        "username": request.user.get_username(),
        "logout_url": LOGOUT_URL,
        "max_message_chars": settings.CHAT_MAX_MESSAGE_CHARS,
    }
    return render(request, "frontend/builder.html", {"data": data, "logout_url": LOGOUT_URL})
