"""The operator's strategy admin, rendered by Django's test client as a staff user: the list, its search and
filters, a strategy's page (an SVG flowchart, guardrails and the diff per version), and history kept read-only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from chat.models import Message
from strategies.models import Candle, Strategy, StrategyVersion
from strategies.services import strategy_version_create
from strategies.validation import validate_strategy
from tests.strategies import conversation_of, drop_node, node, seed_strategy

pytestmark = pytest.mark.django_db

STRATEGIES = "/admin/strategies/strategy/"


def validated(data: dict[str, Any]) -> dict[str, Any]:
    """A strategy as a reply stores it: validated, with the server's guardrails."""
    return validate_strategy(data, stated_capital_usd=None).model_dump(mode="json")


def listed(client: Client, query: str = "") -> list[str]:
    """The names of the strategies the admin list shows for a query string."""
    response = client.get(f"{STRATEGIES}?{query}")
    assert response.status_code == 200
    return sorted(strategy.name for strategy in response.context["cl"].result_list)


@pytest.fixture
def strategies(alice: Any, bob: Any) -> dict[str, Strategy]:
    """Alice's High-risk strategy with no stop loss (a violation) and Bob's archived Low-risk one."""
    risky = conversation_of(alice, "Risky").strategy
    strategy_version_create(strategy=risky, data=validated(drop_node(seed_strategy(), "stop_loss")))
    careful = conversation_of(bob, "Careful").strategy
    low = seed_strategy()
    low["degen_class"]["selected"] = "Low"
    strategy_version_create(strategy=careful, data=validated(low))
    careful.archived_at = timezone.now()
    careful.save()
    return {"risky": risky, "careful": careful}


def test_the_list_shows_each_strategys_current_version_at_a_glance(admin_client: Client, strategies: Any) -> None:
    response = admin_client.get(STRATEGIES)
    rows = {row.name: row for row in response.context["cl"].result_list}
    assert set(rows) == {"Risky", "Careful"}
    text = response.content.decode()
    for header in ("owner", "current version", "risk class", "capital", "monthly target", "violations", "archived"):
        assert f">{header.capitalize()}<" in text or f">{header}<" in text.lower(), header
    model_admin = response.context["cl"].model_admin
    assert model_admin.current_number(rows["Risky"]) == "v2"
    assert model_admin.risk_class(rows["Careful"]) == "Low"
    assert (model_admin.capital(rows["Risky"]), model_admin.target(rows["Risky"])) == ("$1,000", "7%")
    assert (model_admin.violations(rows["Risky"]), model_admin.violations(rows["Careful"])) == (1, 0)


def test_the_list_filters_by_risk_class_archived_violations_and_owner(
    admin_client: Client, strategies: Any, bob: Any
) -> None:
    assert listed(admin_client) == ["Careful", "Risky"]
    assert listed(admin_client, "risk=High") == ["Risky"]
    assert listed(admin_client, "risk=Low") == ["Careful"]
    assert listed(admin_client, "risk=Medium") == []
    assert listed(admin_client, "archived=yes") == ["Careful"]
    assert listed(admin_client, "archived=no") == ["Risky"]
    assert listed(admin_client, "violations=yes") == ["Risky"]
    assert listed(admin_client, "violations=no") == ["Careful"]
    assert listed(admin_client, f"owner__id__exact={bob.pk}") == ["Careful"]


def test_the_list_searches_names_and_owners(admin_client: Client, strategies: Any) -> None:
    assert listed(admin_client, "q=risk") == ["Risky"]
    assert listed(admin_client, "q=bob") == ["Careful"]


def test_a_strategy_page_shows_each_version_with_its_flowchart_guardrails_diff_and_message(
    admin_client: Client, alice: Any
) -> None:
    conversation = conversation_of(alice, "Mine")
    reply = Message.objects.create(conversation=conversation, role="assistant", content="Tighter stop.")
    tighter = seed_strategy()
    node(tighter, "stop_loss")["meta"]["stop_pct"] = 4.0
    strategy_version_create(strategy=conversation.strategy, data=validated(tighter), source_message=reply)

    response = admin_client.get(f"{STRATEGIES}{conversation.strategy.pk}/change/")

    assert response.status_code == 200
    text = response.content.decode()
    assert text.count('<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Flowchart of v') == 2
    assert 'aria-label="Flowchart of v1"' in text and 'aria-label="Flowchart of v2"' in text
    assert "Stop Loss: 4%" in text and "Stop Loss: 5%" in text
    assert "<li>Stop loss 5% → 4%</li>" in text
    assert "First version." in text
    assert "Losing trades are closed at a 4% loss." in text  # the server's guardrail reason
    message_page = f"/admin/chat/message/{reply.pk}/change/"
    assert f'href="{message_page}"' in text
    assert admin_client.get(message_page).status_code == 200


