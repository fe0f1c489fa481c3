"""Structural checks on a strategy flowchart: unique ids, real edges, one start, a path to an end.

Every problem is named by its JSON path (`flowchart.nodes[3].id`, `flowchart.edges[5]`); the error's
message is the first problem's sentence.
"""

from collections import deque

from strategies.schemas import MAX_STRATEGY_PROBLEMS, Flowchart, InvalidStrategy, StrategyProblem


class FlowchartError(InvalidStrategy):
    """The flowchart is not a usable graph; the message names the problem for a trader."""


def check_flowchart(flowchart: Flowchart) -> None:
    """Raise `FlowchartError` naming every problem unless the flowchart is a graph the builder can run."""
    problems = flowchart_problems(flowchart)
    if problems:
        raise FlowchartError(problems[0].message, problems[:MAX_STRATEGY_PROBLEMS])


def flowchart_problems(flowchart: Flowchart) -> list[StrategyProblem]:
    """Every structural problem of the flowchart, in the order a trader would fix them."""
    problems: list[StrategyProblem] = []
    first_index: dict[str, int] = {}
    for index, node in enumerate(flowchart.nodes):
        if node.id in first_index:
            message = f"The strategy's flowchart has more than one step with the id '{node.id}'."
            problems.append(StrategyProblem(path=f"flowchart.nodes[{index}].id", message=message))
        else:
            first_index[node.id] = index

    for index, (source, target) in enumerate(flowchart.edges):
        if source not in first_index:
            message = f"The strategy's flowchart has an edge from a step that doesn't exist: '{source}'."
            problems.append(StrategyProblem(path=f"flowchart.edges[{index}][0]", message=message))
        if target not in first_index:
            message = f"The strategy's flowchart has an edge to a step that doesn't exist: '{target}'."
            problems.append(StrategyProblem(path=f"flowchart.edges[{index}][1]", message=message))

    starts = [index for index, node in enumerate(flowchart.nodes) if node.type == "start"]
    if not starts:
        problems.append(StrategyProblem(path="flowchart.nodes", message="The strategy's flowchart has no start step."))
    for index in starts[1:]:
        message = "The strategy's flowchart has more than one start step."
        problems.append(StrategyProblem(path=f"flowchart.nodes[{index}].type", message=message))
    ends = {node.id for node in flowchart.nodes if node.type == "end"}
    if not ends:
        problems.append(StrategyProblem(path="flowchart.nodes", message="The strategy's flowchart has no end step."))

    if len(starts) == 1 and ends and not _reachable(flowchart.nodes[starts[0]].id, flowchart.edges) & ends:
        message = "The strategy's flowchart has no path from the start step to the end step."
        problems.append(StrategyProblem(path="flowchart.edges", message=message))
    return problems


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
