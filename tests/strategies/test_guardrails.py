"""Tests for strategies.guardrails: every check, every status, and the button states."""

from typing import Any

import pytest

from strategies.guardrails import (
    compute_actions,
    compute_guardrails,
    format_pct,
    format_usd,
    monthly_equivalent_pct,
    monthly_target_check,
)
from strategies.schemas import GuardrailItem, Guardrails, Strategy
from tests.strategies import drop_node, node, seed_strategy


def _guardrails(data: dict[str, Any], stated_capital_usd: float | None = 1000) -> Guardrails:
    """Compute guardrails for a strategy dict."""
    return compute_guardrails(Strategy.model_validate(data), stated_capital_usd=stated_capital_usd)


def _check(data: dict[str, Any], key: str, stated_capital_usd: float | None = 1000) -> GuardrailItem | None:
    """The guardrail with this key, or None when it was omitted."""
    return next((g for g in _guardrails(data, stated_capital_usd).enabled if g.key == key), None)


def _with_class(selected: str) -> dict[str, Any]:
    """The seed strategy in another risk class."""
    data = seed_strategy()
    data["degen_class"]["selected"] = selected
    return data


def test_seed_strategy_warns_only_of_its_high_risk_and_its_unmeasured_seven_percent_target() -> None:
    guardrails = _guardrails(seed_strategy())
    statuses = {g.key: g.status for g in guardrails.enabled}
    assert statuses == {
        "stop_loss_present": "ok",
        "high_risk_class": "warning",
        "stop_within_target": "ok",
        "capital_matches_request": "ok",
        "no_short_selling": "ok",
        "monthly_target": "warning",
        "backtestable": "ok",
    }
    assert guardrails.violations == []
    assert all(g.reason.endswith(".") for g in guardrails.enabled)


def test_high_class_without_stop_loss_is_a_violation() -> None:
    guardrails = _guardrails(drop_node(seed_strategy(), "stop_loss"))
    check = next(g for g in guardrails.enabled if g.key == "stop_loss_present")
    assert check.status == "violation"
    assert "stop loss" in check.reason
    assert guardrails.violations == [check]


@pytest.mark.parametrize("selected", ["Medium", "Low"])
def test_lower_class_without_stop_loss_is_a_warning(selected: str) -> None:
    check = _check(drop_node(_with_class(selected), "stop_loss"), "stop_loss_present")
    assert check is not None and check.status == "warning"


def test_stop_loss_present_reason_names_the_stop() -> None:
    check = _check(seed_strategy(), "stop_loss_present")
    assert check is not None and check.status == "ok" and "5%" in check.reason


@pytest.mark.parametrize(("selected", "status"), [("High", "warning"), ("Medium", "ok"), ("Low", "ok")])
def test_high_risk_class_warns_only_for_high(selected: str, status: str) -> None:
    check = _check(_with_class(selected), "high_risk_class")
    assert check is not None and check.status == status


def test_stop_wider_than_target_is_a_warning() -> None:
    data = seed_strategy()
    node(data, "stop_loss")["meta"]["stop_pct"] = 10
    check = _check(data, "stop_within_target")
    assert check is not None and check.status == "warning"
    assert "10%" in check.reason and "7%" in check.reason


def test_stop_equal_to_target_is_ok() -> None:
    data = seed_strategy()
    node(data, "stop_loss")["meta"]["stop_pct"] = 7
    check = _check(data, "stop_within_target")
    assert check is not None and check.status == "ok"


@pytest.mark.parametrize("missing", ["stop_loss", "profit_target"])
def test_stop_within_target_is_omitted_without_both_nodes(missing: str) -> None:
    assert _check(drop_node(seed_strategy(), missing), "stop_within_target") is None


def test_capital_mismatch_is_a_warning_naming_both_amounts() -> None:
    data = seed_strategy()
    data["strategy_metrics"]["estimated_capital_required_usd"] = 1500
    check = _check(data, "capital_matches_request", stated_capital_usd=1000)
    assert check is not None and check.status == "warning"
    assert "$1,500" in check.reason and "$1,000" in check.reason


def test_capital_within_half_a_percent_is_ok() -> None:
    data = seed_strategy()
    data["strategy_metrics"]["estimated_capital_required_usd"] = 1004
    check = _check(data, "capital_matches_request", stated_capital_usd=1000)
    assert check is not None and check.status == "ok"


def test_capital_check_is_omitted_when_trader_stated_none() -> None:
    assert _check(seed_strategy(), "capital_matches_request", stated_capital_usd=None) is None


@pytest.mark.parametrize(
    "rule",
    ["Short BTC when RSI > 70", "Go short on a breakdown", "Start shorting after a rally", "Short-sell ETH"],
)
def test_rules_mentioning_shorting_are_a_warning(rule: str) -> None:
    data = seed_strategy()
    node(data, "entry")["meta"]["rules"].append(rule)
    check = _check(data, "no_short_selling")
    assert check is not None and check.status == "warning"
    assert rule in check.reason


