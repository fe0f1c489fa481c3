"""A strategy's flowchart as SVG markup, drawn on the server for pages with no JavaScript (the admin).

`strategy_svg(data)` is pure: the stored strategy dict in, an `<svg>` string out. It lays the steps out
top to bottom as the builder does (`frontend/src/flow/layout.ts`: fixed-width boxes, one row per rank,
edges running down), ranking each step by its longest path from the steps with no incoming edge. Every
piece of text comes from the strategy, so every piece is escaped; colours are presentation attributes
(no `style`, no script), which the Content-Security-Policy allows.
"""

from __future__ import annotations

import textwrap
from collections import deque
from html import escape
from typing import Any

from strategies.diff import condition_text, step_name
from strategies.guardrails import format_pct

NODE_WIDTH = 248
RANK_SEP = 44
NODE_SEP = 32
MARGIN = 16
LINE_HEIGHT = 18
TITLE_CHARS = 30  # about what fits on a box's title line at 13px
DETAIL_CHARS = 34
MAX_DETAIL_LINES = 8

#: Box fill and border per step kind (the builder's accents, light enough for dark text).
_COLOURS: dict[str, tuple[str, str]] = {
    "start": ("#d1fae5", "#059669"),
    "end": ("#e5e7eb", "#4b5563"),
    "category": ("#dbeafe", "#2563eb"),
    "entry_condition": ("#ccfbf1", "#0d9488"),
    "exit_condition": ("#fef3c7", "#d97706"),
    "take_profit": ("#dcfce7", "#16a34a"),
    "stop_loss": ("#fee2e2", "#dc2626"),
    "position_size": ("#ede9fe", "#7c3aed"),
}
_UNKNOWN_COLOURS = ("#f3f4f6", "#6b7280")


def strategy_svg(data: dict[str, Any], *, title: str = "Strategy flowchart") -> str:
    """The strategy's flowchart as a standalone `<svg>` element (text escaped, no script)."""
    flowchart = data.get("flowchart") or {}
    nodes = {str(node.get("id")): node for node in flowchart.get("nodes") or []}
    edges = [(str(a), str(b)) for a, b in flowchart.get("edges") or [] if str(a) in nodes and str(b) in nodes]
    boxes = {node_id: _Box(node) for node_id, node in nodes.items()}
    width, height = _place(boxes, _ranks(list(nodes), edges))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="system-ui, -apple-system, Segoe UI, sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#f8fafc" rx="8"/>',
    ]
    parts += [_edge(boxes[a], boxes[b]) for a, b in edges]
    parts += [box.markup() for box in boxes.values()]
    parts.append("</svg>")
    return "".join(parts)


class _Box:
    """One step's box: its text lines, size, and (once placed) its top-left corner."""

    def __init__(self, node: dict[str, Any]) -> None:
        self.kind = str(node.get("type"))
        self.title = _clip(_title(node), TITLE_CHARS)
        self.details = _details(node)
        self.height = 44 if not self.details else 40 + LINE_HEIGHT * len(self.details)
        self.x = self.y = 0

    def markup(self) -> str:
        """The box, its title and its detail lines."""
        fill, stroke = _COLOURS.get(self.kind, _UNKNOWN_COLOURS)
        centre = self.x + NODE_WIDTH // 2
        parts = [
            f'<g><rect x="{self.x}" y="{self.y}" width="{NODE_WIDTH}" height="{self.height}" rx="10" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>',
            f'<text x="{centre}" y="{self.y + 27}" text-anchor="middle" font-size="13" font-weight="600" '
            f'fill="#0f172a">{escape(self.title)}</text>',
        ]
        for index, line in enumerate(self.details):
            parts.append(
                f'<text x="{self.x + 14}" y="{self.y + 50 + index * LINE_HEIGHT}" font-size="12" '
                f'fill="#334155">{escape(line)}</text>'
            )
        parts.append("</g>")
        return "".join(parts)