def test_a_hostile_label_is_shown_escaped_on_the_strategy_page(admin_client: Client, alice: Any) -> None:
    conversation = conversation_of(alice, "Mine")
    hostile = seed_strategy()
    node(hostile, "category")["label"] = "<script>alert(1)</script>"
    strategy_version_create(strategy=conversation.strategy, data=validated(hostile))

    text = admin_client.get(f"{STRATEGIES}{conversation.strategy.pk}/change/").content.decode()

    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_current_version_is_read_only_so_a_post_changing_it_changes_nothing(
    admin_client: Client, strategies: dict[str, Strategy]
) -> None:
    risky, careful = strategies["risky"], strategies["careful"]
    page = f"{STRATEGIES}{risky.pk}/change/"
    assert "current_version" not in admin_client.get(page).context["adminform"].form.fields
    form = {"name": "Renamed", "archived_at_0": "", "archived_at_1": "", **_empty_inline(risky)}

    for other in (risky.versions.get(number=1), careful.current_version):
        response = admin_client.post(page, {**form, "current_version": other.pk})

        assert response.status_code == 302
        risky.refresh_from_db()
        assert (risky.name, risky.current_version.number, risky.current_version.strategy_id) == ("Renamed", 2, risky.pk)
    assert risky.versions.count() == 2


def _empty_inline(strategy: Strategy) -> dict[str, Any]:
    """The version inline's management form as the read-only page posts it."""
    count = strategy.versions.count()
    return {"versions-TOTAL_FORMS": count, "versions-INITIAL_FORMS": count, "versions-MIN_NUM_FORMS": 0,
            "versions-MAX_NUM_FORMS": 1000}


def test_strategies_cannot_be_added_or_deleted_here(admin_client: Client, strategies: Any) -> None:
    risky = strategies["risky"]
    assert admin_client.get(f"{STRATEGIES}add/").status_code == 403
    assert admin_client.post(f"{STRATEGIES}{risky.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Strategy.objects.filter(pk=risky.pk).exists()


def test_versions_cannot_be_added_changed_or_deleted(admin_client: Client, strategies: Any) -> None:
    version = strategies["risky"].current_version
    base = "/admin/strategies/strategyversion/"
    assert admin_client.get(f"{base}add/").status_code == 403
    page = admin_client.get(f"{base}{version.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert 'name="data"' not in page.content.decode()
    assert admin_client.post(f"{base}{version.pk}/change/", {"number": 9, "data": "{}"}).status_code == 403
    assert admin_client.post(f"{base}{version.pk}/delete/", {"post": "yes"}).status_code == 403
    version.refresh_from_db()
    assert version.number == 2 and version.data["degen_class"]["selected"] == "High"
    # The strategy page lists versions without a form to change or delete them.
    strategy_page = admin_client.get(f"{STRATEGIES}{version.strategy_id}/change/").content.decode()
    assert 'name="versions-0-number"' not in strategy_page and "versions-0-DELETE" not in strategy_page


def test_the_export_action_downloads_the_current_version_as_the_builder_exports_it(
    admin_client: Client, alice_client: Client, strategies: Any
) -> None:
    risky = strategies["risky"]
    response = admin_client.post(STRATEGIES, {"action": "export_current_version", "_selected_action": [risky.pk]})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="risky-v2.json"'
    document = json.loads(response.content)
    builders = alice_client.get(f"/api/conversations/{risky.conversation_id}/versions/2/export/").json()
    assert {**document, "exported_at": None} == {**builders, "exported_at": None}
    assert document["format"] == "vibewater.strategy" and document["source"]["version"] == 2


def test_the_export_action_asks_for_one_strategy(admin_client: Client, strategies: Any) -> None:
    selected = [strategy.pk for strategy in strategies.values()]
    action = {"action": "export_current_version", "_selected_action": selected}
    response = admin_client.post(STRATEGIES, action, follow=True)
    assert "Select one strategy that has a version to export it." in response.content.decode()


def test_candles_are_listed_by_source_symbol_and_timeframe_and_read_only(admin_client: Client) -> None:
    for source, symbol in [("demo", "BTC/USDT"), ("binance", "ETH/USDT")]:
        Candle.objects.create(
            source=source, symbol=symbol, timeframe="1d", time=datetime(2024, 1, 1, tzinfo=UTC),
            open=1, high=2, low=0.5, close=1.5, volume=10,
        )
    base = "/admin/strategies/candle/"
    response = admin_client.get(f"{base}?source=binance")
    assert [candle.symbol for candle in response.context["cl"].result_list] == ["ETH/USDT"]
    assert [c.source for c in admin_client.get(f"{base}?symbol=BTC%2FUSDT").context["cl"].result_list] == ["demo"]
    assert len(admin_client.get(f"{base}?timeframe=1d").context["cl"].result_list) == 2
    assert admin_client.get(f"{base}add/").status_code == 403
    candle = Candle.objects.first()
    assert admin_client.post(f"{base}{candle.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Candle.objects.count() == 2


def test_backtest_runs_and_versions_have_no_add_button(admin_client: Client) -> None:
    for path in ("/admin/strategies/backtestrun/", "/admin/strategies/strategyversion/"):
        response = admin_client.get(path)
        assert response.status_code == 200 and not response.context["has_add_permission"]
    assert admin_client.get("/admin/strategies/backtestrun/add/").status_code == 403
    assert StrategyVersion.objects.count() == 0
