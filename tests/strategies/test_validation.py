"""Tests for strategies.validation: the entry point, its readable errors, and the chat summary."""

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategies.graph import FlowchartError
from strategies.validation import InvalidStrategy, strategy_summary, validate_strategy
from tests.strategies import drop_node, node, seed_strategy


def validated(data: object, *, stated_capital_usd: float | None) -> dict[str, Any]:
    """The JSON of the strategy validate_strategy returns, as it is stored and sent."""
    return validate_strategy(data, stated_capital_usd=stated_capital_usd).model_dump(mode="json")


def _invalid(data: object) -> str:
    """The InvalidStrategy message validate_strategy gives for this input."""
    with pytest.raises(InvalidStrategy) as info:
        validate_strategy(data, stated_capital_usd=1000)
    message = str(info.value)
    assert "pydantic" not in message.lower()
    assert "validation error for" not in message.lower()
    assert message.endswith(".")
    return message


def test_seed_example_validates_and_comes_back_normalised() -> None:
    result = validated(seed_strategy(), stated_capital_usd=1000)
    assert result["flowchart"]["edges"][0] == ["start", "category"]
    assert result["degen_class"] == {"options": ["High", "Medium", "Low"], "selected": "High"}
    assert result["strategy_metrics"]["estimated_capital_required_usd"] == 1000.0
    assert node(result, "stop_loss")["meta"] == {"stop_pct": 5.0, "added": True}
    assert "meta" not in node(result, "start")
    assert result["actions"]["run_backtest_button"] == {"label": "Run Backtest", "enabled": True}
    assert json.loads(json.dumps(result)) == result


def test_the_validated_strategy_comes_back_typed_with_the_servers_guardrails() -> None:
    result = validate_strategy(seed_strategy(), stated_capital_usd=1000)
    assert result.degen_class.selected == "High" and result.strategy_metrics.estimated_capital_required_usd == 1000
    assert result.guardrails is not None and "capital_matches_request" in {g.key for g in result.guardrails.enabled}


def test_result_uses_server_guardrails_not_the_models() -> None:
    data = drop_node(seed_strategy(), "stop_loss")
    data["guardrails"] = {"enabled": [{"key": "all_good", "label": "Trust me", "status": "ok"}], "violations": []}
    data["actions"]["run_backtest_button"]["enabled"] = True
    result = validated(data, stated_capital_usd=None)
    keys = [g["key"] for g in result["guardrails"]["enabled"]]
    assert "all_good" not in keys
    assert [v["key"] for v in result["guardrails"]["violations"]] == ["stop_loss_present"]
    assert all(set(g) == {"key", "label", "status", "reason"} for g in result["guardrails"]["enabled"])
    assert result["actions"]["run_backtest_button"]["enabled"] is False


def test_edge_objects_come_back_as_pairs() -> None:
    data = seed_strategy()
    data["flowchart"]["edges"] = [{"source": s, "target": t} for s, t in data["flowchart"]["edges"]]
    result = validated(data, stated_capital_usd=1000)
    assert result["flowchart"]["edges"] == seed_strategy()["flowchart"]["edges"]


def test_lowercase_degen_and_percent_strings_are_normalised() -> None:
    data = seed_strategy()
    data["degen_class"]["selected"] = "medium"
    node(data, "stop_loss")["meta"]["stop_pct"] = "5%"
    result = validated(data, stated_capital_usd=1000)
    assert result["degen_class"]["selected"] == "Medium"
    assert node(result, "stop_loss")["meta"]["stop_pct"] == 5.0


@pytest.mark.parametrize(("value", "kind"), [([], "a list"), ("{}", "text"), (None, "null"), (3, "a number")])
def test_non_dict_input_is_invalid(value: object, kind: str) -> None:
    message = _invalid(value)
    assert "JSON object" in message and kind in message


def test_missing_degen_class_names_the_risk_class() -> None:
    data = seed_strategy()
    del data["degen_class"]
    assert _invalid(data) == "The strategy is missing its risk class (degen_class)."


def test_missing_metric_is_named_in_words() -> None:
    data = seed_strategy()
    del data["strategy_metrics"]["estimated_capital_required_usd"]
    message = _invalid(data)
    assert "capital required" in message and "strategy metrics" in message


def test_bad_stop_loss_names_the_step_and_the_limit() -> None:
    data = seed_strategy()
    node(data, "stop_loss")["meta"]["stop_pct"] = 150
    message = _invalid(data)
    assert message == "The stop loss percentage (stop_pct) of step 'stop_loss' must be less than 100."


def test_non_numeric_value_says_it_must_be_a_number() -> None:
    data = seed_strategy()
    data["strategy_metrics"]["impact_monthly_return_delta_pct"] = "lots"
    assert "monthly return target" in _invalid(data) and "must be a number" in _invalid(data)


def test_unknown_risk_level_lists_the_choices() -> None:
    data = seed_strategy()
    data["degen_class"]["selected"] = "YOLO"
    message = _invalid(data)
    assert "risk level" in message and "'High', 'Medium' or 'Low'" in message


def test_unknown_node_type_is_named() -> None:
    data = seed_strategy()
    node(data, "entry")["type"] = "moon_shot"
    assert _invalid(data) == "Step 'entry' of the strategy's flowchart has an unknown type 'moon_shot'."


def test_node_without_type_is_named_by_position() -> None:
    data = seed_strategy()
    data["flowchart"]["nodes"][2] = {"label": "??"}
    assert _invalid(data) == "Step 3 of the strategy's flowchart has no type."


