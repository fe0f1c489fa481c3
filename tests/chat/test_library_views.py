"""Importing a strategy file, duplicating a version and renaming, through Django's test client: what is stored,
and every refused file refused with its own sentence and nothing stored."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chat.models import Conversation, Message
from strategies.models import Strategy, StrategyVersion
from strategies.services import strategy_version_create
from strategies.validation import validate_strategy
from strategies.versions import same_strategy
from tests.strategies import conversation_of, node, seed_strategy

pytestmark = pytest.mark.django_db

IMPORT_URL = "/api/strategies/import/"


def export_of(client: Client, conversation: Conversation, number: int = 1) -> bytes:
    response = client.get(f"/api/conversations/{conversation.id}/versions/{number}/export/")
    assert response.status_code == 200
    return response.content


def upload(client: Client, content: bytes, name: str = "strategy.json") -> Any:
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content, content_type="application/json")})


def envelope(**changes: Any) -> dict[str, Any]:
    document = {"format": "vibewater.strategy", "format_version": 1, "name": "Mine", "strategy": seed_strategy()}
    document.update(changes)
    return document


def test_export_then_import_gives_back_an_equal_strategy_in_a_new_conversation(alice_client: Client, alice: Any):
    original = conversation_of(alice, "DeFi dip buyer · High risk")
    validated = validate_strategy(seed_strategy(), stated_capital_usd=None).model_dump(mode="json")
    strategy_version_create(strategy=original.strategy, data=validated)  # v2, stored as a reply stores it
    exported = export_of(alice_client, original, number=2)

    response = upload(alice_client, exported)

    assert response.status_code == 201
    body = response.json()
    imported = Conversation.objects.get(pk=body["conversation_id"])
    assert imported.owner == alice and imported.title == body["title"] == "DeFi dip buyer · High risk"
    version = imported.strategy.current_version
    assert (version.number, version.source, imported.strategy.name) == (1, "import", "DeFi dip buyer · High risk")
    assert version.data == validated
    assert json.loads(export_of(alice_client, imported))["strategy"] == json.loads(exported)["strategy"]
    notes = [message.content for message in imported.messages.all()]
    assert notes == ["Imported “DeFi dip buyer · High risk” from a file as version 1."]


def test_a_json_body_imports_as_a_file_does(alice_client: Client):
    response = alice_client.post(IMPORT_URL, json.dumps(envelope(name=None)), content_type="application/json")

    assert response.status_code == 201
    assert response.json()["title"] == "DeFi dip buyer · High risk"  # no name: titled from the strategy


def invalid_stop() -> dict[str, Any]:
    strategy = seed_strategy()
    node(strategy, "stop_loss")["meta"]["stop_pct"] = 150
    return envelope(strategy=strategy)


def unknown_node_type() -> dict[str, Any]:
    strategy = seed_strategy()
    node(strategy, "entry")["type"] = "moon_shot"
    return envelope(strategy=strategy)


def as_bytes(document: Any) -> bytes:
    return json.dumps(document).encode()


MALFORMED: dict[str, tuple[bytes, int, str, list[str]]] = {
    # name: (file, status, words of the error, problem paths)
    "oversize": (b" " * 2048 + as_bytes(envelope()), 413, "larger than 2 KiB", []),
    "not UTF-8": ("{\"name\": \"Stratégie\"}".encode("latin-1"), 400, "not UTF-8 text", []),
    "empty": (b"  \n", 400, "The file is empty.", []),
    "not JSON": (b"format: vibewater.strategy", 400, "The file is not valid JSON.", []),
    "NaN": (b'{"format": NaN}', 400, "The file is not valid JSON.", []),
    "too deep": (b"[" * 40 + b"]" * 40, 400, "nested more than 17 levels", []),
    "not an object": (as_bytes([envelope()]), 400, "holds a list, not an object", []),
    "no format": (as_bytes({"strategy": seed_strategy()}), 400, 'has no "format"', ["format"]),
    "unknown format": (as_bytes(envelope(format="tradingview")), 400, 'format is "tradingview"', ["format"]),
    "unsupported version": (
        as_bytes(envelope(format_version=2)), 400, "is 2; this server reads version 1", ["format_version"]
    ),
    "version as text": (as_bytes(envelope(format_version="1")), 400, 'format_version is "1"', ["format_version"]),
    "no strategy": (
        as_bytes({"format": "vibewater.strategy", "format_version": 1}), 400, 'no "strategy"', ["strategy"]
    ),
    "strategy not an object": (as_bytes(envelope(strategy="BTC")), 400, "must be a JSON object", ["strategy"]),
    "invalid stop": (
        as_bytes(invalid_stop()), 400, "percentage (stop_pct) of step 'stop_loss' must be less than 100", ["strategy"]
    ),
    "unknown node type": (as_bytes(unknown_node_type()), 400, "unknown type 'moon_shot'", ["strategy"]),
    "name not text": (as_bytes(envelope(name=["a"])), 400, "The file's name is not usable: The name must", ["name"]),
    "name too long": (as_bytes(envelope(name="n" * 201)), 400, "at most 200 characters", ["name"]),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_a_malformed_file_is_refused_with_its_own_sentence_and_nothing_stored(alice_client, alice, settings, case):
    settings.STRATEGY_IMPORT_MAX_BYTES = 2048
    content, status, words, paths = MALFORMED[case]
    before = (Conversation.objects.count(), Strategy.objects.count(), StrategyVersion.objects.count())

    response = upload(alice_client, content)

    assert response.status_code == status
    body = response.json()
    assert words in body["error"]
    assert [problem["path"].split(".")[0] for problem in body["problems"]] == paths
    assert all(problem["message"] for problem in body["problems"])
    assert (Conversation.objects.count(), Strategy.objects.count(), StrategyVersion.objects.count()) == before
    assert not Message.objects.exists()


def test_a_request_without_a_file_says_how_to_send_one(alice_client: Client):
    response = alice_client.post(IMPORT_URL, {"other": "x"})

    assert response.status_code == 400 and 'form field "file"' in response.json()["error"]
    assert not Conversation.objects.exists()


def test_an_upload_far_over_the_limit_is_refused_as_too_large(alice_client: Client, settings):
    settings.STRATEGY_IMPORT_MAX_BYTES = 1024
    response = upload(alice_client, b"x" * (200 * 1024))

    assert response.status_code == 413 and response.json()["error"].startswith("The file is larger than 1 KiB")


def test_imports_past_the_limit_per_minute_are_refused(alice_client: Client, settings):
    settings.STRATEGY_IMPORTS_PER_MINUTE = 2
    answers = [upload(alice_client, as_bytes(envelope())).status_code for _ in range(3)]

    assert answers == [201, 201, 429]
    assert Conversation.objects.count() == 2


def test_importing_needs_a_signed_in_trader_and_a_post(client: Client, alice_client: Client):
    assert Client().post(IMPORT_URL, as_bytes(envelope()), content_type="application/json").status_code == 302
    assert alice_client.get(IMPORT_URL).status_code == 405
    assert not Conversation.objects.exists()


def test_duplicating_a_version_starts_a_new_conversation_at_that_version(alice_client: Client, alice: Any):
    original = conversation_of(alice, "DeFi dip buyer · High risk")
    later = copy.deepcopy(original.strategy.current_version.data)
    node(later, "stop_loss")["meta"]["stop_pct"] = 3.0
    StrategyVersion.objects.create(strategy=original.strategy, number=2, data=later)

    response = alice_client.post(f"/api/conversations/{original.id}/versions/1/duplicate/")

    assert response.status_code == 201
    duplicate = Conversation.objects.get(pk=response.json()["conversation_id"])
    assert duplicate.title == duplicate.strategy.name == "DeFi dip buyer · High risk (copy)"
    version = duplicate.strategy.current_version
    assert (version.number, version.source) == (1, "import")
    assert same_strategy(version.data, original.strategy.versions.get(number=1).data)
    assert [m.content for m in duplicate.messages.all()] == ["Duplicated from “DeFi dip buyer · High risk” v1."]
    assert original.strategy.versions.count() == 2  # the original is untouched


def test_duplicates_count_with_imports_against_the_limit_per_minute(alice_client: Client, alice: Any, settings):
    settings.STRATEGY_IMPORTS_PER_MINUTE = 3
    original = conversation_of(alice, "Mine")
    duplicate_url = f"/api/conversations/{original.id}/versions/1/duplicate/"

    answers = [alice_client.post(duplicate_url).status_code for _ in range(2)]
    answers += [upload(alice_client, as_bytes(envelope())).status_code, alice_client.post(duplicate_url).status_code]

    assert answers == [201, 201, 201, 429]
    refused = alice_client.post(duplicate_url).json()["error"]
    assert refused == "You can import or duplicate 3 strategies a minute. Please wait a moment."
    assert Conversation.objects.count() == 4


def test_a_duplicated_legacy_version_gets_todays_guardrails_without_the_other_conversations_capital(
    alice_client: Client, alice: Any
):
    original = conversation_of(alice, "Mine")
    legacy = {**seed_strategy(), "guardrails": {"enabled": [
        {"key": "monthly_target", "label": "Realistic monthly target ✓", "status": "ok", "reason": "Realistic."},
        {"key": "capital_matches_request", "label": "Capital matches your request", "status": "warning",
         "reason": "The strategy needs $1,000 but you said you have $5,000."},
    ], "violations": []}}
    StrategyVersion.objects.filter(strategy=original.strategy, number=1).update(data=legacy)

    response = alice_client.post(f"/api/conversations/{original.id}/versions/1/duplicate/")

    assert response.status_code == 201
    data = Conversation.objects.get(pk=response.json()["conversation_id"]).strategy.current_version.data
    items = {item["key"]: item for item in data["guardrails"]["enabled"]}
    assert "capital_matches_request" not in items
    assert items["monthly_target"]["status"] == "warning" and "Realistic" not in items["monthly_target"]["label"]
    assert items["backtestable"]["status"] == "ok"
    assert data == validate_strategy(legacy, stated_capital_usd=None).model_dump(mode="json")


def test_a_version_that_no_longer_validates_is_not_duplicated_and_says_why(alice_client: Client, alice: Any):
    original = conversation_of(alice, "Mine")
    broken = seed_strategy()
    broken["flowchart"]["edges"] = []
    StrategyVersion.objects.filter(strategy=original.strategy, number=1).update(data=broken)

    response = alice_client.post(f"/api/conversations/{original.id}/versions/1/duplicate/")

    assert response.status_code == 422
    assert response.json()["error"].startswith("v1 can no longer be duplicated: ")
    assert Conversation.objects.count() == 1


def test_another_traders_version_cannot_be_duplicated(alice_client: Client, bob: Any):
    conversation = conversation_of(bob, "Bob's")

    assert alice_client.post(f"/api/conversations/{conversation.id}/versions/1/duplicate/").status_code == 404
    assert alice_client.post(f"/api/conversations/{conversation.id}/versions/9/duplicate/").status_code == 404
    assert Conversation.objects.count() == 1


def rename(client: Client, conversation: Conversation, body: Any) -> Any:
    payload = body if isinstance(body, str) else json.dumps(body)
    return client.post(f"/api/conversations/{conversation.id}/rename/", payload, content_type="application/json")


def test_renaming_names_the_conversation_and_its_strategy(alice_client: Client, alice: Any):
    conversation = conversation_of(alice, "DeFi dip buyer · High risk")

    response = rename(alice_client, conversation, {"name": "  My   dip buyer "})

    assert response.status_code == 200 and response.json()["title"] == "My dip buyer"
    conversation.refresh_from_db()
    assert conversation.title == conversation.strategy.name == "My dip buyer"
    assert alice_client.get("/api/conversations/").json()["conversations"][0]["title"] == "My dip buyer"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"name": "   "}, "must not be empty"),
        ({"name": "n" * 201}, "at most 200 characters"),
        ({"title": "x"}, "must be text"),
        ("not json", "not valid JSON"),
    ],
)
def test_a_bad_name_is_refused_and_the_old_one_kept(alice_client: Client, alice: Any, body: Any, words: str):
    conversation = conversation_of(alice, "Kept")

    response = rename(alice_client, conversation, body)

    assert response.status_code == 400 and words in response.json()["error"]
    assert response.json()["problems"][0]["path"] == "name"
    conversation.refresh_from_db()
    assert conversation.title == conversation.strategy.name == "Kept"


def test_another_traders_conversation_cannot_be_renamed(alice_client: Client, bob: Any):
    conversation = conversation_of(bob, "Bob's")

    assert rename(alice_client, conversation, {"name": "Mine now"}).status_code == 404
    conversation.refresh_from_db()
    assert conversation.title == "Bob's"
