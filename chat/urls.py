"""Chat JSON URLs."""

from django.urls import path

from chat.views import conversation_list, message_list

urlpatterns = [
    path("conversations/", conversation_list, name="conversation-list"),
    path("conversations/<uuid:conversation_id>/messages/", message_list, name="message-list"),
]
