"""The builder UI: a Django page that serves the React app built by Vite."""

from django.apps import AppConfig


class FrontendConfig(AppConfig):
    """Serves the strategy builder page."""

    name = "frontend"
    verbose_name = "Strategy builder UI"
