"""The strategy endpoints (versions listed, compared and exported, archiving; restore is the chat's,
tests/chat/test_views.py), through Django's test client."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from strategies.models import StrategyVersion
from strategies.services import strategy_version_create, strategy_version_restore
from tests.strategies import conversation_of, drop_node, node, seed_strategy

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


def test_own_version_export_is_the_strategy_in_its_envelope_as_a_download(alice_client: Client, alice: Any) -> None:
    conversation = conversation_of(alice, "DeFi dip buyer · High risk")
    response = alice_client.get(f"/api/conversations/{conversation.id}/versions/1/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="defi-dip-buyer-high-risk-v1.json"'
    document = response.json()
    assert document.pop("exported_at")
    expected_strategy = seed_strategy()
    del expected_strategy["guardrails"], expected_strategy["actions"]  # the server computes them again
    assert document == {
        "format": "vibewater.strategy",
        "format_version": 1,
        "name": "DeFi dip buyer · High risk",
        "source": {"conversation_id": str(conversation.id), "version": 1, "version_source": "reply"},
        "strategy": expected_strategy,
    }
    assert alice_client.get(f"/api/conversations/{conversation.id}/versions/2/export/").status_code == 404


def test_an_archived_strategy_leaves_the_list_until_it_is_unarchived(alice_client: Client, alice: Any) -> None:
    kept, archived = conversation_of(alice, "Kept"), conversation_of(alice, "Old idea")

    response = alice_client.post(f"/api/conversations/{archived.id}/archive/")

    assert response.status_code == 200 and response.json()["archived_at"]
    listed = alice_client.get("/api/conversations/").json()["conversations"]
    assert [row["title"] for row in listed] == ["Kept"]
    with_archived = alice_client.get("/api/conversations/?archived=1").json()["conversations"]
    assert {row["title"]: row["archived_at"] is not None for row in with_archived} == {"Kept": False, "Old idea": True}

    assert alice_client.post(f"/api/conversations/{archived.id}/unarchive/").json() == {"archived_at": None}
    assert {row["title"] for row in alice_client.get("/api/conversations/").json()["conversations"]} == {
        "Kept",
        "Old idea",
    }
    assert kept.strategy.versions.count() == 1


def test_another_traders_strategy_cannot_be_archived(alice_client: Client, bob: Any) -> None:
    conversation = conversation_of(bob, "Bob's")

    assert alice_client.post(f"/api/conversations/{conversation.id}/archive/").status_code == 404
    assert alice_client.get(f"/api/conversations/{conversation.id}/archive/").status_code == 405

    conversation.strategy.refresh_from_db()
    assert conversation.strategy.archived_at is None


def test_version_diff_of_the_traders_own_versions(alice_client: Client, alice: Any) -> None:
    conversation = conversation_of(alice, "Mine")
    changed = seed_strategy()
    node(changed, "stop_loss")["meta"]["stop_pct"] = 4.0
    strategy_version_create(strategy=conversation.strategy, data=changed, source=StrategyVersion.Source.EDIT)

    response = alice_client.get(f"/api/conversations/{conversation.id}/versions/1/diff/2/")

    assert response.status_code == 200
    body = response.json()
    assert body["lines"] == ["Stop loss 5% → 4%"]
    assert body["nodes_changed"][0]["changes"] == [{"path": "meta.stop_pct", "old": 5.0, "new": 4.0}]
    # Backwards is the same change the other way.
    assert alice_client.get(f"/api/conversations/{conversation.id}/versions/2/diff/1/").json()["lines"] == [
        "Stop loss 4% → 5%"
    ]


def test_version_diff_is_not_found_for_a_missing_version_or_another_traders_conversation(
    alice_client: Client, alice: Any, bob: Any
) -> None:
    mine, bobs = conversation_of(alice, "Mine"), conversation_of(bob, "Bob's")
    assert alice_client.get(f"/api/conversations/{mine.id}/versions/1/diff/2/").status_code == 404
    assert alice_client.get(f"/api/conversations/{mine.id}/versions/9/diff/1/").status_code == 404
    assert alice_client.get(f"/api/conversations/{bobs.id}/versions/1/diff/1/").status_code == 404
    assert alice_client.get(f"/api/conversations/{uuid.uuid4()}/versions/1/diff/1/").status_code == 404


def test_a_restored_version_says_which_version_it_restored(alice_client: Client, alice: Any) -> None:
    conversation = conversation_of(alice, "Mine")
    strategy_version_create(strategy=conversation.strategy, data=drop_node(seed_strategy(), "stop_loss"))
    strategy_version_restore(strategy=conversation.strategy, number=1, stated_capital_usd=None)

    versions = alice_client.get(f"/api/conversations/{conversation.id}/versions/").json()["versions"]

    assert [(v["number"], v["source"], v["restored_from"]) for v in versions] == [
        (1, "reply", None),
        (2, "reply", None),
        (3, "restore", 1),
    ]
