/**
 * The edges as the flowchart draws them: exits that are alternatives side by side.
 *
 * Take profit, stop loss and exit condition each end a position on their own, whichever comes
 * first. A strategy may chain them (the seed's own example runs entry → profit target → stop loss
 * → end), which would read as if the stop applied only after the target was hit; so every run of
 * exits linked to one another is drawn as branches: each exit from the step before the run, and each
 * to the step after it. Exits are told by their node type, never by how the edges happen to run.
 */
import { MarkerType, type Edge } from "@xyflow/react";

import type { StrategyNode, StrategyNodeType } from "./types";

const EXIT_TYPES: ReadonlySet<StrategyNodeType> = new Set(["take_profit", "stop_loss", "exit_condition"]);

/** Whether a node of this type ends a position as one of several alternatives. */
export function isExit(type: string | undefined): boolean {
  return EXIT_TYPES.has(type as StrategyNodeType);
}

/** The edges with each run of chained exits redrawn as parallel branches (pure; linear in the graph). */
export function exitsAsBranches(nodes: StrategyNode[], edges: Edge[]): Edge[] {
  const exits = new Set(nodes.filter((node) => isExit(node.type)).map((node) => node.id));
  const runOf = exitRuns(exits, edges);
  const before = new Map<number, Set<string>>();
  const after = new Map<number, Set<string>>();
  const kept: [string, string][] = [];
  for (const { source, target } of edges) {
    const sourceRun = runOf.get(source);
    const targetRun = runOf.get(target);
    if (sourceRun !== undefined && targetRun !== undefined) continue; // a link inside a run: redrawn below
    if (targetRun !== undefined) append(before, targetRun, source);
    else if (sourceRun !== undefined) append(after, sourceRun, target);
    else kept.push([source, target]);
  }

  const drawn = new Map<string, Edge>();
  const draw = (source: string, target: string) => {
    const id = `${source}->${target}`;
    if (!drawn.has(id)) drawn.set(id, { id, source, target, markerEnd: { type: MarkerType.ArrowClosed } });
  };
  for (const [source, target] of kept) draw(source, target);
  for (const node of nodes) {
    const run = runOf.get(node.id);
    if (run === undefined) continue;
    for (const source of before.get(run) ?? []) draw(source, node.id);
    for (const target of after.get(run) ?? []) draw(node.id, target);
  }
  // A run nothing leads into stays as it was written, so no exit loses its place in the chart.
  for (const { source, target } of edges) {
    const run = runOf.get(source);
    if (run !== undefined && runOf.get(target) === run && !before.has(run)) draw(source, target);
  }
  return [...drawn.values()];
}

/** Each exit's run: exits linked by edges between exits share one number (union-find, near-linear). */
function exitRuns(exits: Set<string>, edges: Edge[]): Map<string, number> {
  const parent = new Map<string, string>([...exits].map((id) => [id, id]));
  const root = (id: string): string => {
    let top = id;
    while (parent.get(top) !== top) top = parent.get(top)!;
    for (let at = id; at !== top;) {
      const next = parent.get(at)!;
      parent.set(at, top);
      at = next;
    }
    return top;
  };
  for (const { source, target } of edges) {
    if (exits.has(source) && exits.has(target)) parent.set(root(source), root(target));
  }
  const numbers = new Map<string, number>();
  const runs = new Map<string, number>();
  for (const id of exits) {
    const top = root(id);
    if (!numbers.has(top)) numbers.set(top, numbers.size);
    runs.set(id, numbers.get(top)!);
  }
  return runs;
}

function append(sets: Map<number, Set<string>>, key: number, value: string): void {
  const set = sets.get(key);
  if (set) set.add(value);
  else sets.set(key, new Set([value]));
}

/** The laid-out nodes with each row of exits in the order the strategy lists them, left to right. */
export function exitsInWrittenOrder<N extends StrategyNode>(nodes: N[]): N[] {
  // The layout orders a row to avoid crossings; exits share both ends, so any order is as clear,
  // and the written one is the order the preview drew them in (no swap when it is replaced).
  const rows = new Map<number, N[]>();
  for (const node of nodes) {
    if (!isExit(node.type)) continue;
    const row = rows.get(node.position.y);
    if (row) row.push(node);
    else rows.set(node.position.y, [node]);
  }
  const moved = new Map<string, number>();
  for (const row of rows.values()) {
    const slots = row.map((node) => node.position.x).sort((a, b) => a - b);
    row.forEach((node, index) => moved.set(node.id, slots[index]!));
  }
  return nodes.map((node) => {
    const x = moved.get(node.id);
    return x === undefined || x === node.position.x ? node : { ...node, position: { ...node.position, x } };
  });
}
