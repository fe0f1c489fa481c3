/**
 * Where a problem belongs: the server names each by its JSON path (`flowchart.nodes[2].meta.stop_pct`)
 * and the editor shows it beside the field that path names, on the node with that index.
 */
import type { StrategyProblem } from "../types/generated/frames";

const NODE_PATH = /^flowchart\.nodes\[(\d+)\](?:\.(.*))?$/;
const NODE_TYPES = "start|end|category|entry_condition|exit_condition|take_profit|stop_loss|position_size";
const CONDITION_KINDS = "drop_from_high|price_above_ma|ma_cross_up|rsi_below";
// pydantic names the member of a tagged union it tried ("nodes.2.stop_loss.meta"): not a field of ours.
const UNION_TAGS = new RegExp(
  `(nodes\\[\\d+\\])\\.(?:${NODE_TYPES})(?=\\.|$)|(conditions\\[\\d+\\])\\.(?:${CONDITION_KINDS})(?=\\.|$)`,
  "g",
);

/** A path in the editor's one spelling: `a.b[2].c`, with any union tag taken out. */
export function normalizePath(path: string): string {
  return path
    .replace(/\.(\d+)(?=\.|$)/g, "[$1]")
    .replace(UNION_TAGS, (_match, node?: string, condition?: string) => node ?? condition ?? "");
}

/** The node index a path points into and the path within that node (`meta.stop_pct`), or null. */
export function nodeTarget(path: string): { index: number; field: string } | null {
  const match = NODE_PATH.exec(normalizePath(path));
  return match ? { index: Number(match[1]), field: match[2] ?? "" } : null;
}

/** The messages of the problems whose path is exactly `path`. */
export function messagesAt(problems: StrategyProblem[], path: string): string[] {
  return problems.filter((problem) => normalizePath(problem.path) === path).map((problem) => problem.message);
}

/** The problems inside `path` (itself or below it), e.g. every problem of one node. */
export function problemsUnder(problems: StrategyProblem[], path: string): StrategyProblem[] {
  return problems.filter((problem) => isUnder(normalizePath(problem.path), path));
}

const CONDITION_FIELDS = "pct|lookback_bars|period|fast|slow|threshold";
/** The fields of a node the inspector shows beside an input (relative to the node). */
const NODE_FIELDS = new RegExp(
  `^meta\\.(target_pct|stop_pct|allocation_pct|category|symbol|rules(\\[\\d+\\])?|conditions(\\[\\d+\\](\\.(${CONDITION_FIELDS}))?)?)$`,
);
/** The strategy-wide fields shown beside their own control. */
const STRATEGY_FIELDS = new Set(["degen_class.selected", "timeframe"]);

/** The problems of node `index` that no field shows (its label, an unknown key, the node as a whole). */
export function nodeLevelProblems(problems: StrategyProblem[], index: number): StrategyProblem[] {
  return problems.filter((problem) => {
    const target = nodeTarget(problem.path);
    return target !== null && target.index === index && !NODE_FIELDS.test(target.field);
  });
}

/** The problems that belong to no node on screen and no strategy-wide control: listed on their own. */
export function generalProblems(problems: StrategyProblem[], nodeCount: number): StrategyProblem[] {
  return problems.filter((problem) => {
    const target = nodeTarget(problem.path);
    if (target) return target.index >= nodeCount;
    return !STRATEGY_FIELDS.has(normalizePath(problem.path));
  });
}

/** Drop the problems at or under `path` (the trader has changed that field). */
export function withoutProblemsUnder(problems: StrategyProblem[], path: string): StrategyProblem[] {
  return problems.filter((problem) => !isUnder(normalizePath(problem.path), path));
}

/** The indexes of the nodes that have at least one problem. */
export function nodesWithProblems(problems: StrategyProblem[]): Set<number> {
  const indexes = new Set<number>();
  for (const problem of problems) {
    const target = nodeTarget(problem.path);
    if (target) indexes.add(target.index);
  }
  return indexes;
}

function isUnder(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}.`) || path.startsWith(`${parent}[`);
}