def test_malformed_edge_is_explained() -> None:
    data = seed_strategy()
    data["flowchart"]["edges"][1] = ["category"]
    assert "Edge 2" in _invalid(data) and "pair of step ids" in _invalid(data)


def test_at_most_two_problems_are_reported() -> None:
    message = _invalid({"flowchart": 1, "degen_class": 2, "strategy_metrics": 3})
    assert message.count(".") == 2


def test_edge_to_missing_step_is_a_flowchart_error() -> None:
    data = seed_strategy()
    data["flowchart"]["edges"].append(["entry", "exit"])
    with pytest.raises(FlowchartError):
        validate_strategy(data, stated_capital_usd=None)
    assert _invalid(data) == "The strategy's flowchart has an edge to a step that doesn't exist: 'exit'."


def test_summary_reads_as_one_line() -> None:
    result = validated(seed_strategy(), stated_capital_usd=1000)
    assert strategy_summary(result) == "High risk · DeFi · $1,000 · target 7% monthly · stop loss 5%"


def test_summary_says_when_there_is_no_stop_loss() -> None:
    result = validated(drop_node(_low_risk(), "stop_loss"), stated_capital_usd=None)
    assert strategy_summary(result).endswith("no stop loss")


def _low_risk() -> dict[str, Any]:
    """The seed strategy in the Low class."""
    data = seed_strategy()
    data["degen_class"]["selected"] = "Low"
    return data


# --- untrusted input never escapes as anything but InvalidStrategy ----------------------------

_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside nested dicts and lists."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, prefix + (index,))
    return found


_SEED_PATHS = _paths(seed_strategy())


@st.composite
def _mutated_strategies(draw: st.DrawFn) -> dict[str, Any]:
    """The seed strategy with a few values deleted or replaced by junk."""
    data = copy.deepcopy(seed_strategy())
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(_SEED_PATHS))
        parent: Any = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(_JUNK)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation already replaced part of this path
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated_strategies(), st.one_of(st.none(), st.floats(min_value=1, max_value=1e9)))
def test_mutated_strategies_only_ever_raise_invalid_strategy(data: dict[str, Any], capital: float | None) -> None:
    try:
        result = validated(data, stated_capital_usd=capital)
    except InvalidStrategy as exc:
        assert str(exc) and "pydantic" not in str(exc).lower()
    else:
        json.dumps(result, allow_nan=False)
        strategy_summary(result)


@given(_JUNK)
def test_arbitrary_json_only_ever_raises_invalid_strategy(data: Any) -> None:
    with pytest.raises(InvalidStrategy):
        validate_strategy(data, stated_capital_usd=None)


# --- every problem by its JSON path (an edit or an import lists them all) -------------------


def _problems(data: object) -> list[tuple[str, str]]:
    """The (path, message) pairs of the InvalidStrategy validate_strategy raises for this input."""
    with pytest.raises(InvalidStrategy) as info:
        validate_strategy(data, stated_capital_usd=None)
    return [(problem.path, problem.message) for problem in info.value.problems]


def test_every_schema_problem_is_named_by_its_json_path_while_the_message_stays_short() -> None:
    data = seed_strategy()
    node(data, "stop_loss")["meta"]["stop_pct"] = 150
    node(data, "profit_target")["meta"]["target_pct"] = "lots"
    node(data, "entry")["meta"]["conditions"] = [{"kind": "rsi_below", "period": 14, "threshold": 0}]
    data["degen_class"]["selected"] = "Extreme"

    problems = _problems(data)

    assert problems == [
        ("flowchart.nodes[2].meta.conditions[0].threshold",
         "The RSI threshold (threshold) in entry condition 1 of step 'entry' must be greater than 0."),
        ("flowchart.nodes[3].meta.target_pct",
         "The profit target percentage (target_pct) of step 'profit_target' must be a number."),
        ("flowchart.nodes[4].meta.stop_pct",
         "The stop loss percentage (stop_pct) of step 'stop_loss' must be less than 100."),
        ("degen_class.selected",
         "The risk level (selected) in the risk class must be one of 'High', 'Medium' or 'Low'."),
    ]
    assert _invalid(data) == " ".join(message for _, message in problems[:2])


def test_a_condition_of_no_known_kind_is_named_with_the_kinds_there_are() -> None:
    data = seed_strategy()
    node(data, "entry")["meta"]["conditions"] = [{"kind": "elon_tweets"}]

    assert _problems(data) == [(
        "flowchart.nodes[2].meta.conditions[0]",
        "Entry condition 1 of step 'entry' must have a kind: one of drop_from_high, ma_cross_up, price_above_ma, "
        "rsi_below.",
    )]


def test_a_missing_top_level_part_and_a_non_object_have_paths_too() -> None:
    missing = seed_strategy()
    del missing["strategy_metrics"]

    assert _problems(missing) == [
        ("strategy_metrics", "The strategy is missing its strategy metrics (strategy_metrics).")
    ]
    assert _problems([1, 2]) == [("", "The strategy must be a JSON object, but the assistant sent a list.")]


def test_the_problems_listed_are_bounded() -> None:
    data = seed_strategy()
    stops = [{"id": f"stop{n}", "type": "stop_loss", "meta": {"stop_pct": 500}} for n in range(90)]
    data["flowchart"]["nodes"] += stops

    problems = _problems(data)

    assert len(problems) == 50
    assert problems[0] == (
        "flowchart.nodes[6].meta.stop_pct", "The stop loss percentage (stop_pct) of step 'stop0' must be less than 100."
    )
