"""Strategies, their numbered versions, the candles backtests read and the backtests run."""

import uuid

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
    archived_at = models.DateTimeField(null=True, blank=True)
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
        EDIT = "edit"
        RESTORE = "restore"
        IMPORT = "import"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.REPLY)
    source_message = models.ForeignKey(
        "chat.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="strategy_versions"
    )
    #: For a restore: the number of the version it restored.
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["strategy", "number"]
        constraints = [models.UniqueConstraint(fields=["strategy", "number"], name="unique_version_number")]

    def __str__(self) -> str:
        return f"{self.strategy} v{self.number}"


class Candle(models.Model):
    """One OHLCV bar of a market, from one source (an exchange, an imported file, the demo set)."""

    source = models.CharField(max_length=64)
    symbol = models.CharField(max_length=32)
    timeframe = models.CharField(max_length=8)
    time = models.DateTimeField()  # the bar's open time, UTC
    open = models.FloatField()
    high = models.FloatField()
    low = models.FloatField()
    close = models.FloatField()
    volume = models.FloatField()

    class Meta:
        ordering = ["source", "symbol", "timeframe", "time"]
        constraints = [
            models.UniqueConstraint(fields=["source", "symbol", "timeframe", "time"], name="unique_candle"),
        ]
        # A run counts each source's bars of one market before it picks one (strategies.prices.reading).
        indexes = [models.Index(fields=["symbol", "timeframe", "source", "time"], name="candle_market_source")]

    def __str__(self) -> str:
        return f"{self.source} {self.symbol} {self.timeframe} {self.time:%Y-%m-%d %H:%M}"


class BacktestRun(models.Model):
    """One backtest of a strategy version: what it ran on, what it measured ("backtest #number")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.PositiveIntegerField()  # within the strategy, from 1
    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="backtests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    params = models.JSONField()  # as requested, defaults filled in
    fee_pct = models.FloatField()
    source = models.CharField(max_length=64)
    synthetic = models.BooleanField(default=False)
    symbol = models.CharField(max_length=32)
    timeframe = models.CharField(max_length=8)
    start = models.DateTimeField()
    end = models.DateTimeField()
    bars = models.PositiveIntegerField()
    metrics = models.JSONField()
    equity_curve = models.JSONField()  # downsampled for drawing
    price_curve = models.JSONField()
    trades = models.JSONField()  # the last MAX_TRADES
    trades_total = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["version", "-created_at"])]

    def __str__(self) -> str:
        return f"backtest #{self.number} of {self.version}"
