"""The one entry point the reply pipeline calls to turn the model's strategy JSON into a trusted one.

`validate_strategy` parses against the schema, checks the flowchart graph and fills in the server's
guardrails and actions, returning the typed `Strategy` (its JSON is dumped only where it is stored or
sent); every failure is an `InvalidStrategy` whose message a trader can read (pydantic
errors are translated here, in one place) and whose `problems` name every problem by its JSON path
(an edit or an import shows them all; a model reply shows the message). `strategy_summary` gives the
chat a one-line description.
"""

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from strategies.graph import FlowchartError, check_flowchart
from strategies.guardrails import compute_actions, compute_guardrails, format_pct, format_usd
from strategies.schemas import (
    CONDITION_KINDS,
    MAX_STRATEGY_PROBLEMS,
    NODE_TYPES,
    InvalidStrategy,
    Strategy,
    StrategyProblem,
)

__all__ = ["FlowchartError", "InvalidStrategy", "strategy_summary", "validate_strategy"]

MAX_PROBLEMS = 2  # sentences in the message; `problems` lists up to MAX_STRATEGY_PROBLEMS

_FIELD_WORDS: dict[str, str] = {
    "account": "account",
    "workspace": "workspace name",
    "section": "section name",
    "assistant_panel": "assistant panel",
    "greeting": "greeting",
    "user_request": "user request",
    "assistant_reply": "assistant reply",
    "flowchart": "flowchart",
    "nodes": "steps",
    "edges": "edges",
    "degen_class": "risk class",
    "options": "risk options",
    "selected": "risk level",
    "strategy_metrics": "strategy metrics",
    "impact_monthly_return_delta_pct": "monthly return target",
    "estimated_capital_required_usd": "capital required",
    "id": "id",
    "type": "type",
    "label": "label",
    "meta": "settings",
    "category": "category",
    "mode": "entry mode",
    "rules": "rules",
    "target_pct": "profit target percentage",
    "stop_pct": "stop loss percentage",
    "added": "“added for safety” mark",
    "allocation_pct": "allocation percentage",
    "symbol": "symbol",
    "timeframe": "timeframe",
    "conditions": "entry conditions",
    "kind": "kind",
    "pct": "drop percentage",
    "lookback_bars": "lookback in bars",
    "period": "period",
    "fast": "fast period",
    "slow": "slow period",
    "threshold": "RSI threshold",
}

_TYPE_WORDS: dict[str, str] = {
    "dict": "an object",
    "list": "a list",
    "str": "text",
    "int": "a number",
    "float": "a number",
    "bool": "true or false",
    "NoneType": "null",
}


def validate_strategy(data: object, *, stated_capital_usd: float | None) -> Strategy:
    """Return the normalised strategy with server guardrails and actions, or raise `InvalidStrategy`."""
    if not isinstance(data, dict):
        kind = _TYPE_WORDS.get(type(data).__name__, "something else")
        message = f"The strategy must be a JSON object, but the assistant sent {kind}."
        raise InvalidStrategy(message, [StrategyProblem(path="", message=message)])
    try:
        strategy = Strategy.model_validate(data)
    except ValidationError as exc:
        raise _explained(exc, data) from None
    check_flowchart(strategy.flowchart)
    guardrails = compute_guardrails(strategy, stated_capital_usd=stated_capital_usd)
    return strategy.model_copy(update={"guardrails": guardrails, "actions": compute_actions(guardrails)})


def strategy_summary(data: dict[str, Any]) -> str:
    """One line for the chat, e.g. "High risk · DeFi · $1,000 · target 7% monthly · stop loss 5%"."""
    nodes = {node.get("type"): node.get("meta") or {} for node in reversed(data["flowchart"]["nodes"])}
    metrics = data["strategy_metrics"]
    parts = [f"{data['degen_class']['selected']} risk"]
    if "category" in nodes:
        parts.append(str(nodes["category"]["category"]))
    parts.append(format_usd(metrics["estimated_capital_required_usd"]))
    parts.append(f"target {format_pct(metrics['impact_monthly_return_delta_pct'])} monthly")
    if "stop_loss" in nodes:
        parts.append(f"stop loss {format_pct(nodes['stop_loss']['stop_pct'])}")
    else:
        parts.append("no stop loss")
    return " · ".join(parts)


def _explained(exc: ValidationError, data: dict[str, Any]) -> InvalidStrategy:
    """Pydantic's errors as an `InvalidStrategy`: at most two sentences, and every problem by its JSON path."""
    problems: list[StrategyProblem] = []
    for error in exc.errors(include_url=False, include_input=False)[:MAX_STRATEGY_PROBLEMS]:
        loc = tuple(error["loc"])
        sentence = _sentence(error["type"], loc, error.get("ctx") or {}, error["msg"], data)
        problems.append(StrategyProblem(path=_json_path(loc), message=sentence))
    sentences = list(dict.fromkeys(problem.message for problem in problems))[:MAX_PROBLEMS]
    return InvalidStrategy(" ".join(sentences), problems)


def _json_path(loc: Sequence[int | str]) -> str:
    """A pydantic location as a JSON path, e.g. `flowchart.nodes[2].meta.stop_pct` ("" is the whole strategy).

    The tags pydantic puts in a location to name a union's branch (a node's type, a condition's kind)
    are not keys of the JSON, so they are left out.
    """
    path = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
        elif not _is_union_tag(loc, index):
            path += f".{part}" if path else part
    return path


