"""URLs of the builder page; the project includes them at the root."""

from django.urls import path

from frontend import views

urlpatterns = [
    path("builder/", views.builder, name="builder"),
    path("builder/<uuid:conversation_id>/", views.builder, name="builder-conversation"),
]
