"""Each category's documented default backtest symbol, and the fallback."""

import pytest

from strategies.schemas import CategoryMeta
from strategies.symbols import DEFAULT_SYMBOLS, FALLBACK_SYMBOL, category_symbol, default_symbol


@pytest.mark.parametrize(
    ("category", "symbol"),
    [("BTC/ETH", "BTC/USDT"), ("DeFi", "ETH/USDT"), ("layer-1", "SOL/USDT"), (" Meme  coins", "DOGE/USDT"),
     ("AI tokens", "FET/USDT"), ("Stablecoins", "USDC/USDT"), ("Bitcoin", "BTC/USDT")],
)
def test_each_category_has_its_default_symbol(category: str, symbol: str) -> None:
    assert default_symbol(category) == symbol


def test_an_unknown_category_falls_back_to_btc() -> None:
    assert default_symbol("Real-world assets") == FALLBACK_SYMBOL == "BTC/USDT"


def test_the_category_steps_own_symbol_wins() -> None:
    assert category_symbol(CategoryMeta(category="DeFi", symbol="UNI/USDT")) == "UNI/USDT"
    assert category_symbol(CategoryMeta(category="DeFi")) == "ETH/USDT"


def test_every_default_is_listed_once_for_the_demo_set() -> None:
    assert sorted(DEFAULT_SYMBOLS) == sorted({"BTC/USDT", "ETH/USDT", "SOL/USDT", "DOGE/USDT", "FET/USDT", "USDC/USDT"})
