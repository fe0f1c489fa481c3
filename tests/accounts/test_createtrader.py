"""`manage.py createtrader` (what `make user` runs) holds passwords to the sign-up page's rules."""

import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
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


def test_an_empty_prompted_password_is_refused_without_asking_again(monkeypatch):
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or "")
    with pytest.raises(CommandError, match="non-empty password is required"):
        call_command("createtrader", "alice")
    assert prompts == ["Password: "]
    assert not get_user_model().objects.filter(username="alice").exists()


@pytest.mark.parametrize(("username", "reason"), [("al ice", "Enter a valid username"), ("a" * 151, "at most 150")])
def test_a_username_the_sign_up_page_refuses_is_refused_before_any_password_is_asked_for(
    monkeypatch, username, reason
):
    monkeypatch.setattr("getpass.getpass", lambda prompt: pytest.fail("asked for a password"))
    with pytest.raises(CommandError, match=f"Username refused: .*{reason}"):
        call_command("createtrader", username)
    assert not get_user_model().objects.exists()


def test_make_user_without_a_name_says_how_to_name_the_trader():
    # -o: take set-up and .env as done, so only the recipe runs (and stops at its first line).
    result = subprocess.run(["make", "-o", "setup", "-o", ".env", "user", "NAME="], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "Name the trader: make user NAME=alice" in result.stderr


def test_make_user_runs_createtrader_for_the_name_given():
    result = subprocess.run(["make", "-n", "-o", "setup", "-o", ".env", "user", "NAME=alice"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert 'manage.py createtrader "alice"' in result.stdout
