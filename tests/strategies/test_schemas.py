"""Tests for strategies.schemas: parsing and normalising the model's strategy JSON."""

import pytest
from pydantic import ValidationError

from strategies.schemas import EntryConditionNode, StartNode, StopLossNode, Strategy, TakeProfitNode
from tests.strategies import node, seed_strategy


def test_seed_example_parses_into_typed_nodes() -> None:
    strategy = Strategy.model_validate(seed_strategy())
    kinds = [type(n) for n in strategy.flowchart.nodes]
    assert kinds[0] is StartNode
    assert EntryConditionNode in kinds and StopLossNode in kinds
    assert strategy.flowchart.edges[0] == ("start", "category")


def test_model_sent_guardrails_and_actions_are_discarded() -> None:
    data = seed_strategy()
    data["guardrails"] = "anything at all"
    data["actions"] = {"run_backtest_button": 3}
    strategy = Strategy.model_validate(data)
    assert strategy.guardrails is None and strategy.actions is None


def test_account_and_assistant_panel_default_when_missing() -> None:
    data = seed_strategy()
    del data["account"], data["assistant_panel"]
    strategy = Strategy.model_validate(data)
    assert strategy.account.workspace == "Vibe Water Associates"
    assert strategy.account.section == "My Strategies"
    assert strategy.assistant_panel.greeting == ""


def test_edge_objects_are_normalised_to_pairs() -> None:
    data = seed_strategy()
    data["flowchart"]["edges"][1] = {"source": "category", "target": "entry", "animated": True}
    strategy = Strategy.model_validate(data)
    assert strategy.flowchart.edges[1] == ("category", "entry")


@pytest.mark.parametrize("written", ["high", "HIGH", " High "])
def test_degen_class_is_case_insensitive(written: str) -> None:
    data = seed_strategy()
    data["degen_class"]["selected"] = written
    assert Strategy.model_validate(data).degen_class.selected == "High"


def test_degen_options_default_to_all_three() -> None:
    data = seed_strategy()
    data["degen_class"] = {"selected": "low"}
    assert Strategy.model_validate(data).degen_class.options == ["High", "Medium", "Low"]


def test_percent_and_dollar_strings_are_coerced() -> None:
    data = seed_strategy()
    node(data, "profit_target")["meta"]["target_pct"] = "7.5%"
    node(data, "stop_loss")["meta"]["stop_pct"] = " 5 % "
    data["strategy_metrics"]["estimated_capital_required_usd"] = "$1,000"
    strategy = Strategy.model_validate(data)
    target = next(n for n in strategy.flowchart.nodes if isinstance(n, TakeProfitNode))
    stop = next(n for n in strategy.flowchart.nodes if isinstance(n, StopLossNode))
    assert target.meta.target_pct == 7.5
    assert stop.meta.stop_pct == 5.0
    assert strategy.strategy_metrics.estimated_capital_required_usd == 1000.0


def test_missing_label_is_derived_from_node_kind() -> None:
    data = seed_strategy()
    del node(data, "stop_loss")["label"]
    stop = Strategy.model_validate(data).flowchart.nodes[4]
    assert stop.label == "Stop Loss: "


def test_unknown_keys_are_dropped() -> None:
    data = seed_strategy()
    data["surprise"] = 1
    node(data, "entry")["meta"]["colour"] = "red"
    dumped = Strategy.model_validate(data).model_dump()
    assert "surprise" not in dumped
    assert "colour" not in dumped["flowchart"]["nodes"][2]["meta"]


def test_unknown_node_type_is_an_error() -> None:
    data = seed_strategy()
    node(data, "entry")["type"] = "moon_shot"
    with pytest.raises(ValidationError):
        Strategy.model_validate(data)


@pytest.mark.parametrize(
    ("node_id", "field", "value"),
    [
        ("stop_loss", "stop_pct", 0),
        ("stop_loss", "stop_pct", 100),
        ("profit_target", "target_pct", 1001),
        ("profit_target", "target_pct", "nan"),
    ],
)
def test_out_of_range_percentages_are_errors(node_id: str, field: str, value: object) -> None:
    data = seed_strategy()
    node(data, node_id)["meta"][field] = value
    with pytest.raises(ValidationError):
        Strategy.model_validate(data)


def test_entry_condition_needs_at_least_one_rule() -> None:
    data = seed_strategy()
    node(data, "entry")["meta"]["rules"] = []
    with pytest.raises(ValidationError):
        Strategy.model_validate(data)


def test_blank_node_id_is_an_error() -> None:
    data = seed_strategy()
    node(data, "entry")["id"] = "  "
    with pytest.raises(ValidationError):
        Strategy.model_validate(data)


def test_capital_must_be_positive() -> None:
    data = seed_strategy()
    data["strategy_metrics"]["estimated_capital_required_usd"] = 0
    with pytest.raises(ValidationError):
        Strategy.model_validate(data)
