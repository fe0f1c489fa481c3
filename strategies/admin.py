"""The operator's admin for saved strategies.

The strategy list shows each strategy's current version (risk class, capital, target, guardrail
violations) with search and filters; a strategy's page shows every version with its flowchart drawn
as SVG on the server (`strategies.svg`), its guardrails, the diff to the version before
(`strategies.diff`) and a link to the message that produced it. Versions, backtests and candles are
history: read-only (`vibewater.admin_history`), and so is `current_version`: going back to a version is
the builder's restore (a new version, a note in the chat, `strategy_updated`), never a silent switch here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from strategies.diff import strategy_diff
from strategies.guardrails import format_pct, format_usd
from strategies.models import BacktestRun, Candle, Strategy, StrategyVersion
from strategies.porting import strategy_export_document, strategy_export_filename
from strategies.svg import strategy_svg
from vibewater.admin_history import ReadOnlyHistory


class RiskClassFilter(admin.SimpleListFilter):
    """The current version's degen class."""

    title = "risk class"
    parameter_name = "risk"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        """The three classes."""
        return [("High", "High"), ("Medium", "Medium"), ("Low", "Low")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Strategy]) -> QuerySet[Strategy]:
        """Strategies whose current version is of the chosen class."""
        if self.value() is None:
            return queryset
        return queryset.filter(current_version__data__degen_class__selected=self.value())


class ArchivedFilter(admin.SimpleListFilter):
    """Archived or active."""

    title = "archived"
    parameter_name = "archived"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        """Yes or no."""
        return [("yes", "Archived"), ("no", "Active")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Strategy]) -> QuerySet[Strategy]:
        """Strategies with (or without) an archive date."""
        if self.value() is None:
            return queryset
        return queryset.filter(archived_at__isnull=self.value() == "no")


class ViolationsFilter(admin.SimpleListFilter):
    """Whether the current version breaks a guardrail."""

    title = "guardrail violations"
    parameter_name = "violations"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        """Yes or no."""
        return [("yes", "Has violations"), ("no", "None")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Strategy]) -> QuerySet[Strategy]:
        """Strategies whose current version lists at least one violation (or none)."""
        if self.value() is None:
            return queryset
        violating = {"current_version__data__guardrails__violations__0__isnull": False}
        return queryset.filter(**violating) if self.value() == "yes" else queryset.exclude(**violating)


