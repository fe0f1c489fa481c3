"""Downloading candles with ccxt from a local Binance replaying recorded responses: pages, resuming, 429s."""

from datetime import UTC, datetime

import pytest

from strategies.models import Candle
from strategies.prices.exchange import PAGE_SIZE, FetchFailed, FetchReport, candles_fetch, exchange_client
from tests.fakes.binance import fake_binance

pytestmark = pytest.mark.django_db

JAN_1, FEB_1 = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC)
JAN_1_MS = 1704067200000
DAY_MS = 86_400_000


def _fetch(url: str, *, until: datetime | None = None, page_size: int = PAGE_SIZE) -> FetchReport:
    """Fetch BTC/USDT daily bars of January 2024 from the fake at `url`."""
    client = exchange_client(exchange_id="binance", api_url=url)
    return candles_fetch(
        client=client, symbol="BTC/USDT", timeframe="1d", since=JAN_1, until=until, page_size=page_size
    )


def _stored_days() -> list[int]:
    """The days of January of the stored binance bars."""
    times = Candle.objects.filter(source="binance").order_by("time").values_list("time", flat=True)
    return [time.day for time in times]


def test_a_download_goes_page_by_page_and_stores_the_exchanges_bars_as_binance() -> None:
    with fake_binance() as binance:
        report = _fetch(binance.url, page_size=10)
    assert (report.stored, report.first, report.last) == (31, JAN_1, datetime(2024, 1, 31, tzinfo=UTC))
    assert _stored_days() == list(range(1, 32))
    assert [int(query["startTime"]) for query in binance.klines_requests()] == [
        JAN_1_MS, JAN_1_MS + 10 * DAY_MS, JAN_1_MS + 20 * DAY_MS, JAN_1_MS + 30 * DAY_MS, JAN_1_MS + 31 * DAY_MS,
    ]
    assert {query["symbol"] for query in binance.klines_requests()} == {"BTCUSDT"}
    first = Candle.objects.get(source="binance", time=JAN_1)
    assert (first.open, first.high, first.low, first.close, first.volume) == (
        42283.58, 42499.83, 42002.48, 42097.66, 40507.04418088,
    )


def test_a_second_download_resumes_after_the_last_stored_bar() -> None:
    with fake_binance() as binance:
        _fetch(binance.url, until=datetime(2024, 1, 15, tzinfo=UTC))
        assert _stored_days() == list(range(1, 15))  # until is exclusive
        resumed = _fetch(binance.url)
    assert resumed.stored == 17 and resumed.first == datetime(2024, 1, 15, tzinfo=UTC)
    assert int(binance.klines_requests()[1]["startTime"]) == JAN_1_MS + 14 * DAY_MS
    assert _stored_days() == list(range(1, 32))


def test_a_rate_limit_stops_the_download_with_a_sentence_and_keeps_what_was_stored() -> None:
    with fake_binance(klines_before_429=1) as binance:
        with pytest.raises(FetchFailed) as stopped:
            _fetch(binance.url, page_size=10)
    assert str(stopped.value) == (
        "binance refused more requests for now (rate limit, HTTP 429). The 10 candles fetched up to "
        "2024-01-10 00:00 UTC are stored; run the same command again later to resume from there."
    )
    assert _stored_days() == list(range(1, 11))
    with fake_binance() as binance:
        _fetch(binance.url, page_size=10)
    assert int(binance.klines_requests()[0]["startTime"]) == JAN_1_MS + 10 * DAY_MS
    assert _stored_days() == list(range(1, 32))


def test_a_rate_limit_before_any_page_says_nothing_was_stored() -> None:
    with fake_binance(klines_before_429=0) as binance, pytest.raises(FetchFailed, match="nothing was stored"):
        _fetch(binance.url)
    assert not Candle.objects.exists()


def test_a_market_the_exchange_does_not_list_is_named() -> None:
    with fake_binance() as binance, pytest.raises(FetchFailed, match="^binance has no market DOGE/BTC; nothing"):
        client = exchange_client(exchange_id="binance", api_url=binance.url)
        candles_fetch(client=client, symbol="DOGE/BTC", timeframe="1d", since=JAN_1)


def test_an_impossible_candle_from_the_exchange_stops_the_download_before_its_page_is_stored() -> None:
    # The recorded ETHUSDT klines end with a bar whose high is below its low.
    with fake_binance() as binance, pytest.raises(FetchFailed) as stopped:
        client = exchange_client(exchange_id="binance", api_url=binance.url)
        candles_fetch(client=client, symbol="ETH/USDT", timeframe="1d", since=JAN_1)
    assert str(stopped.value) == (
        "binance sent an impossible candle at 2024-01-03 00:00 UTC (the high (2200) is below the low (2390)); "
        "nothing was stored."
    )
    assert not Candle.objects.exists()


def test_an_unknown_exchange_is_refused_by_name() -> None:
    with pytest.raises(FetchFailed, match="ccxt knows no exchange 'binanse'"):
        exchange_client(exchange_id="binanse")
