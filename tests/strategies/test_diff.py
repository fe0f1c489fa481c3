"""strategies.diff on hand-built pairs of strategies: what changed, by id and path, and in words."""

from __future__ import annotations

import copy
import time

from strategies.diff import strategy_diff
from strategies.validation import validate_strategy
from tests.strategies import drop_node, node, seed_strategy


def test_nothing_changed_is_an_empty_diff() -> None:
    diff = strategy_diff(seed_strategy(), seed_strategy())
    assert diff.nodes_added == diff.nodes_removed == diff.nodes_changed == []
    assert diff.edges_added == diff.edges_removed == diff.fields == []
    assert diff.lines == []


def test_a_changed_stop_loss_is_named_by_path_with_old_and_new_value() -> None:
    new = seed_strategy()
    node(new, "stop_loss")["meta"]["stop_pct"] = 4.0

    diff = strategy_diff(seed_strategy(), new)

    [changed] = diff.nodes_changed
    assert (changed.id, changed.type) == ("stop_loss", "stop_loss")
    assert [(c.path, c.old, c.new) for c in changed.changes] == [("meta.stop_pct", 5.0, 4.0)]
    assert diff.lines == ["Stop loss 5% → 4%"]
    assert diff.nodes_added == diff.nodes_removed == [] and diff.edges_added == []


def test_an_added_step_and_its_edges() -> None:
    old = seed_strategy()
    new = seed_strategy()
    new["flowchart"]["nodes"].insert(
        3, {"id": "exit", "type": "exit_condition", "label": "Exit Condition: ", "meta": {"rules": ["RSI above 70"]}}
    )
    new["flowchart"]["edges"] = [e for e in new["flowchart"]["edges"] if e != ["entry", "profit_target"]]
    new["flowchart"]["edges"] += [["entry", "exit"], ["exit", "profit_target"]]

    diff = strategy_diff(old, new)

    assert [(n.id, n.type, n.label) for n in diff.nodes_added] == [("exit", "exit_condition", "Exit Condition: ")]
    assert diff.edges_added == [("entry", "exit"), ("exit", "profit_target")]
    assert diff.edges_removed == [("entry", "profit_target")]
    assert diff.lines == [
        "Added step 'Exit Condition'",
        "Linked 'Set Entry Condition' → 'Exit Condition'",
        "Linked 'Exit Condition' → 'Profit Target'",
        "Unlinked 'Set Entry Condition' → 'Profit Target'",
    ]


def test_a_removed_step_is_named_by_its_label() -> None:
    diff = strategy_diff(seed_strategy(), drop_node(seed_strategy(), "stop_loss"))
    assert [(n.id, n.label) for n in diff.nodes_removed] == [("stop_loss", "Stop Loss: ")]
    assert diff.edges_removed == [("profit_target", "stop_loss"), ("stop_loss", "end")]
    assert diff.edges_added == [("profit_target", "end")]
    assert diff.lines[0] == "Removed step 'Stop Loss'"


def test_a_stop_loss_the_trader_takes_over_reads_as_no_longer_added_for_safety() -> None:
    old, new = seed_strategy(), seed_strategy()
    node(new, "stop_loss")["meta"]["added"] = False
    assert strategy_diff(old, new).lines == ["Stop loss added for safety yes → no"]


def test_risk_class_metrics_and_timeframe_old_to_new() -> None:
    # The seed strategy names no timeframe: it means the default, 1d.
    new = seed_strategy()
    new["degen_class"]["selected"] = "Medium"
    new["strategy_metrics"] = {"impact_monthly_return_delta_pct": 3.0, "estimated_capital_required_usd": 2500}
    new["timeframe"] = "4h"

    diff = strategy_diff(seed_strategy(), new)

    assert [(f.path, f.old, f.new) for f in diff.fields] == [
        ("degen_class.selected", "High", "Medium"),
        ("strategy_metrics.impact_monthly_return_delta_pct", 7.0, 3.0),
        ("strategy_metrics.estimated_capital_required_usd", 1000, 2500),
        ("timeframe", "1d", "4h"),
    ]
    assert diff.lines == [
        "Risk class High → Medium",
        "Monthly return target 7% → 3%",
        "Capital $1,000 → $2,500",
        "Timeframe 1d → 4h",
    ]


