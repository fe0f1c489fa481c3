"""Chat JSON URLs (restoring a strategy version is here: it tells the conversation's sockets)."""

from django.urls import path

from chat.views import conversation_list, message_list, version_restore

urlpatterns = [
    path("conversations/", conversation_list, name="conversation-list"),
    path("conversations/<uuid:conversation_id>/messages/", message_list, name="message-list"),
    path(
        "conversations/<uuid:conversation_id>/versions/<int:number>/restore/",
        version_restore,
        name="version-restore",
    ),
]
