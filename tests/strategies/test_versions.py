"""strategies.versions and the version services: which versions are the same, and edits and restores that
would store one (refused), conflict, or go through."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from strategies.models import StrategyVersion
from strategies.services import strategy_version_edit, strategy_version_restore
from strategies.validation import validate_strategy
from strategies.versions import NoChange, VersionConflict, same_strategy
from tests.strategies import conversation_of, node, seed_strategy


def stored(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON a version holds for this strategy (validated, server guardrails filled in)."""
    return validate_strategy(data, stated_capital_usd=None).model_dump(mode="json")


def changed(**parts: Any) -> dict[str, Any]:
    """The seed strategy with some top-level parts replaced."""
    return {**copy.deepcopy(seed_strategy()), **parts}


def test_prose_guardrails_actions_and_filing_do_not_make_a_strategy_different() -> None:
    reworded = changed(
        assistant_panel={"greeting": "Hi", "assistant_reply": "Another way of saying it."},
        account={"workspace": "Elsewhere", "section": "Drafts"},
    )
    reworded.pop("guardrails")
    reworded.pop("actions")

    assert same_strategy(stored(seed_strategy()), stored(reworded))
    assert same_strategy(stored(seed_strategy()), seed_strategy())  # the model's guardrails, the server's


@pytest.mark.parametrize(
    "difference",
    [
        {"degen_class": {"selected": "Low"}},
        {"timeframe": "4h"},
        {"strategy_metrics": {"impact_monthly_return_delta_pct": 3, "estimated_capital_required_usd": 1000}},
    ],
)
def test_what_the_trader_trades_makes_a_strategy_different(difference: dict[str, Any]) -> None:
    assert not same_strategy(stored(seed_strategy()), stored(changed(**difference)))


def test_a_changed_step_makes_a_strategy_different() -> None:
    tighter = seed_strategy()
    node(tighter, "stop_loss")["meta"]["stop_pct"] = 4
    with_condition = seed_strategy()
    node(with_condition, "entry")["meta"]["conditions"] = [{"kind": "price_above_ma", "period": 20}]

    assert not same_strategy(stored(seed_strategy()), stored(tighter))
    assert not same_strategy(stored(seed_strategy()), stored(with_condition))


def test_a_version_stored_before_timeframe_and_conditions_existed_equals_the_same_strategy_now() -> None:
    older = seed_strategy()  # no timeframe, no conditions, no symbol: as versions stored before them hold it

    assert same_strategy(older, stored(seed_strategy()))


@pytest.mark.django_db
def test_an_edit_of_the_current_version_is_stored_as_the_next(alice: Any) -> None:
    conversation = conversation_of(alice, "Mine")
    tighter = seed_strategy()
    node(tighter, "stop_loss")["meta"]["stop_pct"] = 4

    version = strategy_version_edit(conversation=conversation, base_version=1, data=stored(tighter))

    assert (version.number, version.source, version.restored_from) == (2, "edit", None)
    conversation.strategy.refresh_from_db()
    assert conversation.strategy.current_version == version


@pytest.mark.django_db
def test_an_edit_of_an_older_version_or_of_nothing_new_is_refused(alice: Any) -> None:
    conversation = conversation_of(alice, "Mine")
    tighter = seed_strategy()
    node(tighter, "stop_loss")["meta"]["stop_pct"] = 4
    strategy_version_edit(conversation=conversation, base_version=1, data=stored(tighter))

    with pytest.raises(VersionConflict) as conflict:
        strategy_version_edit(conversation=conversation, base_version=1, data=stored(changed(timeframe="1h")))
    with pytest.raises(NoChange) as unchanged:
        strategy_version_edit(conversation=conversation, base_version=2, data=stored(tighter))

    assert conflict.value.current == unchanged.value.current == 2
    assert StrategyVersion.objects.filter(strategy__conversation=conversation).count() == 2


@pytest.mark.django_db
def test_restoring_a_version_that_trades_as_the_current_one_is_refused(alice: Any) -> None:
    conversation = conversation_of(alice, "Mine")
    strategy = conversation.strategy
    strategy_version_edit(conversation=conversation, base_version=1, data=stored(changed(timeframe="4h")))
    strategy_version_restore(strategy=strategy, number=1, stated_capital_usd=None)

    with pytest.raises(NoChange):
        strategy_version_restore(strategy=strategy, number=1, stated_capital_usd=None)  # v3 is v1 again
    with pytest.raises(StrategyVersion.DoesNotExist):
        strategy_version_restore(strategy=strategy, number=7, stated_capital_usd=None)

    assert list(strategy.versions.values_list("number", "source", "restored_from")) == [
        (1, "reply", None), (2, "edit", None), (3, "restore", 1)
    ]