def test_exit_rules_are_checked_for_shorting_too() -> None:
    data = seed_strategy()
    data["flowchart"]["nodes"].append({"id": "exit", "type": "exit_condition", "meta": {"rules": ["Flip short"]}})
    check = _check(data, "no_short_selling")
    assert check is not None and check.status == "warning"


@pytest.mark.parametrize("rule", ["Enter on short-term momentum", "Buy after a short term dip", "Shortlist top coins"])
def test_short_term_is_not_short_selling(rule: str) -> None:
    data = seed_strategy()
    node(data, "entry")["meta"]["rules"] = [rule]
    check = _check(data, "no_short_selling")
    assert check is not None and check.status == "ok"


@pytest.mark.parametrize("target", [3.5, 7, 10, 50])
def test_an_unmeasured_target_above_three_percent_a_month_is_a_warning_not_a_green_tick(target: float) -> None:
    data = seed_strategy()
    data["strategy_metrics"]["impact_monthly_return_delta_pct"] = target
    check = _check(data, "monthly_target")
    assert check is not None and check.status == "warning"
    assert f"{format_pct(target)} monthly target is above the 3% a month ceiling" in check.reason
    assert "run a backtest" in check.reason and "realistic" not in check.label + check.reason


@pytest.mark.parametrize("target", [3, 2.5, -1])
def test_a_target_within_the_ceiling_is_labelled_as_no_measurement(target: float) -> None:
    data = seed_strategy()
    data["strategy_metrics"]["impact_monthly_return_delta_pct"] = target
    check = _check(data, "monthly_target")
    assert check is not None and check.status == "ok"
    assert check.label == "Target within the 3%/month ceiling (not a measurement)"
    assert "proposed by the strategist and not yet measured" in check.reason and "realistic" not in check.reason


def test_a_target_above_what_a_backtest_measured_is_a_warning_naming_the_run_and_its_data() -> None:
    # A 12.68 % CAGR is 1 % a month.
    check = monthly_target_check(target_pct=2, measured_cagr_pct=12.68, run="backtest #2", data="binance candles")
    assert (check.key, check.status) == ("monthly_target", "warning")
    assert check.label == "Target above what backtest #2 measured"
    assert check.reason == (
        "The 2% monthly target is above the 1% a month (CAGR 12.7%) that backtest #2 measured on binance candles."
    )


def test_a_target_within_what_a_backtest_measured_says_so_even_above_the_ceiling() -> None:
    check = monthly_target_check(target_pct=4, measured_cagr_pct=70, run="backtest #1", data="binance candles")
    assert (check.status, check.label) == ("ok", "Target within what backtest #1 measured")
    assert "within the 4.52% a month (CAGR 70%) that backtest #1 measured" in check.reason


@pytest.mark.parametrize(("annual", "monthly"), [(42.58, 3.0), (0, 0), (-100, -100), (-150, -100)])
def test_monthly_equivalent_compounds_to_the_annual_figure(annual: float, monthly: float) -> None:
    assert monthly_equivalent_pct(annual) == pytest.approx(monthly, abs=0.005)


def test_an_entry_rule_the_engine_cannot_run_is_a_backtestable_warning_naming_it() -> None:
    data = seed_strategy()
    node(data, "entry")["meta"]["rules"] = ["Enter when Elon tweets"]
    check = _check(data, "backtestable")
    assert check is not None and check.status == "warning"
    assert check.reason.startswith("'Enter when Elon tweets' cannot be backtested")


def test_executable_conditions_are_backtestable() -> None:
    data = seed_strategy()
    rsi_dip = {"kind": "rsi_below", "period": 14, "threshold": 30}
    node(data, "entry")["meta"].update(rules=["Buy RSI dips"], conditions=[rsi_dip])
    check = _check(data, "backtestable")
    assert check is not None and check.status == "ok"


def test_run_backtest_is_enabled_without_violations() -> None:
    actions = compute_actions(_guardrails(seed_strategy()))
    assert actions.explain_button.label == "Explain" and actions.explain_button.enabled
    assert actions.run_backtest_button.label == "Run Backtest" and actions.run_backtest_button.enabled


def test_run_backtest_is_disabled_by_a_violation() -> None:
    actions = compute_actions(_guardrails(drop_node(seed_strategy(), "stop_loss")))
    assert actions.explain_button.enabled
    assert not actions.run_backtest_button.enabled


@pytest.mark.parametrize(("amount", "text"), [(1000, "$1,000"), (1000.5, "$1,000.50"), (25, "$25")])
def test_format_usd(amount: float, text: str) -> None:
    assert format_usd(amount) == text


@pytest.mark.parametrize(("value", "text"), [(7.0, "7%"), (7.5, "7.5%"), (0.25, "0.25%")])
def test_format_pct(value: float, text: str) -> None:
    assert format_pct(value) == text
