"""Strategies and their numbered versions."""

from django.conf import settings
from django.db import models


class Strategy(models.Model):
    """A trader's strategy; each valid reply of its conversation adds a version.

    Strategies belong to their owner today; a nullable workspace foreign key can be added later
    without touching versions.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategies")
    name = models.CharField(max_length=200)
    conversation = models.OneToOneField(
        "chat.Conversation", on_delete=models.SET_NULL, null=True, blank=True, related_name="strategy"
    )
    current_version = models.ForeignKey(
        "StrategyVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "strategies"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name


class StrategyVersion(models.Model):
    """One validated strategy JSON, numbered from 1 within its strategy."""

    class Source(models.TextChoices):
        REPLY = "reply"
        RESTORE = "restore"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.REPLY)
    source_message = models.ForeignKey(
        "chat.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="strategy_versions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["strategy", "number"]
        constraints = [models.UniqueConstraint(fields=["strategy", "number"], name="unique_version_number")]

    def __str__(self) -> str:
        return f"{self.strategy} v{self.number}"
