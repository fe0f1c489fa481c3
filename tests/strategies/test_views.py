"""The strategy version endpoints (list and export; restore is the chat's, tests/chat/test_views.py), through Django's test client."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from tests.strategies import conversation_of, seed_strategy

pytestmark = pytest.mark.django_db


def test_versions_of_the_traders_own_conversation(alice_client: Client, alice: Any) -> None:
    conversation = conversation_of(alice, "Mine")
    response = alice_client.get(f"/api/conversations/{conversation.id}/versions/")
    assert response.status_code == 200
    versions = response.json()["versions"]
    assert [(v["number"], v["current"]) for v in versions] == [(1, True)]


def test_another_traders_versions_are_invisible(alice_client: Client, bob: Any) -> None:
    conversation = conversation_of(bob, "Bob's")
    base = f"/api/conversations/{conversation.id}/versions"

    listing = alice_client.get(f"{base}/")
    assert listing.status_code == 200
    assert listing.json() == {"versions": []}
    # Same answers as for a conversation that does not exist.
    assert alice_client.get(f"/api/conversations/{uuid.uuid4()}/versions/").json() == {"versions": []}

    assert alice_client.post(f"{base}/1/restore/").status_code == 404
    assert alice_client.post(f"/api/conversations/{uuid.uuid4()}/versions/1/restore/").status_code == 404
    # Bob's strategy is untouched by the attempt.
    assert conversation.strategy.versions.count() == 1


def test_another_traders_version_export_is_not_found(alice_client: Client, bob: Any) -> None:
    conversation = conversation_of(bob, "Bob's")
    assert alice_client.get(f"/api/conversations/{conversation.id}/versions/1/export/").status_code == 404


def test_own_version_export_is_a_json_download(alice_client: Client, alice: Any) -> None:
    conversation = conversation_of(alice, "Mine")
    response = alice_client.get(f"/api/conversations/{conversation.id}/versions/1/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="strategy-v1.json"'
    assert response.json() == seed_strategy()
    assert alice_client.get(f"/api/conversations/{conversation.id}/versions/2/export/").status_code == 404