def test_rules_conditions_symbol_and_label_changes_in_words() -> None:
    new = seed_strategy()
    entry = node(new, "entry")
    entry["meta"]["rules"] = ["Enter when RSI is below 30"]
    entry["meta"]["conditions"] = [{"kind": "rsi_below", "period": 14, "threshold": 30}]
    node(new, "category")["meta"]["symbol"] = "ETH/USDT"
    node(new, "profit_target")["label"] = "Take profit: "

    diff = strategy_diff(seed_strategy(), new)

    paths = {n.id: [c.path for c in n.changes] for n in diff.nodes_changed}
    assert paths == {
        "category": ["meta.symbol"], "entry": ["meta.rules", "meta.conditions"], "profit_target": ["label"]
    }
    assert diff.lines == [
        "Symbol default → ETH/USDT",
        "Set Entry Condition: added rule 'Enter when RSI is below 30'",
        "Set Entry Condition: removed rule 'Enter on a 5% price drop'",
        "Set Entry Condition: added condition 'RSI(14) below 30'",
        "Renamed step 'Profit Target' to 'Take profit'",
    ]


def test_the_diff_takes_linear_time_in_the_strategies_size() -> None:
    # Quadratic matching of 20,000 steps and edges would take minutes; linear work takes well under a second.
    old = seed_strategy()
    old["flowchart"]["nodes"] = [
        {"id": f"n{i}", "type": "entry_condition", "label": "", "meta": {"rules": [f"r{i}"] * 20}}
        for i in range(20_000)
    ]
    old["flowchart"]["edges"] = [[f"n{i}", f"n{i + 1}"] for i in range(19_999)]
    new = copy.deepcopy(old)
    for step in new["flowchart"]["nodes"][::2]:
        step["meta"]["rules"] = [f"s{step['id']}"]
    new["flowchart"]["edges"].reverse()

    started = time.process_time()
    diff = strategy_diff(old, new)
    assert time.process_time() - started < 10
    assert len(diff.nodes_changed) == 10_000


def test_a_legacy_version_and_the_same_strategy_saved_since_differ_in_nothing() -> None:
    legacy = seed_strategy()  # stored before entry modes, executable conditions, the safety mark and timeframes
    del node(legacy, "entry")["meta"]["mode"]
    del node(legacy, "stop_loss")["meta"]["added"]
    resaved = validate_strategy(copy.deepcopy(legacy), stated_capital_usd=None).model_dump(mode="json")
    assert "timeframe" not in legacy and "conditions" not in node(legacy, "entry")["meta"]

    diff = strategy_diff(legacy, resaved)

    assert (diff.lines, diff.nodes_changed, diff.fields) == ([], [], [])


def test_rules_are_reordered_only_when_both_lists_hold_the_same_rules() -> None:
    old, reordered, deduplicated = seed_strategy(), seed_strategy(), seed_strategy()
    node(old, "entry")["meta"]["rules"] = ["Enter on a dip", "Enter on a dip", "Enter on volume"]
    node(reordered, "entry")["meta"]["rules"] = ["Enter on volume", "Enter on a dip", "Enter on a dip"]
    node(deduplicated, "entry")["meta"]["rules"] = ["Enter on a dip", "Enter on volume"]

    assert strategy_diff(old, reordered).lines == ["Set Entry Condition: rules reordered"]
    assert strategy_diff(old, deduplicated).lines == ["Set Entry Condition: removed rule 'Enter on a dip'"]


def test_a_version_that_no_longer_validates_is_diffed_as_stored() -> None:
    broken = seed_strategy()
    node(broken, "stop_loss")["meta"]["stop_pct"] = 150  # over today's bound
    del node(broken, "entry")["meta"]["mode"]

    assert strategy_diff(broken, seed_strategy()).lines == ["Entry mode none → ai_optimized", "Stop loss 150% → 5%"]
