"""The offline strategist: the default provider when no live model is configured.

`build_offline_reply(turns, current_strategy)` is a pure function: it reads the trader's messages with
`strategies.intent`, folds them into a `Plan` (`chat.providers.offline_plan`, starting from the current
strategy for follow-ups), and returns the chat text and a strategy dict in the seed's format.
`OfflineStrategist.stream` wraps that reply in the `<user_message>` / `<backend>` tag format and yields it
in token-sized deltas as a model would, on a `schedule`: the chat text at a reading pace, the `<backend>`
JSON at a model's token pace.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from chat.providers.base import ChatTurn, ReplyRequest, StreamOutcome
from chat.providers.offline_plan import (
    DEFAULT_CAPITAL_USD,
    DEFAULTS,
    Plan,
    apply_intent,
    asks_for_change,
    new_plan,
    prior_plan,
    strategy_from_plan,
)
from strategies.intent import parse_intent

OFFLINE_NOTE = "(Offline strategist — no live model is configured.)"
_TAG = re.compile(r"</?(?:user_message|backend)>", re.IGNORECASE)


def _usd(amount: float) -> str:
    """Format dollars as "$1,000" or "$1,000.50"."""
    return f"${amount:,.0f}" if amount == int(amount) else f"${amount:,.2f}"


def _pct(value: float) -> str:
    """Format a percentage as "3%" or "2.5%"."""
    return f"{value:g}%"


def _describe(plan: Plan) -> str:
    """Name the risk class, category, capital and monthly target in one phrase."""
    owner = "" if plan.capital_assumed else "your "
    return (f"a {plan.risk}-risk {plan.category} strategy for {owner}{_usd(plan.capital_usd)}, "
            f"targeting {_pct(plan.monthly_target_pct)} a month")


def _exits(plan: Plan) -> str:
    """Describe the take profit and stop loss in one phrase."""
    if plan.stop_loss_pct is None:
        return f"take profit at {_pct(plan.take_profit_pct)} and no stop loss"
    return f"take profit at {_pct(plan.take_profit_pct)} and a stop loss at {_pct(plan.stop_loss_pct)}"


def _changes(old: Plan, new: Plan) -> list[str]:
    """List, in words, what differs between two plans."""
    said = [
        f"{label} {before} → {after}"
        for label, before, after in (
            ("risk class", old.risk, new.risk),
            ("capital", _usd(old.capital_usd), _usd(new.capital_usd)),
            ("category", old.category, new.category),
            ("monthly target", _pct(old.monthly_target_pct), _pct(new.monthly_target_pct)),
            ("take profit", _pct(old.take_profit_pct), _pct(new.take_profit_pct)),
        )
        if before != after
    ]
    if old.stop_loss_pct != new.stop_loss_pct:
        if new.stop_loss_pct is None:
            said.append("stop loss removed")
        elif old.stop_loss_pct is None:
            said.append(f"stop loss added at {_pct(new.stop_loss_pct)}")
        else:
            said.append(f"stop loss {_pct(old.stop_loss_pct)} → {_pct(new.stop_loss_pct)}")
    return said


def _entry(plan: Plan) -> str:
    """Quote a plan's entry rules in one sentence."""
    return f"It enters on {' and '.join(f'“{rule}”' for rule in plan.entry.rules)}."


def _explanation(plan: Plan) -> str:
    """Explain why a plan enters and exits as it does, in two sentences."""
    return f"{_entry(plan)} {DEFAULTS[plan.risk].rationale}"


def _estimate(plan: Plan) -> str:
    """Say that the monthly target is a proposal, not a measurement, in one sentence."""
    return (f"The {_pct(plan.monthly_target_pct)} monthly target is my estimate, not a result: "
            "Run Backtest measures what these rules would have done.")


def _warnings(plan: Plan) -> str:
    """Return the cautions a plan calls for, each a sentence with a leading space, or ""."""
    text = ""
    if plan.risk == "High" and plan.stop_loss_pct is None:
        text += " Without a stop loss a High-risk strategy can lose far more than you expect."
    if plan.capital_assumed:
        text += f" You didn't mention your capital, so I assumed {_usd(DEFAULT_CAPITAL_USD)}; tell me yours."
    return text