def _is_union_tag(loc: Sequence[int | str], index: int) -> bool:
    """Whether `loc[index]` names the branch of a node or condition union rather than a key."""
    after_item = index > 0 and isinstance(loc[index - 1], int)
    return after_item and (loc[index] in NODE_TYPES or loc[index] in CONDITION_KINDS)


def _sentence(kind: str, loc: tuple[int | str, ...], ctx: dict[str, Any], msg: str, data: dict[str, Any]) -> str:
    """One readable sentence for one pydantic error."""
    if len(loc) >= 3 and loc[:2] == ("flowchart", "edges"):
        return (
            f"Edge {int(loc[2]) + 1} of the strategy's flowchart must be a pair of step ids, "
            'like ["start", "end"].'
        )
    if kind.startswith("union_tag_") and "conditions" in loc:
        return f"{_capitalised(_subject(loc, data))} must have a kind: one of {', '.join(sorted(CONDITION_KINDS))}."
    if kind == "union_tag_invalid":
        step, tag = _capitalised(_step_name(data, loc[2])), _raw_node_field(data, loc[2], "type")
        kind_text = f"an unknown type '{_short(tag)}'" if isinstance(tag, str) else "a type that isn't text"
        return f"{step} of the strategy's flowchart has {kind_text}."
    if kind == "union_tag_not_found":
        return f"{_capitalised(_step_name(data, loc[2]))} of the strategy's flowchart has no type."
    subject = _subject(loc, data)
    if kind == "missing":
        return f"The strategy is missing its {subject}." if len(loc) == 1 else f"The strategy is missing the {subject}."
    lead = _capitalised(subject) if subject.startswith("step ") else f"The {subject}"
    return f"{lead} {_problem(kind, ctx, msg)}."


def _problem(kind: str, ctx: dict[str, Any], msg: str) -> str:
    """What is wrong with a value, as the end of a sentence."""
    bounds = {"greater_than": "greater than {gt}", "greater_than_equal": "at least {ge}",
              "less_than": "less than {lt}", "less_than_equal": "at most {le}"}
    if kind in bounds:
        return "must be " + bounds[kind].format(**{k: f"{v:g}" for k, v in ctx.items() if isinstance(v, (int, float))})
    if kind in {"float_parsing", "float_type", "int_parsing", "int_type", "finite_number"}:
        return "must be a number"
    if kind == "string_type":
        return "must be text"
    if kind in {"list_type", "tuple_type"}:
        return "must be a list"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return "must be an object"
    if kind.startswith("bool_"):
        return "must be true or false"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind in {"too_short", "string_too_short"}:
        return "must not be empty"
    if kind == "too_long":
        return f"may have at most {ctx.get('max_length')} entries"
    if kind == "string_too_long":
        return f"may be at most {ctx.get('max_length')} characters long"
    if kind == "value_error":  # a model validator's own reason, e.g. "the fast period must be shorter ..."
        return "is not valid: " + msg.removeprefix("Value error, ").rstrip(".")
    return "is not valid: " + msg.removeprefix("Input ").rstrip(".").lower()


def _subject(loc: Sequence[int | str], data: dict[str, Any]) -> str:
    """Name the field at `loc` in words, e.g. "stop loss percentage (stop_pct) of step 'stop'"."""
    parts = list(loc)
    if len(parts) >= 3 and parts[:2] == ["flowchart", "nodes"] and isinstance(parts[2], int):
        step = _step_name(data, parts[2])
        inner = [part for index, part in enumerate(parts) if index >= 3 and not _is_union_tag(parts, index)]
        fields = [p for p in inner if isinstance(p, str)]
        if not fields:
            return f"{step} of the flowchart"
        if "conditions" in inner[:-1] and isinstance(inner[inner.index("conditions") + 1], int):
            condition = f"entry condition {int(inner[inner.index('conditions') + 1]) + 1}"
            leaf = fields[-1]
            return f"{condition} of {step}" if leaf == "conditions" else f"{_words(leaf)} in {condition} of {step}"
        leaf = next((p for p in reversed(fields) if p != "meta"), "meta")
        return f"{_words(leaf)} of {step}"
    names = [p for p in parts if isinstance(p, str)]
    if len(names) == 1:
        return _words(names[0])
    return f"{_words(names[-1])} in the {_FIELD_WORDS.get(names[0], names[0])}"


def _words(key: str) -> str:
    """A field name in plain words with its JSON key, e.g. "risk class (degen_class)"."""
    words = _FIELD_WORDS.get(key, key.replace("_", " "))
    return words if words == key else f"{words} ({key})"


def _step_name(data: dict[str, Any], index: int | str) -> str:
    """Name a flowchart step by its id when it has one, else by its position."""
    node_id = _raw_node_field(data, index, "id")
    if isinstance(node_id, str) and node_id.strip():
        return f"step '{_short(node_id.strip())}'"
    return f"step {int(index) + 1}" if isinstance(index, int) else "a step"


def _raw_node_field(data: dict[str, Any], index: int | str, key: str) -> object:
    """A field of a flowchart step as the model wrote it, or None."""
    try:
        return data["flowchart"]["nodes"][index][key]
    except (KeyError, IndexError, TypeError):
        return None


def _short(text: str, limit: int = 40) -> str:
    """Clip model-written text quoted in a message so one bad value can't flood the chat."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _capitalised(text: str) -> str:
    """Upper-case the first letter only (str.capitalize would lower-case a step id)."""
    return text[:1].upper() + text[1:]
