"""The strategy as it streams: the `<backend>` JSON parsed incrementally (ijson's push parser), so each
flowchart step, edge and top-level section is known the moment it closes.

The parser reads each delta once (O(1) amortised work per delta, never a re-parse of the buffer) and
never raises into the stream: text past `MAX_STRATEGY_JSON_BYTES`, nesting past `MAX_STRATEGY_JSON_DEPTH`,
or anything that is not JSON ends the progress, and the final parse (`chat.interpret`) says why. What it
finds is checked cheaply, not validated: a step needs an id and a known type and a bounded size.
"""

from __future__ import annotations

import json
from typing import Any

import ijson
from pydantic import ValidationError

from chat.live_types import StrategySoFar

from strategies.schemas import (
    MAX_EDGES,
    MAX_ID_CHARS,
    MAX_NODES,
    MAX_STRATEGY_JSON_BYTES,
    MAX_STRATEGY_JSON_DEPTH,
    NODE_TYPES,
    DegenClass,
    StrategyMetrics,
)

# The largest step a valid strategy can hold is about 8 KiB (20 rules of 200 characters, 10 conditions).
MAX_DRAFT_NODE_BYTES = 16 * 1024
_NODE, _EDGE = "flowchart.nodes.item", "flowchart.edges.item"
_SECTIONS = {"degen_class": DegenClass, "strategy_metrics": StrategyMetrics}
_OPENS, _CLOSES = frozenset({"start_map", "start_array"}), frozenset({"end_map", "end_array"})


class StrategyDraft:
    """Feed the `<backend>` section's text as it streams; `take` the parts that completed since last time."""

    def __init__(self) -> None:
        self._events = ijson.sendable_list()
        self._parser = ijson.parse_coro(self._events, use_float=True)
        self._started = False
        self._stopped = False
        self._bytes = 0  # fed to the parser
        self._held: list[str] = []  # text not fed yet
        self._held_chars = 0
        self._depth = 0
        self._building: str | None = None  # the prefix of the item being built, if any
        self._builder = ijson.ObjectBuilder()
        self._sent_nodes = self._sent_edges = 0
        self._nodes: list[dict[str, Any]] = []
        self._edges: list[tuple[str, str]] = []
        self._sections: dict[str, dict[str, Any]] = {}
        self.has_news = False

    def feed(self, text: str) -> None:
        """Read the next piece of the backend section; a fault in it ends the progress, never the reply."""
        if self._stopped:
            return
        if not self._started:  # the JSON starts at its first brace: fences and prose before it are skipped
            start = text.find("{")
            if start < 0:
                return
            self._started, text = True, text[start:]
        self._held.append(text)
        self._held_chars += len(text)
        if self._bytes + self._held_chars > MAX_STRATEGY_JSON_BYTES:  # a character is at least one byte
            self._stop()
            return
        # Only a closing bracket completes a step, an edge or a section: text without one waits, so the
        # parser runs once every few deltas rather than on each.
        if "}" not in text and "]" not in text:
            return
        encoded = "".join(self._held).encode(errors="replace")
        self._held.clear()
        self._held_chars = 0
        self._bytes += len(encoded)
        if self._bytes > MAX_STRATEGY_JSON_BYTES:
            self._stop()
            return
        try:
            self._parser.send(encoded)
        except Exception:  # not JSON from here on; interpret_reply words the reason at the end
            self._stopped = True  # what parsed before the fault still counts (a closing fence is a fault)
        self._read_events()

    def take(self) -> StrategySoFar | None:
        """The parts completed since the last call (`seq` 0: the caller numbers them), or None when there are none."""
        if not self.has_news:
            return None
        parts = StrategySoFar(0, self._nodes, self._edges, **self._sections)
        self._nodes, self._edges, self._sections, self.has_news = [], [], {}, False
        return parts

    def _read_events(self) -> None:
        for prefix, event, value in self._events:
            if self._building is not None:
                self._build(event, value)
            elif event in _OPENS and (prefix in (_NODE, _EDGE) or (self._depth == 1 and prefix in _SECTIONS)):
                self._building, self._builder = prefix, ijson.ObjectBuilder()
                self._build(event, value)
            if event in _OPENS:
                self._depth += 1
                if self._depth > MAX_STRATEGY_JSON_DEPTH:
                    self._stop()
                    return
            elif event in _CLOSES:
                self._depth -= 1
                if self._depth == 0:  # the object is whole: what follows (a closing fence) is not ours
                    self._stop()
                    return
        del self._events[:]

    def _build(self, event: str, value: Any) -> None:
        prefix = self._building or ""
        self._builder.event(event, value)
        if event in _CLOSES and self._depth == prefix.count(".") + 2:  # the item's own closing bracket
            self._building = None
            self._complete(prefix, self._builder.value)

    def _complete(self, prefix: str, value: Any) -> None:
        """Keep a completed item that passes its cheap check."""
        if prefix == _NODE:
            if self._sent_nodes < MAX_NODES and _is_draft_node(value):
                self._sent_nodes += 1
                self._nodes.append({**value, "id": value["id"].strip()})
                self.has_news = True
        elif prefix == _EDGE:
            edge = _draft_edge(value)
            if edge is not None and self._sent_edges < MAX_EDGES:
                self._sent_edges += 1
                self._edges.append(edge)
                self.has_news = True
        else:
            try:
                section = _SECTIONS[prefix].model_validate(value).model_dump()
            except ValidationError:
                return
            self._sections[prefix] = section
            self.has_news = True

    def _stop(self) -> None:
        self._stopped = True
        self._building = None
        self._held.clear()
        del self._events[:]


def _is_draft_node(value: Any) -> bool:
    """A step the builder can place: an object with an id and a known type, finite numbers, of bounded size."""
    if not isinstance(value, dict) or value.get("type") not in NODE_TYPES:
        return False
    node_id = value.get("id")
    if not isinstance(node_id, str) or not 0 < len(node_id.strip()) <= MAX_ID_CHARS:
        return False
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
        return len(text.encode(errors="replace")) <= MAX_DRAFT_NODE_BYTES
    except ValueError:  # 1e400 parsed as infinity
        return False


def _draft_edge(value: Any) -> tuple[str, str] | None:
    """`[source, target]` or `{"source", "target"}` as a pair of ids, else None."""
    if isinstance(value, dict):
        value = [value.get("source"), value.get("target")]
    if not isinstance(value, list) or len(value) != 2:
        return None
    source, target = value
    if not all(isinstance(end, str) and 0 < len(end.strip()) <= MAX_ID_CHARS for end in (source, target)):
        return None
    return source.strip(), target.strip()