def build_offline_reply(
    turns: Sequence[ChatTurn], current_strategy: dict[str, Any] | None
) -> tuple[str, dict[str, Any]]:
    """Return the chat text and strategy dict answering the newest user turn."""
    messages = [t.content for t in turns if t.role == "user"] or [""]
    intents = [parse_intent(m) for m in messages]
    new, old = intents[-1], prior_plan(intents, current_strategy)

    explain_only = old is not None and new.wants_explanation and not asks_for_change(new)
    if old is not None and explain_only:
        plan = old
        text = f"Your strategy is {_describe(plan)}, with {_exits(plan)}."
    elif old is None:
        plan = new_plan(new)
        text = f"I've built {_describe(plan)}, with {_exits(plan)}."
        if not new.wants_explanation:
            text += f" {_entry(plan)}"
    else:
        plan = apply_intent(old, new)
        changed = _changes(old, plan)
        if changed:
            opening = f"Updated your strategy: {'; '.join(changed)}."
        elif asks_for_change(new):
            opening = "Your strategy already works that way."
        else:
            opening = ("I kept your strategy as it was — I can change the capital, risk class, category, "
                       "monthly target, take profit or stop loss.")
        text = f"{opening} It's now {_describe(plan)}, with {_exits(plan)}."
    if new.wants_explanation:
        text += f" {_explanation(plan)}"
    text += f" {_estimate(plan)}{_warnings(plan)}"
    if not any(turn.role == "assistant" for turn in turns):  # once per conversation: the header says it too
        text += f" {OFFLINE_NOTE}"
    if explain_only and current_strategy is not None:
        return text, copy.deepcopy(current_strategy)
    phrase = _describe(plan)
    summary = f"{phrase[0].upper()}{phrase[1:]}."
    return text, strategy_from_plan(plan, messages[-1], summary)


def render_reply(user_message: str, strategy: dict[str, Any]) -> str:
    """Wrap a reply in the `<user_message>` / `<backend>` tag format the model uses."""
    # Text the trader typed (echoed in the JSON) or a stored rule must never close a tag early.
    message = _TAG.sub("", user_message)
    backend = json.dumps(strategy, indent=2, ensure_ascii=False).replace("<", "\\u003c")
    return f"<user_message>\n{message}\n</user_message>\n\n<backend>\n{backend}\n</backend>\n"


class OfflineStrategist:
    """An `LLMProvider` that writes strategies from keywords and streams them at a model's pace."""

    name = "offline"
    model_id = "offline-strategist-1"

    def __init__(
        self, *, text_chars_per_second: float = 0, json_chars_per_second: float = 0, chars_per_chunk: int = 4
    ) -> None:
        if chars_per_chunk < 1:
            raise ValueError("chars_per_chunk must be at least 1")
        if text_chars_per_second < 0 or json_chars_per_second < 0:
            raise ValueError("characters per second must be 0 (no delay) or more")
        self.chars_per_chunk = chars_per_chunk
        self.text_chars_per_second = text_chars_per_second
        self.json_chars_per_second = json_chars_per_second

    def schedule(self, reply: str) -> Iterator[tuple[float, str]]:
        """Split a rendered reply into pieces, each with the seconds after the start at which it is due."""
        backend_at = reply.index("<backend>")
        due = 0.0
        for part, chars_per_second in (
            (reply[:backend_at], self.text_chars_per_second),
            (reply[backend_at:], self.json_chars_per_second),
        ):
            for index in range(0, len(part), self.chars_per_chunk):
                piece = part[index:index + self.chars_per_chunk]
                if chars_per_second > 0:
                    due += len(piece) / chars_per_second
                yield due, piece

    async def stream(self, request: ReplyRequest, outcome: StreamOutcome) -> AsyncIterator[str]:
        """Yield the reply piece by piece on its `schedule` and fill `outcome` with estimates."""
        started = time.perf_counter()
        text = render_reply(*build_offline_reply(request.turns, request.current_strategy))
        outcome.input_tokens = sum(len(t.content) for t in request.turns) // 4
        loop = asyncio.get_running_loop()
        # Sleeping towards each piece's due time, not for a fixed gap, keeps the pace on a busy loop
        # instead of drifting further behind with every piece.
        start = loop.time()
        for due, piece in self.schedule(text):
            if due:
                await asyncio.sleep(max(0.0, start + due - loop.time()))
            yield piece
        outcome.stop_reason = "end_turn"
        outcome.output_tokens = len(text) // 4
        outcome.latency_ms = round((time.perf_counter() - started) * 1000)
