"""Tests for strategies.graph: the flowchart must be a usable graph."""

from typing import Any

import pytest

from strategies.graph import FlowchartError, check_flowchart
from strategies.schemas import Flowchart, InvalidStrategy
from strategies.validation import validate_strategy
from tests.strategies import seed_strategy


def _flowchart(**changes: Any) -> Flowchart:
    """The seed flowchart with some keys replaced."""
    return Flowchart.model_validate({**seed_strategy()["flowchart"], **changes})


def _nodes() -> list[dict[str, Any]]:
    """The seed's nodes."""
    return seed_strategy()["flowchart"]["nodes"]


def test_seed_flowchart_passes() -> None:
    check_flowchart(_flowchart())


def test_exits_written_as_branches_from_the_entry_each_to_the_end_pass() -> None:
    edges = [["start", "category"], ["category", "entry"], ["entry", "profit_target"], ["profit_target", "end"],
             ["entry", "stop_loss"], ["stop_loss", "end"]]
    check_flowchart(_flowchart(edges=edges))


def test_a_flowchart_error_is_reported_as_an_invalid_strategy() -> None:
    strategy = seed_strategy()
    strategy["flowchart"]["edges"] = []
    with pytest.raises(InvalidStrategy, match="no path from the start step to the end step"):
        validate_strategy(strategy, stated_capital_usd=None)


def test_duplicate_node_ids_are_named() -> None:
    nodes = _nodes()
    nodes[3]["id"] = "entry"
    with pytest.raises(FlowchartError, match="more than one step with the id 'entry'"):
        check_flowchart(_flowchart(nodes=nodes))


def test_edge_to_missing_node_is_named() -> None:
    edges = seed_strategy()["flowchart"]["edges"] + [["entry", "exit"]]
    with pytest.raises(FlowchartError, match="edge to a step that doesn't exist: 'exit'"):
        check_flowchart(_flowchart(edges=edges))


def test_edge_from_missing_node_is_named() -> None:
    edges = seed_strategy()["flowchart"]["edges"] + [["ghost", "end"]]
    with pytest.raises(FlowchartError, match="edge from a step that doesn't exist: 'ghost'"):
        check_flowchart(_flowchart(edges=edges))


def test_missing_start_node_is_an_error() -> None:
    nodes = [n for n in _nodes() if n["type"] != "start"]
    edges = [e for e in seed_strategy()["flowchart"]["edges"] if "start" not in e]
    with pytest.raises(FlowchartError, match="no start step"):
        check_flowchart(_flowchart(nodes=nodes, edges=edges))


def test_two_start_nodes_are_an_error() -> None:
    nodes = _nodes() + [{"id": "start2", "type": "start"}]
    with pytest.raises(FlowchartError, match="more than one start step"):
        check_flowchart(_flowchart(nodes=nodes))


def test_missing_end_node_is_an_error() -> None:
    nodes = [n for n in _nodes() if n["type"] != "end"]
    edges = [e for e in seed_strategy()["flowchart"]["edges"] if "end" not in e]
    with pytest.raises(FlowchartError, match="no end step"):
        check_flowchart(_flowchart(nodes=nodes, edges=edges))


def test_no_path_from_start_to_end_is_an_error() -> None:
    edges = [e for e in seed_strategy()["flowchart"]["edges"] if e != ["entry", "profit_target"]]
    with pytest.raises(FlowchartError, match="no path from the start step to the end step"):
        check_flowchart(_flowchart(edges=edges))


def test_edges_pointing_backwards_do_not_make_a_path() -> None:
    edges = [["category", "start"], ["end", "category"]]
    with pytest.raises(FlowchartError, match="no path"):
        check_flowchart(_flowchart(edges=edges))


def test_cycles_are_allowed_when_the_end_is_reachable() -> None:
    edges = seed_strategy()["flowchart"]["edges"] + [["stop_loss", "entry"]]
    check_flowchart(_flowchart(edges=edges))


def test_every_graph_problem_is_named_by_the_path_of_its_node_or_edge() -> None:
    strategy = seed_strategy()
    strategy["flowchart"]["nodes"][3]["id"] = "entry"  # profit_target is gone: two edges name it
    strategy["flowchart"]["nodes"].append({"id": "start2", "type": "start"})
    strategy["flowchart"]["edges"].append(["ghost", "end"])

    with pytest.raises(FlowchartError) as info:
        validate_strategy(strategy, stated_capital_usd=None)

    assert str(info.value) == "The strategy's flowchart has more than one step with the id 'entry'."
    flowchart_has = "The strategy's flowchart has"
    assert [(problem.path, problem.message) for problem in info.value.problems] == [
        ("flowchart.nodes[3].id", f"{flowchart_has} more than one step with the id 'entry'."),
        ("flowchart.edges[2][1]", f"{flowchart_has} an edge to a step that doesn't exist: 'profit_target'."),
        ("flowchart.edges[3][0]", f"{flowchart_has} an edge from a step that doesn't exist: 'profit_target'."),
        ("flowchart.edges[5][0]", f"{flowchart_has} an edge from a step that doesn't exist: 'ghost'."),
        ("flowchart.nodes[6].type", f"{flowchart_has} more than one start step."),
    ]


def test_a_flowchart_with_no_start_and_no_end_names_both() -> None:
    flowchart = _flowchart(nodes=[n for n in _nodes() if n["type"] not in ("start", "end")], edges=[])

    with pytest.raises(FlowchartError) as info:
        check_flowchart(flowchart)

    assert [problem.message for problem in info.value.problems] == [
        "The strategy's flowchart has no start step.", "The strategy's flowchart has no end step."
    ]
