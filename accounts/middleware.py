"""Request middleware: session checks raised by a request go out once its session is saved."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from accounts.sessions import deferred_session_checks, session_key_change_record


class SessionChecksMiddleware:
    """Send the request's session checks after the response, recording a session that changed key first.

    It sits before `SessionMiddleware`, so it sees the response after the session is saved: a logout
    has flushed it, a password change has re-signed the changer's session under a new key.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Run the request with its session checks held back until the session is saved."""
        key_before = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        with deferred_session_checks():
            response = self.get_response(request)
            session = getattr(request, "session", None)
            key_after = session.session_key if session is not None else None
            if key_before and key_after and key_after != key_before:
                session_key_change_record(old_key=key_before, new_key=key_after)
        return response
