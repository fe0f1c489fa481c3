"""Chat JSON URLs."""

from django.urls import path

from chat.views import conversation_list

urlpatterns = [path("conversations/", conversation_list, name="conversation-list")]
