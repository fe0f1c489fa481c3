"""App configuration."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Login, logout and sign-up for traders."""

    name = "accounts"
