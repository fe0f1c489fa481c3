"""App configuration."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Login, logout and sign-up for traders, and telling their open sockets when a session ends."""

    name = "accounts"

    def ready(self) -> None:
        """Connect the receivers that ask a user's sockets to re-check their sessions."""
        from accounts import signals  # noqa: F401  (connecting is importing)
