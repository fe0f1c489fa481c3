"""Plain entry rules the server can execute: "Enter on a 5% price drop" → a `DropFromHigh` condition.

`translate_rule(rule, timeframe=...)` reads one rule in four families: a drop from a recent high, the
price above a moving average, one moving average crossing above another and RSI below a level.
Anything else raises `Untranslatable`. Spans in days, hours or weeks become bars of the timeframe
("50-day" on 1h is 1,200 bars); a drop without a span is measured from the `DEFAULT_DROP_LOOKBACK`
bars before the signal; RSI without a period is RSI(14).

Every pattern runs in linear time: the rule is first reduced to lower case with single spaces, so the
patterns are fixed words joined by single spaces, digits are read possessively (`\\d++`) and every
optional part is possessive (`?+`), so nothing is rescanned.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import TypeAdapter, ValidationError

from strategies.backtest.candles import TIMEFRAME_SECONDS
from strategies.schemas import Condition, DropFromHigh, MACrossUp, PriceAboveMA, RSIBelow, Timeframe

DEFAULT_DROP_LOOKBACK = 20
DEFAULT_RSI_PERIOD = 14

_CONDITION = TypeAdapter(Condition)
_BAR_FIELDS = frozenset({"period", "lookback_bars", "fast", "slow"})
_UNIT_SECONDS = {"hour": 3_600, "day": 86_400, "week": 604_800}
_NUM = r"(?P<pct>\d++(?:\.\d++)?+)"
_PCT = r" ?+(?:%|percent|pct)"
_LEAD = (
    r"(?:only )?+(?:(?:enter|buy|go long|open a (?:long|position)) )?+(?:only )?+"
    r"(?:(?:on|at|after|when|while|if|whenever|once) )?+(?:the |a |an )?+"
)
_MA_WORD = r"(?:simple )?+(?:moving average|sma|ma)"


def _span(tag: str) -> str:
    """A length like "50 day", "20 bars" or "(14)", its groups suffixed with `tag`."""
    return rf"(?:(?P<n{tag}>\d++) ?+(?P<u{tag}>day|bar|hour|candle|period|week)s?+|\((?P<p{tag}>\d++)\))"


def _ma(tag: str, *, word_optional: bool = False) -> str:
    """A moving average: "50 day moving average", "sma(50)"; the word may be left out after a cross."""
    spanned = rf"(?P<n{tag}>\d++) ?+(?P<u{tag}>day|bar|hour|candle|period|week)s?+"
    word_after = rf"(?: {_MA_WORD})?+" if word_optional else rf" {_MA_WORD}"
    return rf"(?:{spanned}{word_after}|{_MA_WORD} ?+\((?P<p{tag}>\d++)\))"


_HIGH = rf"(?: (?:from|below|off) (?:the |its )?+(?:recent |{_span('')} )?+high)?+"
_DROP_PATTERNS = (
    rf"{_NUM}{_PCT} (?:price )?+(?:drop|dip|pullback|pull back|decline|fall|correction|retracement){_HIGH}",
    rf"(?:price |close )?+(?:drops|dips|falls|declines|pulls back|is down)(?: by)?+ {_NUM}{_PCT}{_HIGH}",
    rf"(?:price |close )?+(?:is |closes )?+{_NUM}{_PCT} below (?:the |its )?+(?:recent |{_span('')} )?+high",
)
_ABOVE_PATTERN = rf"(?:price|close|it)(?: is| stays| closes| trades| holds)?+ above (?:the |its )?+{_ma('')}"
_CROSS_PATTERN = (
    rf"{_ma('f')} (?:crosses|cross|crossed|moves|breaks) (?:above|over) (?:the |its )?+{_ma('s', word_optional=True)}"
)
_RSI_PATTERN = (
    r"(?:(?P<n>\d++) ?+(?P<u>day|bar|hour|candle|period|week)s?+ )?+rsi(?: ?+\((?P<p>\d++)\)| (?P<q>\d++))?+"
    rf"(?: is| drops| falls| goes| closes)?+ (?:below|under|less than|<) ?+(?P<level>\d++(?:\.\d++)?+)"
)


class Untranslatable(ValueError):
    """The rule is not one of the phrasings the server can execute; `reason` says more when it is close."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason or "not a phrasing the backtest can execute")
        self.reason = reason


