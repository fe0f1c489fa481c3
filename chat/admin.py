"""Admin for conversations and messages: messages are history, browsed read-only (`vibewater.admin_history`);
a conversation's title is the only thing an operator changes."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chat.models import Conversation, Message
from vibewater.admin_history import ReadOnlyHistory


class MessageInline(ReadOnlyHistory, admin.TabularInline):
    """A conversation's messages, oldest first, each linking to its own page."""

    model = Message
    fields = ("role", "status", "content", "error", "provider", "model_id", "created_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    """Conversations: browse them and their messages; rename one."""

    list_display = ("title", "owner", "created_at", "updated_at")
    search_fields = ("title", "owner__username")
    fields = ("title", "owner", "created_at", "updated_at")
    readonly_fields = ("owner", "created_at", "updated_at")
    inlines = [MessageInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Conversations start in the chat."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Deleting one would delete its messages, which are history."""
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyHistory, admin.ModelAdmin):
    """Every message, read-only: what the trader sent and what the assistant answered."""

    list_display = ("conversation", "role", "status", "provider", "model_id", "output_tokens", "latency_ms", "created_at")
    list_filter = ("role", "status", "provider")
    list_select_related = ("conversation",)
    search_fields = ("content", "error")
