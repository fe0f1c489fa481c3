"""WebSocket routes of the chat."""

from django.urls import path

from chat.consumers import ChatConsumer

websocket_urlpatterns = [
    path("ws/chat/", ChatConsumer.as_asgi()),
    path("ws/chat/<uuid:conversation_id>/", ChatConsumer.as_asgi()),
]
