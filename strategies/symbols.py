"""The market each crypto category is backtested on when its step names no `meta.symbol`.

| category (any case; spaces, hyphens alike) | default symbol | why |
| --- | --- | --- |
| BTC/ETH, Bitcoin, BTC, majors, blue chips | BTC/USDT | the largest market |
| Ethereum, ETH | ETH/USDT | |
| DeFi | ETH/USDT | most DeFi runs on Ethereum; ETH has the longest, deepest history of the sector |
| Layer 1, L1, Solana | SOL/USDT | the most traded layer-1 after Bitcoin and Ethereum |
| Memecoins, meme coins, memes, Dogecoin | DOGE/USDT | the oldest and deepest memecoin market |
| AI tokens | FET/USDT | the longest-listed AI token |
| Stablecoins | USDC/USDT | the category's own market (a pegged pair: it barely moves) |
| anything else | BTC/USDT | `FALLBACK_SYMBOL` |
"""

from __future__ import annotations

import re

from strategies.schemas import CategoryMeta

FALLBACK_SYMBOL = "BTC/USDT"

_DEFAULTS: dict[str, tuple[str, ...]] = {
    "BTC/USDT": ("btc/eth", "bitcoin", "btc", "majors", "blue chips", "blue chip"),
    "ETH/USDT": ("ethereum", "eth", "defi"),
    "SOL/USDT": ("layer 1", "l1", "layer one", "solana"),
    "DOGE/USDT": ("memecoins", "memecoin", "meme coins", "memes", "dogecoin"),
    "FET/USDT": ("ai tokens", "ai"),
    "USDC/USDT": ("stablecoins", "stablecoin", "stable coins", "stables"),
}
CATEGORY_SYMBOLS: dict[str, str] = {name: symbol for symbol, names in _DEFAULTS.items() for name in names}
#: Every symbol a category can default to: the bundled demo set covers these.
DEFAULT_SYMBOLS: tuple[str, ...] = tuple(_DEFAULTS)


def _normalised(category: str) -> str:
    """Lower case, hyphens and underscores as spaces, runs of spaces as one."""
    return " ".join(re.sub(r"[-_]", " ", category).casefold().split())


def default_symbol(category: str) -> str:
    """The symbol a category is backtested on by default (`FALLBACK_SYMBOL` for an unknown one)."""
    return CATEGORY_SYMBOLS.get(_normalised(category), FALLBACK_SYMBOL)


def category_symbol(meta: CategoryMeta) -> str:
    """The category step's own symbol, or its category's default."""
    return meta.symbol or default_symbol(meta.category)
