"""What the trader asked for, read from one chat message with keyword tables and small regexes.

`parse_intent(text)` returns a `TraderIntent`: the capital (`parse_capital`), an absolute risk class
or a one-step shift for follow-ups, a monthly target, a crypto category, stop loss / take profit
percentages, a request to add or remove the stop loss and a request for an explanation. Every field is
None / 0 / False when the message does not say it. No model is involved: words in, facts out.

Every pattern runs in time linear in the message, whatever it holds. In the patterns that read
numbers, a number starts only at the first digit of its run and a repeat never gives back what it
took (possessive `*+` / `++` / `?+`), so no run of digits or spaces is rescanned once per position;
in the keyword tables every run of spaces follows a fixed word, so only that word's match scans it.
The capital cues read a bounded 40 characters before each amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, TypeVar

RiskClass = Literal["Low", "Medium", "High"]
_T = TypeVar("_T")

_NUM = r"(?<!\d)(\d++(?:\.\d++)?+)"
_PCT = r"\s*+(?:%|percent\b|pct\b)"

# A money amount: optional "$" / "USD" or the spaces before the number, a number with optional
# thousands commas, an optional multiplier, then optional markers that reveal a percentage or a
# currency word. Spaces are taken only from the start of their run, so a long run is scanned once.
_AMOUNT = re.compile(
    r"(?:(?P<dollar>\$|\busd)\s*+|(?<!\s)\s++)?+"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<mult>\s*+(?:million|thousand|grand|billion)\b|(?:mm|bn|[kmb])\b)?"
    r"(?P<pct>\s*+(?:%|percent\b|pct\b|x\b))?"
    r"(?P<cur>\s*+(?:usd[ct]?|dollars?|bucks)\b)?",
    re.IGNORECASE,
)
_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6,
                "b": 1e9, "bn": 1e9, "billion": 1e9}
# Words just before an amount that make it the trader's capital ("I have $5000").
_CAPITAL_CUE = re.compile(
    r"\b(?:have|had|got|capital|budget|invest\w*|deposit\w*|account|fund\w*|allocate\w*|"
    r"put\s+in|start\w*\s+with|with)\b[^.,;$\d]*$",
    re.IGNORECASE,
)
# Words just before an amount that make it a price, a stop or a goal rather than capital.
_NOT_CAPITAL = re.compile(
    r"(?:\b(?:stop|profit|target|price|goal|reach|grow\w*(?:\s+it)?\s+to|turn\w*(?:\s+it)?\s+into)"
    r"\b[^.,;$\d]*|\b(?:at|below|above|under)\s*)$",
    re.IGNORECASE,
)
_BARE_MINIMUM_USD = 10.0  # a bare "I have 3 ..." is a count, not money
_MAX_USD = 1e12  # beyond any trader's account; also keeps "9999…9" from becoming infinity

_SHIFT_WORDS: tuple[tuple[str, int], ...] = (
    (r"less\s+risk(?:y)?", -1),
    (r"(?:lower|reduce|cut|decrease)\s+(?:the\s+|my\s+)?risk", -1),
    (r"safer", -1),
    (r"de-?risk", -1),
    (r"more\s+(?:conservative|cautious|careful|defensive)", -1),
    (r"less\s+aggressive", -1),
    (r"tone\s+it\s+down", -1),
    (r"more\s+aggressive", 1),
    (r"riskier", 1),
    (r"more\s+risk(?:y)?", 1),
    (r"(?:higher|increase|raise)\s+(?:the\s+|my\s+)?risk", 1),
    (r"less\s+(?:conservative|cautious)", 1),
    (r"bolder", 1),
)
_RISK_WORDS: tuple[tuple[str, RiskClass], ...] = (
    (r"not\s+(?:too\s+|very\s+|overly\s+)?(?:risky|aggressive)", "Low"),
    (r"conservative|cautious|safe|low[\s-]*risk|minimal\s+risk|preserve\s+(?:my\s+)?capital", "Low"),
    (r"balanced|moderate|medium(?:[\s-]*risk)?|mid[\s-]*risk", "Medium"),
    (r"high[\s-]*returns?|aggressive|high[\s-]*risk|degen|yolo|risky|moon\w*|maximi[sz]e\s+returns?", "High"),
)
_BITCOIN, _ETHEREUM = r"btc|bitcoin", r"eth|ether|ethereum"
_CATEGORY_WORDS: tuple[tuple[str, str], ...] = (
    (r"defi|decentrali[sz]ed\s+finance|uniswap|aave|dex(?:es)?", "DeFi"),
    (r"meme[\s-]*coins?|memes?|doge(?:coin)?|shib|pepe", "Memecoins"),
    (r"layer[\s-]*(?:1|one)s?|l1s?|solana|avalanche|cardano", "Layer 1"),
    (r"blue[\s-]*chips?|majors", "BTC/ETH"),
    (_BITCOIN, "Bitcoin"),
    (_ETHEREUM, "Ethereum"),
    (r"stable[\s-]*coins?|stables|usdc|usdt", "Stablecoins"),
    (r"ai[\s-]+(?:tokens?|coins?|crypto|projects?|sector|narrative)|artificial\s+intelligence", "AI tokens"),
)
# A linking word takes its own trailing spaces ("at 4%"), so no two repeats share a run of spaces.
_MONTHLY = (
    rf"{_NUM}{_PCT}\s*+(?:(?:a|per|each|every)\s++month|/\s*+mo(?:nth)?\b|monthly|mo\b)",
    rf"{_NUM}{_PCT}\s++(?:returns?|gains?|profits?|yield)\s++(?:a|per|each|every)\s++month",
    rf"monthly\s++(?:returns?|gains?|target|profits?|yield)\s++(?:(?:of|at|around|about|to|is)\s*+)?+{_NUM}{_PCT}",
)
_STOP_LOSS = (
    rf"stop(?:[\s-]*+loss)?+\s*+(?:(?:at|of|to|=|:|around|near)\s*+)?+-?{_NUM}{_PCT}",
    rf"{_NUM}{_PCT}\s*+(?:trailing\s++)?+stop",
)
_TAKE_PROFIT = (
    rf"take[\s-]*+profits?\s*+(?:(?:at|of|to|=|:)\s*+)?+\+?{_NUM}{_PCT}",
    rf"profit[\s-]*+target\s*+(?:(?:at|of|to|=|:|is)\s*+)?+{_NUM}{_PCT}",
    rf"{_NUM}{_PCT}\s*+(?:take[\s-]*+profit|profit[\s-]*+target)",
)
_REMOVE_STOP = (
    r"(?:remove|drop|delete|disable|without|no|get\s+rid\s+of|take\s+(?:off|away|out))\s+"
    r"(?:the\s+|a\s+|my\s+|any\s+|that\s+)?stop(?:[\s-]*loss)?\b"
)
# Asking for a stop loss without naming its level ("add a stop loss", "with a stop-loss"); a question about
# the stop ("why a 5% stop loss?") names no such verb, so it stays a question.
_WANT_STOP = (
    r"(?:add|with|include|need|want|use|keep|put\s++(?:in|on)|give\s++(?:it|me))\s++"
    r"(?:back\s++)?+(?:a\s++|an\s++|the\s++|my\s++|some\s++)?+stop(?:[\s-]*+loss)?+\b"
)
_EXPLAIN = (
    r"explain\w*|why|how\s+does\s+(?:it|this|that)\s+work|walk\s+me\s+through|"
    r"what\s+does\s+(?:it|this|that)\s+do"
)


@dataclass(frozen=True)
class TraderIntent:
    """The facts one message states; `risk` wins over `risk_shift` when a message has both."""

    capital_usd: float | None = None
    risk: RiskClass | None = None
    risk_shift: int = 0
    monthly_target_pct: float | None = None
    category: str | None = None
    stop_loss_pct: float | None = None
    take_profit_pct: float | None = None
    remove_stop_loss: bool = False
    wants_stop_loss: bool = False
    wants_explanation: bool = False


def _word(pattern: str) -> re.Pattern[str]:
    """Compile `pattern` as whole words, ignoring case."""
    return re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)


def _first_pct(patterns: tuple[str, ...], text: str, *, below: float) -> float | None:
    """Return the percentage captured by the earliest match of any of `patterns`, if in (0, below)."""
    matches = [m for p in patterns if (m := re.search(p, text, re.IGNORECASE))]
    if not matches:
        return None
    value = float(min(matches, key=lambda m: m.start()).group(1))
    return value if 0 < value < below else None


def _earliest(table: tuple[tuple[str, _T], ...], text: str) -> _T | None:
    """Return the value of the keyword pattern that matches earliest in `text`."""
    hits = [(m.start(), value) for pattern, value in table if (m := _word(pattern).search(text))]
    return min(hits)[1] if hits else None


def parse_capital(text: str) -> float | None:
    """Return the amount of US dollars the trader says they have, or None."""
    candidates: list[tuple[bool, float]] = []
    for m in _AMOUNT.finditer(text):
        mult = (m.group("mult") or "").strip().lower()
        value = float(m.group("num").replace(",", "")) * _MULTIPLIERS.get(mult, 1.0)
        marked = bool(m.group("dollar") or mult or m.group("cur"))
        # Rule out what can never be capital before reading the words in front of it: a message
        # of thousands of bare "1"s then costs one cheap test per number.
        if m.group("pct") or not 0 < value <= _MAX_USD or not (marked or value >= _BARE_MINIMUM_USD):
            continue
        before = text[max(0, m.start() - 40):m.start()]
        if _NOT_CAPITAL.search(before):
            continue
        cued = bool(_CAPITAL_CUE.search(before))
        if marked or cued:
            candidates.append((cued, value))
    if not candidates:
        return None
    return next((value for cued, value in candidates if cued), candidates[0][1])


def _category(text: str) -> str | None:
    """Return the category `text` names; naming both Bitcoin and Ethereum is the BTC/ETH pair of majors."""
    category = _earliest(_CATEGORY_WORDS, text)
    if category in ("Bitcoin", "Ethereum") and _word(_BITCOIN).search(text) and _word(_ETHEREUM).search(text):
        return "BTC/ETH"
    return category


def _risk_shift(text: str) -> tuple[int, str]:
    """Return the one-step shift `text` asks for and `text` with the shift phrases blanked out."""
    shift = 0
    for pattern, step in _SHIFT_WORDS:
        text, count = _word(pattern).subn(" ", text)
        if count:
            shift = step
    return shift, text


def parse_intent(text: str) -> TraderIntent:
    """Read every fact `text` states about the strategy the trader wants."""
    shift, rest = _risk_shift(text)
    remove_stop_loss = bool(_word(_REMOVE_STOP).search(text))
    return TraderIntent(
        capital_usd=parse_capital(text),
        risk=_earliest(_RISK_WORDS, rest),
        risk_shift=shift,
        monthly_target_pct=_first_pct(_MONTHLY, text, below=1000),
        category=_category(text),
        stop_loss_pct=_first_pct(_STOP_LOSS, text, below=100),
        take_profit_pct=_first_pct(_TAKE_PROFIT, text, below=1000),
        remove_stop_loss=remove_stop_loss,
        wants_stop_loss=not remove_stop_loss and bool(_word(_WANT_STOP).search(text)),
        wants_explanation=bool(_word(_EXPLAIN).search(text)),
    )
