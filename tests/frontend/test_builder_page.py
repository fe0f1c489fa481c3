"""The builder page and the pages and JSON around it, through Django's test client (no browser)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import PASSWORD
from tests.strategies import conversation_of

pytestmark = pytest.mark.django_db

def bootstrap_of(html: str) -> dict[str, Any]:
    """The JSON Django rendered into the page for the bundle (`json_script` id `builder-bootstrap`)."""
    match = re.search(r'<script id="builder-bootstrap" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page has no builder-bootstrap JSON"
    return json.loads(match.group(1))


def manifest_entry() -> dict[str, Any]:
    path = settings.DJANGO_VITE["default"]["manifest_path"]
    assert path.exists(), f"{path} is missing: build the frontend first (make frontend)"
    return json.loads(path.read_text())["src/main.tsx"]


# --- The builder page -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/builder/", f"/builder/{uuid.uuid4()}/"])
def test_anonymous_visitor_is_sent_to_login(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/accounts/login/"
    assert parse_qs(location.query)["next"] == [path]


def test_root_leads_to_the_builder(alice_client: Client) -> None:
    response = alice_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/builder/"


def test_builder_page_for_a_new_conversation(alice_client: Client) -> None:
    response = alice_client.get("/builder/")
    assert response.status_code == 200
    html = response.content.decode()
    assert bootstrap_of(html) == {
        "conversation_id": None,
        "username": "alice",
        "logout_url": "/accounts/logout/",
        "max_message_chars": settings.CHAT_MAX_MESSAGE_CHARS,
    }
    assert '<div id="builder-root"></div>' in html
    # The header's "Log out" button posts this form, so it must carry a CSRF token.
    assert re.search(r'<form id="logout-form" method="post" action="/accounts/logout/"', html)
    assert 'name="csrfmiddlewaretoken"' in html


def test_builder_page_carries_the_conversation_in_the_url(alice_client: Client, alice: Any) -> None:
    conversation = conversation_of(alice, "Alice's own")
    response = alice_client.get(f"/builder/{conversation.id}/")
    assert response.status_code == 200
    assert bootstrap_of(response.content.decode())["conversation_id"] == str(conversation.id)


@pytest.mark.parametrize("whose", ["bob's", "missing"])
def test_builder_page_says_another_traders_or_a_missing_conversation_is_not_available(
    alice_client: Client, alice: Any, bob: Any, whose: str
) -> None:
    own = conversation_of(alice, "Alice's own")
    target = conversation_of(bob, "Bob's secret").id if whose == "bob's" else uuid.uuid4()
    response = alice_client.get(f"/builder/{target}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This strategy is not available" in html
    assert 'id="builder-bootstrap"' not in html  # no builder to sit on "reconnecting"
    assert f'href="/builder/{own.id}/"' in html and "Alice&#x27;s own" in html
    assert "Bob" not in html
    assert 'href="/builder/"' in html


def test_builder_page_rejects_a_malformed_conversation_id(alice_client: Client) -> None:
    assert alice_client.get("/builder/not-a-uuid/").status_code == 404


def test_builder_page_loads_the_built_bundle(alice_client: Client) -> None:
    entry = manifest_entry()
    html = alice_client.get("/builder/").content.decode()
    script = f'src="/static/{entry["file"]}"'
    assert re.search(rf'<script type="module"[^>]*{re.escape(script)}', html), html
    for css in entry.get("css", []):
        assert f'href="/static/{css}"' in html
    # No dev-server client in a built page.
    assert "@vite/client" not in html


def test_bootstrap_json_escapes_the_username(client: Client, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user(username="al</script>", password=PASSWORD)
    client.force_login(user)
    html = client.get("/builder/").content.decode()
    assert bootstrap_of(html)["username"] == "al</script>"


# --- Accounts -------------------------------------------------------------------------------------


def test_login_page_renders(client: Client) -> None:
    response = client.get("/accounts/login/?next=/builder/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert 'name="next" value="/builder/"' in html
    assert 'href="/accounts/signup/"' in html


def test_login_with_the_form_opens_the_builder(alice: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/?next=/builder/")
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "next": "/builder/", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert response["Location"] == "/builder/"
    assert client.get("/builder/").status_code == 200


def test_login_with_a_wrong_password_stays_on_the_form(client: Client, alice: Any) -> None:
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get("/builder/").status_code == 302


def test_login_does_not_follow_an_offsite_next(client: Client, alice: Any) -> None:
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/builder/"


def test_signup_page_renders(client: Client) -> None:
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password1"' in html and 'name="password2"' in html


def test_signup_creates_the_account_and_logs_it_in(client: Client) -> None:
    response = client.post(
        "/accounts/signup/", {"username": "carol", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/builder/"
    user = get_user_model().objects.get(username="carol")
    assert user.check_password(PASSWORD)
    assert not user.is_staff
    page = client.get("/builder/")
    assert page.status_code == 200
    assert bootstrap_of(page.content.decode())["username"] == "carol"


def test_signup_with_mismatched_passwords_creates_nothing(client: Client) -> None:
    response = client.post(
        "/accounts/signup/", {"username": "carol", "password1": PASSWORD, "password2": PASSWORD + "x"}
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="carol").exists()


def test_logout_is_a_post_and_ends_the_session(alice_client: Client) -> None:
    response = alice_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert alice_client.get("/builder/").status_code == 302


# --- The JSON API the builder reads ---------------------------------------------------------------


def test_conversation_list_shows_only_the_traders_own(alice_client: Client, alice: Any, bob: Any) -> None:
    older = conversation_of(alice, "Alice's first")
    newer = conversation_of(alice, "Alice's second")
    conversation_of(bob, "Bob's secret")

    response = alice_client.get("/api/conversations/")
    assert response.status_code == 200
    rows = response.json()["conversations"]
    assert [row["id"] for row in rows] == [str(newer.id), str(older.id)]
    assert [row["title"] for row in rows] == ["Alice's second", "Alice's first"]
    assert all(row["updated_at"] for row in rows)


def test_conversation_list_needs_a_login(client: Client) -> None:
    response = client.get("/api/conversations/")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/accounts/login/"
