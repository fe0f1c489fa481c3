"""`manage.py fetch_prices` against a local Binance replaying recorded responses."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from strategies.models import Candle
from tests.fakes.binance import fake_binance

pytestmark = pytest.mark.django_db

ARGS = ("--exchange", "binance", "--symbol", "BTC/USDT", "--timeframe", "1d", "--since", "2024-01-01")


def _fetch(url: str, *extra: str) -> str:
    """Run the command against the fake and return what it printed."""
    out = StringIO()
    call_command("fetch_prices", *ARGS, "--api-url", url, *extra, stdout=out)
    return out.getvalue()


def test_the_command_stores_the_range_then_resumes_where_it_stopped() -> None:
    with fake_binance() as binance:
        first = _fetch(binance.url, "--until", "2024-01-20")
        second = _fetch(binance.url)
        third = _fetch(binance.url)
    assert "Stored 19 1d candles of BTC/USDT from binance (2024-01-01 00:00 to 2024-01-19 00:00 UTC)." in first
    assert "Stored 12 1d candles of BTC/USDT from binance (2024-01-20 00:00 to 2024-01-31 00:00 UTC)." in second
    assert "No new 1d candles of BTC/USDT on binance: the stored ones are up to date." in third
    assert Candle.objects.filter(source="binance", symbol="BTC/USDT", timeframe="1d").count() == 31


def test_a_rate_limit_is_one_sentence_and_the_stored_candles_stay() -> None:
    with fake_binance(klines_before_429=0) as binance, pytest.raises(CommandError) as stopped:
        _fetch(binance.url)
    assert str(stopped.value) == (
        "binance refused more requests for now (rate limit, HTTP 429); nothing was stored. Run the command again later."
    )


def test_a_bad_symbol_is_refused_before_any_request() -> None:
    with fake_binance() as binance, pytest.raises(CommandError, match="The symbol 'btc-usdt' is not a spot pair"):
        call_command("fetch_prices", *ARGS[:2], "--symbol", "btc-usdt", "--timeframe", "1d", "--since",
                     "2024-01-01", "--api-url", binance.url)
    assert binance.requests == []


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (["--since", "2024-02-01", "--until", "2024-01-01"], "--until must be after --since."),
        (["--since", "last year"], "'last year' is not an ISO 8601 date or time, e.g. 2022-01-01."),
    ],
)
def test_a_bad_range_is_refused_with_a_sentence(dates: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("fetch_prices", *ARGS[:6], *dates)
