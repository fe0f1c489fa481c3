"""Create (or reset) a trader account from the command line, held to the sign-up page's password rules."""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Create a trader account. The password comes from --password-env VAR or an interactive prompt, "
        "and must pass the same checks as on the sign-up page (AUTH_PASSWORD_VALIDATORS)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password-env", help="name of an environment variable holding the password")
        parser.add_argument("--superuser", action="store_true", help="also allow Django admin")

    def handle(self, *args: object, username: str, password_env: str | None, superuser: bool, **options: object) -> None:
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first() or user_model(username=username)
        created = user.pk is None
        try:
            # The sign-up page's username rules (characters, length), checked before a password is asked for.
            user_model._meta.get_field("username").clean(username, user)
        except ValidationError as refused:
            raise CommandError(f"Username refused: {' '.join(refused.messages)}") from None
        password = os.environ.get(password_env, "") if password_env else _prompt_password()
        if not password:
            raise CommandError("A non-empty password is required.")
        try:
            validate_password(password, user)
        except ValidationError as refused:
            raise CommandError(f"Password refused: {' '.join(refused.messages)}") from None
        user.set_password(password)
        user.is_staff = user.is_superuser = superuser or user.is_superuser
        user.save()
        self.stdout.write(f"{'Created' if created else 'Updated'} trader {username!r}.")


def _prompt_password() -> str:
    """Ask for the password twice, as the sign-up page does, and return it if both agree."""
    password = getpass.getpass("Password: ")
    if password and getpass.getpass("Password (again): ") != password:
        raise CommandError("The two passwords did not match.")
    return password
