"""Admin for conversations and messages."""

from django.contrib import admin

from chat.models import Conversation, Message


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("role", "status", "content", "error", "provider", "model_id", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "created_at", "updated_at")
    search_fields = ("title", "owner__username")
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("conversation", "role", "status", "provider", "model_id", "output_tokens", "latency_ms", "created_at")
    list_filter = ("role", "status", "provider")
    search_fields = ("content", "error")
    readonly_fields = ("id", "created_at", "completed_at")
