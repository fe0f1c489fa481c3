"""Admin for strategies and their versions."""

from django.contrib import admin

from strategies.models import Strategy, StrategyVersion


class VersionInline(admin.TabularInline):
    model = StrategyVersion
    fields = ("number", "source", "source_message", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "conversation", "current_version", "updated_at")
    search_fields = ("name", "owner__username")
    inlines = [VersionInline]


@admin.register(StrategyVersion)
class StrategyVersionAdmin(admin.ModelAdmin):
    list_display = ("strategy", "number", "source", "created_at")
    list_filter = ("source",)
    readonly_fields = ("strategy", "number", "data", "source", "source_message", "created_at")
