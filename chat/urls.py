"""Chat JSON URLs (restoring a strategy version is here: it tells the conversation's sockets; so are importing,
duplicating and renaming, which write conversations)."""

from django.urls import path

from chat.library_views import conversation_rename, strategy_import, version_duplicate
from chat.views import conversation_list, message_list, version_restore

urlpatterns = [
    path("conversations/", conversation_list, name="conversation-list"),
    path("conversations/<uuid:conversation_id>/messages/", message_list, name="message-list"),
    path(
        "conversations/<uuid:conversation_id>/versions/<int:number>/restore/",
        version_restore,
        name="version-restore",
    ),
    path(
        "conversations/<uuid:conversation_id>/versions/<int:number>/duplicate/",
        version_duplicate,
        name="version-duplicate",
    ),
    path("conversations/<uuid:conversation_id>/rename/", conversation_rename, name="conversation-rename"),
    path("strategies/import/", strategy_import, name="strategy-import"),
]
