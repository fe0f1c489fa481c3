"""Structural checks on a strategy flowchart: unique ids, real edges, one start, a path to an end."""

from collections import Counter, deque

from strategies.schemas import Flowchart, InvalidStrategy


class FlowchartError(InvalidStrategy):
    """The flowchart is not a usable graph; the message names the problem for a trader."""


def check_flowchart(flowchart: Flowchart) -> None:
    """Raise `FlowchartError` unless the flowchart is a graph the builder can run."""
    counts = Counter(node.id for node in flowchart.nodes)
    duplicates = sorted(node_id for node_id, n in counts.items() if n > 1)
    if duplicates:
        raise FlowchartError(f"The strategy's flowchart has more than one step with the id '{duplicates[0]}'.")

    for source, target in flowchart.edges:
        if source not in counts:
            raise FlowchartError(f"The strategy's flowchart has an edge from a step that doesn't exist: '{source}'.")
        if target not in counts:
            raise FlowchartError(f"The strategy's flowchart has an edge to a step that doesn't exist: '{target}'.")

    starts = [node.id for node in flowchart.nodes if node.type == "start"]
    if not starts:
        raise FlowchartError("The strategy's flowchart has no start step.")
    if len(starts) > 1:
        raise FlowchartError("The strategy's flowchart has more than one start step.")
    ends = {node.id for node in flowchart.nodes if node.type == "end"}
    if not ends:
        raise FlowchartError("The strategy's flowchart has no end step.")

    if not _reachable(starts[0], flowchart.edges) & ends:
        raise FlowchartError("The strategy's flowchart has no path from the start step to the end step.")


def _reachable(origin: str, edges: list[tuple[str, str]]) -> set[str]:
    """Ids reachable from `origin` by following edges forwards (including `origin`)."""
    successors: dict[str, list[str]] = {}
    for source, target in edges:
        successors.setdefault(source, []).append(target)
    seen, queue = {origin}, deque([origin])
    while queue:
        for nxt in successors.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
