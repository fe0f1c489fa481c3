"""Strategy JSON URLs, under a conversation (restoring a version is the chat's: `chat.urls`)."""

from django.urls import path

from strategies import views

urlpatterns = [
    path("conversations/<uuid:conversation_id>/versions/", views.version_list, name="version-list"),
    path(
        "conversations/<uuid:conversation_id>/versions/<int:number>/export/",
        views.version_export,
        name="version-export",
    ),
]
