"""The strategy file format: a version exported in its envelope, and an uploaded file read back into a
validated strategy.

An export is `{"format": "vibewater.strategy", "format_version": 1, "name", "exported_at", "source":
{"conversation_id", "version", "version_source"}, "strategy"}`, where `strategy` is the stored JSON
without what the server computes (guardrails, actions). Reading a file bounds it as untrusted JSON,
checks the envelope, then validates the strategy exactly as a model's reply is validated; every refusal
is an `ImportRefused` with a sentence and, for an invalid strategy, each problem by its JSON path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from strategies.models import StrategyVersion
from strategies.naming import InvalidName, strategy_name_clean, strategy_title
from strategies.schemas import MAX_STRATEGY_JSON_DEPTH, InvalidStrategy, Strategy, StrategyProblem
from strategies.validation import validate_strategy
from vibewater.untrusted import JSONTooLarge, UntrustedJSONError, load_json

FORMAT = "vibewater.strategy"
FORMAT_VERSION = 1
SERVER_COMPUTED = ("guardrails", "actions")
NOT_AN_EXPORT = f'It is not a Vibe Water strategy export (those have "format": "{FORMAT}").'


class ImportRefused(Exception):
    """A strategy file that cannot be imported; the message is a sentence, `problems` name JSON paths."""

    def __init__(self, message: str, problems: list[StrategyProblem] | None = None, *, too_large: bool = False):
        super().__init__(message)
        self.problems = problems or []
        self.too_large = too_large

    @classmethod
    def too_large_for(cls, max_bytes: int) -> ImportRefused:
        """The refusal of a file over `max_bytes`."""
        size = f"{max_bytes // 1024} KiB" if max_bytes >= 1024 else f"{max_bytes} bytes"
        return cls(f"The file is larger than {size}, the most a strategy file may be.", too_large=True)


@dataclass(frozen=True)
class ImportedStrategy:
    """A file's validated strategy and the name it goes by."""

    name: str
    strategy: Strategy = field(repr=False)


def strategy_export_document(
    *, version: StrategyVersion, conversation_id: Any, exported_at: datetime
) -> dict[str, Any]:
    """The export envelope of one stored version."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": version.strategy.name,
        "exported_at": exported_at.isoformat(),
        "source": {
            "conversation_id": str(conversation_id),
            "version": version.number,
            "version_source": version.source,
        },
        "strategy": {key: value for key, value in version.data.items() if key not in SERVER_COMPUTED},
    }


def strategy_export_filename(*, name: str, number: int) -> str:
    """A download's file name from the strategy's name, e.g. "defi-dip-buyer-high-risk-v3.json"."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-") or "strategy"
    return f"{slug}-v{number}.json"


def strategy_import_read(*, raw: bytes, max_bytes: int) -> ImportedStrategy:
    """The validated strategy and name in an uploaded file, or ImportRefused saying what is wrong with it."""
    if len(raw) > max_bytes:
        raise ImportRefused.too_large_for(max_bytes)
    try:
        text = raw.decode("utf-8-sig")  # editors on Windows start UTF-8 files with a byte-order mark
    except UnicodeDecodeError:
        raise ImportRefused("The file is not UTF-8 text: export the strategy again, or save it as UTF-8.") from None
    if not text.strip():
        raise ImportRefused("The file is empty.")
    try:
        document = load_json(text, max_bytes=max_bytes, max_depth=MAX_STRATEGY_JSON_DEPTH + 1, what="The file")
    except JSONTooLarge:
        raise ImportRefused.too_large_for(max_bytes) from None
    except UntrustedJSONError as error:
        raise ImportRefused(str(error)) from None
    return _read_envelope(document)


def _read_envelope(document: Any) -> ImportedStrategy:
    """Check the envelope, then validate the strategy inside it as model output is validated."""
    if not isinstance(document, dict):
        raise ImportRefused(f"The file holds {_kind(document)}, not an object. {NOT_AN_EXPORT}")
    if "format" not in document:
        raise ImportRefused(f'The file has no "format". {NOT_AN_EXPORT}', [_problem("format", "missing")])
    if document["format"] != FORMAT:
        raise ImportRefused(
            f'The file\'s format is {_quoted(document["format"])}. {NOT_AN_EXPORT}',
            [_problem("format", f'must be "{FORMAT}"')],
        )
    version = document.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:  # True is an int to isinstance
        shown = "missing" if version is None else _quoted(version)
        raise ImportRefused(
            f"The file's format_version is {shown}; this server reads version {FORMAT_VERSION}.",
            [_problem("format_version", f"must be {FORMAT_VERSION}")],
        )
    if "strategy" not in document:
        raise ImportRefused('The file has no "strategy".', [_problem("strategy", "missing")])
    try:
        strategy = validate_strategy(document["strategy"], stated_capital_usd=None)
    except InvalidStrategy as invalid:
        problems = [
            StrategyProblem(path=f"strategy.{problem.path}" if problem.path else "strategy", message=problem.message)
            for problem in invalid.problems
        ] or [StrategyProblem(path="strategy", message=str(invalid))]
        raise ImportRefused(f"The strategy in the file is not valid: {invalid}", problems) from None
    return ImportedStrategy(name=_name(document, strategy), strategy=strategy)


def _name(document: dict[str, Any], strategy: Strategy) -> str:
    """The envelope's name, or a title made from the strategy when the file has none."""
    if document.get("name") in (None, ""):
        return strategy_title(strategy)
    try:
        return strategy_name_clean(document["name"])
    except InvalidName as invalid:
        raise ImportRefused(f"The file's name is not usable: {invalid}", [_problem("name", str(invalid))]) from None


def _problem(path: str, message: str) -> StrategyProblem:
    return StrategyProblem(path=path, message=message)


def _kind(value: Any) -> str:
    """What a JSON value is, in words."""
    kinds = {list: "a list", str: "text", bool: "true or false", int: "a number", float: "a number"}
    return "null" if value is None else kinds.get(type(value), "something else")


def _quoted(value: Any) -> str:
    """A value from the file, quoted and clipped so it cannot flood the message."""
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:39] + "…"

