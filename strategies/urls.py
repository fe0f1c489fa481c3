"""Strategy JSON URLs, under a conversation."""

from django.urls import path

from strategies import views

urlpatterns = [
    path("conversations/<uuid:conversation_id>/versions/", views.version_list, name="version-list"),
    path(
        "conversations/<uuid:conversation_id>/versions/<int:number>/restore/",
        views.version_restore,
        name="version-restore",
    ),
    path(
        "conversations/<uuid:conversation_id>/versions/<int:number>/export/",
        views.version_export,
        name="version-export",
    ),
]
