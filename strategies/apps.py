"""App configuration."""

from django.apps import AppConfig


class StrategiesConfig(AppConfig):
    """The strategies app."""

    name = "strategies"
    default_auto_field = "django.db.models.BigAutoField"
