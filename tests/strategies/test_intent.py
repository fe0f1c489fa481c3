"""Tests for reading what the trader asked for from one message."""

import time
from collections.abc import Callable

import pytest
from django.conf import settings

from strategies.intent import TraderIntent, parse_capital, parse_intent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I have $1000", 1000.0),
        ("I have $1,000 to invest", 1000.0),
        ("1000 USD", 1000.0),
        ("USD 1500", 1500.0),
        ("about 1000 dollars", 1000.0),
        ("5k", 5000.0),
        ("$5K in DeFi", 5000.0),
        ("$2.5M", 2_500_000.0),
        ("2.5 million", 2_500_000.0),
        ("10 grand", 10_000.0),
        ("$1,000.50", 1000.5),
        ("I have 5000 to invest", 5000.0),
    ],
)
def test_parse_capital_reads_each_money_form(text: str, expected: float) -> None:
    assert parse_capital(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I want 3% monthly",
        "a 4% stop loss",
        "by 2025",
        "3 percent a month",
        "use the 50-day average",
        "I have 3 kids",
        "",
    ],
)
def test_parse_capital_ignores_percentages_years_and_counts(text: str) -> None:
    assert parse_capital(text) is None


def test_parse_capital_prefers_the_amount_the_trader_has() -> None:
    assert parse_capital("Set a stop loss at $950; I have $5,000") == 5000.0
    assert parse_capital("grow it to $10,000 — I have $2k") == 2000.0


def test_parse_capital_skips_stop_loss_amount() -> None:
    assert parse_capital("put the stop at $950") is None


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("a conservative strategy", "Low"),
        ("something safe", "Low"),
        ("low risk please", "Low"),
        ("not too risky", "Low"),
        ("a balanced approach", "Medium"),
        ("moderate", "Medium"),
        ("medium risk", "Medium"),
        ("please choose a high-return strategy", "High"),
        ("go aggressive", "High"),
        ("high risk is fine", "High"),
        ("full degen", "High"),
        ("yolo", "High"),
        ("just a strategy", None),
    ],
)
def test_parse_intent_reads_risk_words(text: str, risk: str | None) -> None:
    assert parse_intent(text).risk == risk


@pytest.mark.parametrize(
    ("text", "shift"),
    [
        ("make it less risky", -1),
        ("safer please", -1),
        ("more conservative", -1),
        ("lower the risk", -1),
        ("more aggressive", 1),
        ("riskier", 1),
        ("I can take more risk", 1),
        ("add a stop loss at 4%", 0),
    ],
)
def test_parse_intent_reads_risk_shift_without_absolute_class(text: str, shift: int) -> None:
    intent = parse_intent(text)
    assert intent.risk_shift == shift
    assert intent.risk is None


@pytest.mark.parametrize(
    "text", ["3% monthly", "3% a month", "3% per month", "3 percent every month", "monthly returns of 3%", "3%/mo"]
)
def test_parse_intent_reads_monthly_target(text: str) -> None:
    assert parse_intent(text).monthly_target_pct == 3.0


def test_parse_intent_reads_decimal_monthly_target() -> None:
    assert parse_intent("7.5%/mo").monthly_target_pct == 7.5


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("DeFi tokens", "DeFi"),
        ("memecoins", "Memecoins"),
        ("meme coins like doge", "Memecoins"),
        ("layer 1 chains", "Layer 1"),
        ("L1s", "Layer 1"),
        ("bitcoin", "Bitcoin"),
        ("ETH only", "Ethereum"),
        ("switch to ethereum", "Ethereum"),
        ("btc/eth", "BTC/ETH"),
        ("Bitcoin and Ether", "BTC/ETH"),
        ("blue chips", "BTC/ETH"),
        ("stablecoins", "Stablecoins"),
        ("AI tokens", "AI tokens"),
        ("anything", None),
    ],
)
def test_parse_intent_names_category(text: str, category: str | None) -> None:
    assert parse_intent(text).category == category


@pytest.mark.parametrize(
    ("text", "wanted"),
    [("add a stop loss", True), ("with a stop-loss", True),
     ("add the stop loss back", True), ("remove the stop loss", False), ("explain the stop loss", False),
     ("why a stop loss?", False)],
)
def test_parse_intent_reads_a_request_for_a_stop_loss_without_a_level(text: str, wanted: bool) -> None:
    assert parse_intent(text).wants_stop_loss is wanted


@pytest.mark.parametrize(
    "text", ["add a stop loss at 4%", "stop at 4%", "4% stop loss", "set the stop-loss to 4 percent"]
)
def test_parse_intent_reads_stop_loss(text: str) -> None:
    intent = parse_intent(text)
    assert intent.stop_loss_pct == 4.0
    assert intent.capital_usd is None
    assert intent.monthly_target_pct is None