class VersionInline(ReadOnlyHistory, admin.StackedInline):
    """Each version, newest first: flowchart, guardrails, the change from the version before, its message."""

    model = StrategyVersion
    fields = ("number", "source", "restored_from", "created_at", "message", "flowchart", "guardrails", "changes")
    readonly_fields = fields
    extra = 0
    ordering = ("-number",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[StrategyVersion]:
        """Each version with the data of the one before it, in one query."""
        before = StrategyVersion.objects.filter(strategy=OuterRef("strategy"), number=OuterRef("number") - 1)
        previous = Subquery(before.values("data")[:1], output_field=models.JSONField())
        return super().get_queryset(request).annotate(previous_data=previous).select_related("source_message")

    @admin.display(description="produced by")
    def message(self, version: StrategyVersion) -> str:
        """A link to the message whose reply made this version (its read-only admin page)."""
        if version.source_message_id is None:
            return "—"
        url = reverse("admin:chat_message_change", args=[version.source_message_id])
        return format_html('<a href="{}">{} message</a>', url, version.source_message.get_role_display())

    @admin.display(description="flowchart")
    def flowchart(self, version: StrategyVersion) -> SafeString:
        """The version's flowchart as SVG, drawn on the server."""
        # strategy_svg escapes every text it draws: the markup is safe to put in the page as it is.
        return mark_safe(strategy_svg(version.data, title=f"Flowchart of v{version.number}"))

    @admin.display(description="guardrails")
    def guardrails(self, version: StrategyVersion) -> str:
        """The server's guardrails of the version, each with its status and reason."""
        items = (version.data.get("guardrails") or {}).get("enabled") or []
        if not items:
            return "—"
        rows = ((item.get("status"), item.get("label"), item.get("reason", "")) for item in items)
        return format_html("<ul>{}</ul>", format_html_join("", "<li><strong>{}</strong> {} — {}</li>", rows))

    @admin.display(description="changes from the version before")
    def changes(self, version: StrategyVersion) -> str:
        """The readable diff from the version numbered one lower."""
        previous = getattr(version, "previous_data", None)
        if previous is None:
            return "First version." if version.number == 1 else "—"
        lines = strategy_diff(previous, version.data).lines or ["No changes."]
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines)))


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    """Saved strategies: browse, rename, archive, export."""

    list_display = (
        "name", "owner", "current_number", "risk_class", "capital", "target", "violations", "archived", "updated_at",
    )
    list_select_related = ("owner", "current_version")
    list_filter = (RiskClassFilter, ArchivedFilter, ViolationsFilter, "owner")
    search_fields = ("name", "owner__username")
    readonly_fields = ("owner", "conversation", "current_version", "created_at", "updated_at")
    fields = ("name", "owner", "conversation", "current_version", "archived_at", "created_at", "updated_at")
    inlines = [VersionInline]
    actions = ["export_current_version"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Strategies are made by a conversation or an import, never from scratch here."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Deleting would delete its history: archive it instead."""
        return False

    @admin.display(description="current version", ordering="current_version__number")
    def current_number(self, strategy: Strategy) -> str:
        """The current version's number."""
        return f"v{strategy.current_version.number}" if strategy.current_version else "—"

    @admin.display(description="risk class")
    def risk_class(self, strategy: Strategy) -> str:
        """The current version's degen class."""
        return str(_current(strategy, "degen_class", "selected") or "—")

    @admin.display(description="capital")
    def capital(self, strategy: Strategy) -> str:
        """The current version's capital."""
        amount = _current(strategy, "strategy_metrics", "estimated_capital_required_usd")
        return format_usd(amount) if isinstance(amount, (int, float)) else "—"

    @admin.display(description="monthly target")
    def target(self, strategy: Strategy) -> str:
        """The current version's monthly return target."""
        value = _current(strategy, "strategy_metrics", "impact_monthly_return_delta_pct")
        return format_pct(value) if isinstance(value, (int, float)) else "—"

    @admin.display(description="violations")
    def violations(self, strategy: Strategy) -> int:
        """How many guardrails the current version violates."""
        return len(_current(strategy, "guardrails", "violations") or [])

    @admin.display(description="archived", boolean=True, ordering="archived_at")
    def archived(self, strategy: Strategy) -> bool:
        """Whether the strategy is archived."""
        return strategy.archived_at is not None

    @admin.action(description="Export the current version as JSON")
    def export_current_version(self, request: HttpRequest, queryset: QuerySet[Strategy]) -> HttpResponse | None:
        """Download one selected strategy's current version in the export envelope, as the builder's Export does."""
        strategies = list(queryset.select_related("current_version")[:2])
        if len(strategies) != 1 or strategies[0].current_version is None:
            self.message_user(request, "Select one strategy that has a version to export it.", messages.WARNING)
            return None
        strategy = strategies[0]
        version = strategy.current_version
        document = strategy_export_document(
            version=version, conversation_id=strategy.conversation_id, exported_at=timezone.now()
        )
        response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
        filename = strategy_export_filename(name=strategy.name, number=version.number)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _current(strategy: Strategy, section: str, key: str) -> Any:
    """A value of the strategy's current version's JSON, or None."""
    data = strategy.current_version.data if strategy.current_version else {}
    return (data.get(section) or {}).get(key)


@admin.register(StrategyVersion)
class StrategyVersionAdmin(ReadOnlyHistory, admin.ModelAdmin):
    """Every version of every strategy, read-only."""

    list_display = ("strategy", "number", "source", "restored_from", "created_at")
    list_filter = ("source",)
    list_select_related = ("strategy",)
    search_fields = ("strategy__name", "strategy__owner__username")


@admin.register(BacktestRun)
class BacktestRunAdmin(ReadOnlyHistory, admin.ModelAdmin):
    """Backtests as they ran, read-only."""

    list_display = ("number", "version", "symbol", "timeframe", "source", "synthetic", "bars", "created_at")
    list_filter = ("source", "synthetic", "symbol", "timeframe")
    list_select_related = ("version__strategy",)
    exclude = ("equity_curve", "price_curve", "trades")


@admin.register(Candle)
class CandleAdmin(ReadOnlyHistory, admin.ModelAdmin):
    """Stored candles by source, symbol and timeframe, read-only."""

    list_display = ("source", "symbol", "timeframe", "time", "open", "high", "low", "close", "volume")
    list_filter = ("source", "symbol", "timeframe")
    date_hierarchy = "time"
    show_full_result_count = False  # a count of every candle is a full scan of a large table