def _bars(match: re.Match[str], tag: str, timeframe: Timeframe, *, default: int | None = None) -> int:
    """The span captured under `tag`, in bars of `timeframe`."""
    count, unit, bare = match.group(f"n{tag}"), match.group(f"u{tag}"), match.group(f"p{tag}")
    if bare is not None:
        return int(bare)
    if count is None:
        if default is None:
            raise Untranslatable()
        return default
    if unit not in _UNIT_SECONDS:
        return int(count)
    seconds = int(count) * _UNIT_SECONDS[unit]
    if seconds % TIMEFRAME_SECONDS[timeframe]:
        raise Untranslatable(f"{count} {unit}s is not a whole number of {timeframe} bars")
    return seconds // TIMEFRAME_SECONDS[timeframe]


def _drop(match: re.Match[str], timeframe: Timeframe) -> dict[str, object]:
    return {"kind": "drop_from_high", "pct": match.group("pct"),
            "lookback_bars": _bars(match, "", timeframe, default=DEFAULT_DROP_LOOKBACK)}


def _above(match: re.Match[str], timeframe: Timeframe) -> dict[str, object]:
    return {"kind": "price_above_ma", "period": _bars(match, "", timeframe)}


def _cross(match: re.Match[str], timeframe: Timeframe) -> dict[str, object]:
    return {"kind": "ma_cross_up", "fast": _bars(match, "f", timeframe), "slow": _bars(match, "s", timeframe)}


def _rsi(match: re.Match[str], timeframe: Timeframe) -> dict[str, object]:
    period = int(match.group("q")) if match.group("q") else _bars(match, "", timeframe, default=DEFAULT_RSI_PERIOD)
    return {"kind": "rsi_below", "period": period, "threshold": match.group("level")}


_Reader = Callable[[re.Match[str], Timeframe], dict[str, object]]
_READERS: tuple[tuple[re.Pattern[str], _Reader], ...] = (
    *((re.compile(_LEAD + pattern), _drop) for pattern in _DROP_PATTERNS),
    (re.compile(_LEAD + _ABOVE_PATTERN), _above),
    (re.compile(_LEAD + _CROSS_PATTERN), _cross),
    (re.compile(_LEAD + _RSI_PATTERN), _rsi),
)


def _normalised(rule: str) -> str:
    """Lower case, hyphens as spaces, single spaces, no closing punctuation."""
    return " ".join(rule.replace("-", " ").casefold().split()).rstrip(".!;,")


def _out_of_range(exc: ValidationError) -> str:
    """The first limit a translated condition broke, e.g. "its period of 1200 bars should be less than … 500"."""
    error = exc.errors(include_url=False)[0]
    if error["type"] == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    field = str(error["loc"][-1])
    unit = " bars" if field in _BAR_FIELDS else ""
    limit = str(error["msg"]).removeprefix("Input should be ")
    return f"its {field.replace('_', ' ')} of {error['input']}{unit} should be {limit}"


def translate_rule(rule: str, *, timeframe: Timeframe) -> Condition:
    """The executable condition `rule` states, or `Untranslatable`."""
    text = _normalised(rule)
    for pattern, reader in _READERS:
        if match := pattern.fullmatch(text):
            try:
                return _CONDITION.validate_python(reader(match, timeframe))
            except ValidationError as exc:
                raise Untranslatable(_out_of_range(exc)) from None
    raise Untranslatable()


def describe(condition: Condition) -> str:
    """The condition in words, e.g. "close at least 5% below the highest high of the 20 bars before it"."""
    if isinstance(condition, DropFromHigh):
        lookback = condition.lookback_bars
        return f"close at least {condition.pct:g}% below the highest high of the {lookback} bars before it"
    if isinstance(condition, PriceAboveMA):
        return f"close above its {condition.period}-bar simple moving average"
    if isinstance(condition, MACrossUp):
        return f"the {condition.fast}-bar simple moving average crosses above the {condition.slow}-bar one"
    if isinstance(condition, RSIBelow):
        return f"RSI({condition.period}) below {condition.threshold:g}"
    raise TypeError(f"unknown condition kind: {condition!r}")