@pytest.mark.parametrize("text", ["take profit at 10%", "profit target 10%", "a 10% take-profit"])
def test_parse_intent_reads_take_profit(text: str) -> None:
    assert parse_intent(text).take_profit_pct == 10.0


def test_parse_intent_ignores_impossible_percentages_and_amounts() -> None:
    intent = parse_intent("stop loss at 150%, take profit at 0%, I have $" + "9" * 400)
    assert (intent.stop_loss_pct, intent.take_profit_pct, intent.capital_usd) == (None, None, None)


def test_parse_intent_reads_remove_stop_loss() -> None:
    assert parse_intent("remove the stop loss").remove_stop_loss
    assert parse_intent("no stop loss please").remove_stop_loss
    assert not parse_intent("add a stop loss at 4%").remove_stop_loss


def test_parse_intent_reads_explanation_request() -> None:
    assert parse_intent("Explain this strategy").wants_explanation
    assert parse_intent("why 5%?").wants_explanation
    assert not parse_intent("make it safer").wants_explanation


def test_parse_intent_reads_seed_examples() -> None:
    assert parse_intent("I have $1000, please choose a high-return strategy") == TraderIntent(
        capital_usd=1000.0, risk="High"
    )
    assert parse_intent("I have $5000 and want a conservative strategy with 3% monthly returns") == TraderIntent(
        capital_usd=5000.0, risk="Low", monthly_target_pct=3.0
    )


# The longest message a trader may send; parse_intent is also tested at 10x.
MESSAGE_LIMIT = settings.CHAT_MAX_MESSAGE_CHARS
# Each made the earlier patterns rescan a run of digits or spaces once per position: 0.3-1.6 s at
# 4,000 characters, over 20 s (minutes, extrapolated) at 40,000, with every socket frozen meanwhile.
RUNS_THAT_BACKTRACKED: dict[str, Callable[[int], str]] = {
    "digits": lambda n: "1" * n,
    "digits then a percent sign": lambda n: "1" * n + "%",
    "usd then spaces": lambda n: "usd" + " " * n + "x",
    "spaces before a word": lambda n: "I have" + " " * n + "x",
    "stop then spaces": lambda n: "stop" + " " * n + "x",
    "take profit then spaces": lambda n: "take profit" + " " * n + "x",
    "profit target then spaces": lambda n: "profit target" + " " * n + "x",
    "monthly returns then spaces": lambda n: "monthly returns" + " " * n + "x",
    "add then spaces": lambda n: "add" + " " * n + "back" + " " * n + "a" + " " * n + "x",
}
# Runs of symbols and repeated keywords the patterns must stay linear on too.
REPEATS: dict[str, Callable[[int], str]] = {
    "stop": lambda n: "stop " * (n // 5),
    "take profit at": lambda n: "take profit at " * (n // 15),
    "monthly returns of": lambda n: "monthly returns of " * (n // 19),
    "percent signs": lambda n: "%" * n,
    "dollar signs": lambda n: "$" * n,
    "commas": lambda n: "," * n,
    "backticks": lambda n: "`" * n,
    "letters": lambda n: "a" * n,
    "numbers with commas": lambda n: "1," * (n // 2),
    "numbers with dots": lambda n: "1." * (n // 2),
    "percentages": lambda n: "1% " * (n // 3),
    "put in a": lambda n: "put in a " * (n // 9),
}


def _seconds_to_parse_at_the_limit_and_ten_times_it(make_text: Callable[[int], str]) -> float:
    """Time parse_intent on `make_text` at the message limit and at ten times it."""
    texts = [make_text(MESSAGE_LIMIT), make_text(10 * MESSAGE_LIMIT)]
    started = time.perf_counter()
    for text in texts:
        parse_intent(text)
    return time.perf_counter() - started


@pytest.mark.parametrize("make_text", RUNS_THAT_BACKTRACKED.values(), ids=RUNS_THAT_BACKTRACKED.keys())
def test_parse_intent_reads_long_runs_of_digits_and_spaces_in_linear_time(make_text) -> None:
    assert _seconds_to_parse_at_the_limit_and_ten_times_it(make_text) < 0.5


@pytest.mark.parametrize("make_text", REPEATS.values(), ids=REPEATS.keys())
def test_parse_intent_reads_repeated_keywords_and_symbols_in_linear_time(make_text) -> None:
    assert _seconds_to_parse_at_the_limit_and_ten_times_it(make_text) < 0.5


def test_parse_intent_still_reads_facts_after_a_long_run_of_spaces() -> None:
    gap = " " * MESSAGE_LIMIT
    intent = parse_intent(f"I have{gap}$2000, stop loss at{gap}4% and monthly returns of{gap}3%")
    assert (intent.capital_usd, intent.stop_loss_pct, intent.monthly_target_pct) == (2000.0, 4.0, 3.0)
