"""Signal receivers: whatever can end a user's sessions asks their open sockets to re-check them."""

from __future__ import annotations

import weakref
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.sessions import sessions_check_request

# Users being saved with a new password or just deactivated: found in pre_save (which can still read
# the stored row), announced in post_save (once the row is written, so the sockets read the new one).
_saving_session_enders: weakref.WeakSet[Any] = weakref.WeakSet()


@receiver(user_logged_out)
def _logged_out(sender: type, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        sessions_check_request(user_id=user.pk, ended_session_key=request.session.session_key)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _user_saving(sender: type, instance: Any, update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    if instance.pk is None or (update_fields is not None and not {"password", "is_active"} & update_fields):
        return  # a new user, or a save of other fields (every login saves last_login)
    stored = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if stored and (stored["password"] != instance.password or (stored["is_active"] and not instance.is_active)):
        _saving_session_enders.add(instance)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _user_saved(sender: type, instance: Any, **kwargs: Any) -> None:
    if instance in _saving_session_enders:
        _saving_session_enders.discard(instance)
        sessions_check_request(user_id=instance.pk)


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def _user_deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    sessions_check_request(user_id=instance.pk)
