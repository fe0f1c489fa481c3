"""`manage.py createtrader` (what `make user` runs) holds passwords to the sign-up page's rules."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a-long-trader-password-7"


def create_trader(username: str, password: str, *args: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the command with the password handed over in an environment variable."""
    monkeypatch.setenv("TRADER_PASSWORD", password)
    call_command("createtrader", username, "--password-env", "TRADER_PASSWORD", *args)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("x", "too short"),
        ("password", "too common"),
        ("8675309412", "entirely numeric"),
        ("alice-trader", "too similar to the username"),
    ],
)
def test_a_password_the_sign_up_page_refuses_is_refused_with_its_reason(monkeypatch, password, reason):
    with pytest.raises(CommandError, match=reason):
        create_trader("alice-trader", password, monkeypatch=monkeypatch)
    assert not get_user_model().objects.filter(username="alice-trader").exists()


def test_a_refused_password_leaves_an_existing_traders_password_as_it_was(monkeypatch):
    create_trader("alice", GOOD_PASSWORD, monkeypatch=monkeypatch)
    with pytest.raises(CommandError, match="too short"):
        create_trader("alice", "x", monkeypatch=monkeypatch)
    assert get_user_model().objects.get(username="alice").check_password(GOOD_PASSWORD)


def test_a_good_password_creates_a_trader_who_can_log_in(monkeypatch, client):
    create_trader("alice", GOOD_PASSWORD, "--superuser", monkeypatch=monkeypatch)
    alice = get_user_model().objects.get(username="alice")
    assert alice.is_superuser and client.login(username="alice", password=GOOD_PASSWORD)


def test_the_prompted_password_is_checked_and_must_be_typed_twice_alike(monkeypatch):
    typed = iter(["x", "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    with pytest.raises(CommandError, match="too short"):
        call_command("createtrader", "alice")
    typed = iter([GOOD_PASSWORD, GOOD_PASSWORD + "!"])
    with pytest.raises(CommandError, match="did not match"):
        call_command("createtrader", "alice")
    typed = iter([GOOD_PASSWORD, GOOD_PASSWORD])
    call_command("createtrader", "alice")
    assert get_user_model().objects.get(username="alice").check_password(GOOD_PASSWORD)
