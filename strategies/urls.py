"""Strategy JSON URLs, under a conversation (restoring, duplicating, renaming and importing, which touch the
conversation, are the chat's: `chat.urls`)."""

from django.urls import path

from strategies import views

urlpatterns = [
    path("conversations/<uuid:conversation_id>/versions/", views.version_list, name="version-list"),
    path(
        "conversations/<uuid:conversation_id>/versions/<int:old>/diff/<int:new>/",
        views.version_diff,
        name="version-diff",
    ),
    path(
        "conversations/<uuid:conversation_id>/versions/<int:number>/export/",
        views.version_export,
        name="version-export",
    ),
    path(
        "conversations/<uuid:conversation_id>/archive/",
        views.strategy_archive,
        {"archived": True},
        name="strategy-archive",
    ),
    path(
        "conversations/<uuid:conversation_id>/unarchive/",
        views.strategy_archive,
        {"archived": False},
        name="strategy-unarchive",
    ),
    path(
        "conversations/<uuid:conversation_id>/versions/<int:number>/backtests/",
        views.version_backtests,
        name="version-backtests",
    ),
]
