"""Create (or reset) a trader account from the command line."""

import getpass
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Create a trader account. The password comes from --password-env VAR or an interactive prompt."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password-env", help="name of an environment variable holding the password")
        parser.add_argument("--superuser", action="store_true", help="also allow Django admin")

    def handle(self, *args: object, username: str, password_env: str | None, superuser: bool, **options: object) -> None:
        password = os.environ.get(password_env, "") if password_env else getpass.getpass("Password: ")
        if not password:
            raise CommandError("A non-empty password is required.")
        user, created = get_user_model().objects.get_or_create(username=username)
        user.set_password(password)
        user.is_staff = user.is_superuser = superuser or user.is_superuser
        user.save()
        self.stdout.write(f"{'Created' if created else 'Updated'} trader {username!r}.")