def _title(node: dict[str, Any]) -> str:
    """The box's title: the step's name and, for a one-value step, that value ("Stop Loss: 5%")."""
    meta = node.get("meta") or {}
    name = step_name(node)
    value = {
        "category": meta.get("category"),
        "take_profit": _pct(meta.get("target_pct")),
        "stop_loss": _pct(meta.get("stop_pct")),
        "position_size": _pct(meta.get("allocation_pct")),
    }.get(str(node.get("type")))
    return f"{name}: {value}" if value else name


def _details(node: dict[str, Any]) -> list[str]:
    """The lines under a box's title: the market, the rules, the executable conditions."""
    meta = node.get("meta") or {}
    texts = [f"Symbol {meta['symbol']}"] if meta.get("symbol") else []
    texts += [f"• {rule}" for rule in meta.get("rules") or []]
    texts += [f"✓ {condition_text(c)}" for c in meta.get("conditions") or [] if isinstance(c, dict)]
    lines: list[str] = []
    for text in texts:
        lines += textwrap.wrap(str(text), DETAIL_CHARS, max_lines=MAX_DETAIL_LINES, placeholder=" …") or [""]
        if len(lines) >= MAX_DETAIL_LINES:
            return lines[: MAX_DETAIL_LINES - 1] + ["…"]
    return lines


def _ranks(node_ids: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Each step's row: its longest path from a step with no incoming edge (a step on a cycle goes last)."""
    successors: dict[str, list[str]] = {node_id: [] for node_id in node_ids}
    incoming = dict.fromkeys(node_ids, 0)
    for source, target in edges:
        successors[source].append(target)
        incoming[target] += 1
    rank = dict.fromkeys(node_ids, 0)
    queue = deque(node_id for node_id in node_ids if incoming[node_id] == 0)
    placed: set[str] = set()
    while queue:
        node_id = queue.popleft()
        placed.add(node_id)
        for target in successors[node_id]:
            rank[target] = max(rank[target], rank[node_id] + 1)
            incoming[target] -= 1
            if incoming[target] == 0:
                queue.append(target)
    last = max((rank[node_id] for node_id in placed), default=-1)
    return {node_id: rank[node_id] if node_id in placed else last + 1 for node_id in node_ids}


def _place(boxes: dict[str, _Box], ranks: dict[str, int]) -> tuple[int, int]:
    """Give every box its corner, row by row, each row centred; return the drawing's width and height."""
    rows: dict[int, list[_Box]] = {}
    for node_id, box in boxes.items():
        rows.setdefault(ranks[node_id], []).append(box)
    widest = max((len(row) for row in rows.values()), default=1)
    width = 2 * MARGIN + widest * NODE_WIDTH + (widest - 1) * NODE_SEP
    y = MARGIN
    for rank in sorted(rows):
        row = rows[rank]
        x = (width - (len(row) * NODE_WIDTH + (len(row) - 1) * NODE_SEP)) // 2
        for box in row:
            box.x, box.y = x, y
            x += NODE_WIDTH + NODE_SEP
        y += max(box.height for box in row) + RANK_SEP
    return width, max(y - RANK_SEP + MARGIN, 2 * MARGIN)


def _edge(source: _Box, target: _Box) -> str:
    """A curve from the bottom of `source` to the top of `target`, with an arrowhead."""
    x1, y1 = source.x + NODE_WIDTH // 2, source.y + source.height
    x2, y2 = target.x + NODE_WIDTH // 2, target.y
    middle = (y1 + y2) // 2
    return (
        f'<path d="M{x1} {y1} C{x1} {middle} {x2} {middle} {x2} {y2 - 6}" fill="none" stroke="#64748b" '
        f'stroke-width="1.5"/><polygon points="{x2 - 5},{y2 - 7} {x2 + 5},{y2 - 7} {x2},{y2}" fill="#64748b"/>'
    )


def _pct(value: Any) -> str | None:
    """A percentage parameter as text, or None when absent."""
    return format_pct(value) if isinstance(value, (int, float)) else None


def _clip(text: str, limit: int) -> str:
    """Clip text to a box's width."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
