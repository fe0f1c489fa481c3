"""The admin's read-only history: records the product writes (versions, messages, backtests, candles) that
an operator may browse but never add, change or delete, so the admin cannot rewrite what happened."""

from typing import Any

from django.http import HttpRequest


class ReadOnlyHistory:
    """Mix into a `ModelAdmin` or an inline: viewing only; Django then renders every page read-only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """History is only ever written by the product."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """What was stored stays as it was stored."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Nothing of the history is removed from the admin."""
        return False
