/**
 * Edits to a strategy, as pure functions: each returns a new strategy and leaves its input untouched.
 *
 * Adding or removing a step rewires the edges so the flowchart stays a path from start to end (what
 * `strategies/graph.py` accepts): a new step is spliced into the edges after its anchor, a removed
 * one is bridged (each step before it now leads to each step after it). Start, category, entry and
 * end are the strategy's skeleton and cannot be removed.
 */
import type { DropFromHigh, MACrossUp, PriceAboveMA, RSIBelow, Strategy } from "../types/generated/strategy";
import { defaultLabel, MAX_NODES } from "./schemaRules";

export type FlowNode = Strategy["flowchart"]["nodes"][number];
export type NodeType = FlowNode["type"];
export type NodeOfType<T extends NodeType> = Extract<FlowNode, { type: T }>;
export type MetaNodeType = Extract<FlowNode, { meta: unknown }>["type"];
export type EntryCondition = DropFromHigh | PriceAboveMA | MACrossUp | RSIBelow;
export type ConditionKind = EntryCondition["kind"];

/** The steps a trader may add or remove; at most one of each (one stop, one target, one size, one exit). */
export const OPTIONAL_STEPS = ["take_profit", "stop_loss", "position_size", "exit_condition"] as const;
export type OptionalStep = (typeof OPTIONAL_STEPS)[number];

const NEW_STEPS: { [K in OptionalStep]: Omit<NodeOfType<K>, "id"> } = {
  take_profit: { type: "take_profit", label: defaultLabel("TakeProfitNode"), meta: { target_pct: 10 } },
  stop_loss: { type: "stop_loss", label: defaultLabel("StopLossNode"), meta: { stop_pct: 5, added: false } },
  position_size: { type: "position_size", label: defaultLabel("PositionSizeNode"), meta: { allocation_pct: 25 } },
  exit_condition: { type: "exit_condition", label: defaultLabel("ExitConditionNode"), meta: { rules: [] } },
};

const NEW_CONDITIONS: { [K in ConditionKind]: Extract<EntryCondition, { kind: K }> } = {
  drop_from_high: { kind: "drop_from_high", pct: 5, lookback_bars: 20 },
  price_above_ma: { kind: "price_above_ma", period: 50 },
  ma_cross_up: { kind: "ma_cross_up", fast: 20, slow: 50 },
  rsi_below: { kind: "rsi_below", period: 14, threshold: 30 },
};

/** Whether a trader may remove this step. */
export function isRemovable(node: FlowNode): boolean {
  return (OPTIONAL_STEPS as readonly string[]).includes(node.type);
}

/** The optional steps the strategy does not have yet (and so may add), none when it is full. */
export function addableSteps(strategy: Strategy): OptionalStep[] {
  const { nodes } = strategy.flowchart;
  if (nodes.length >= MAX_NODES) return [];
  return OPTIONAL_STEPS.filter((kind) => !nodes.some((node) => node.type === kind));
}

/** A condition of this kind with sensible starting values. */
export function newCondition(kind: ConditionKind): EntryCondition {
  return { ...NEW_CONDITIONS[kind] };
}

/** Merge `patch` into the meta of the node `id` (of type `type`). */
export function setMeta<T extends MetaNodeType>(
  strategy: Strategy,
  id: string,
  type: T,
  patch: Partial<NodeOfType<T>["meta"]>,
): Strategy {
  return mapNodes(strategy, (node) =>
    node.id === id && node.type === type ? ({ ...node, meta: { ...node.meta, ...patch } } as FlowNode) : node,
  );
}

export function setDegenClass(strategy: Strategy, selected: Strategy["degen_class"]["selected"]): Strategy {
  return { ...strategy, degen_class: { ...strategy.degen_class, selected } };
}

export function setTimeframe(strategy: Strategy, timeframe: Strategy["timeframe"]): Strategy {
  return { ...strategy, timeframe };
}

/** Whether a new step may go right after this node: the entry or an optional step (not before the entry, not after the end). */
export function isAnchor(node: FlowNode): boolean {
  return node.type === "entry_condition" || isRemovable(node);
}

/**
 * Add an optional step after the node `afterId` (its outgoing edges now leave the new step) when that
 * node may be an anchor, or else where it belongs: a position size right after the entry, any other
 * step just before the end. Returns the new strategy and the new step's id.
 */
export function insertStep(
  strategy: Strategy,
  kind: OptionalStep,
  afterId?: string | null,
): { strategy: Strategy; id: string } {
  const { nodes, edges } = strategy.flowchart;
  const id = freeId(kind, new Set(nodes.map((node) => node.id)));
  const step = { ...NEW_STEPS[kind], id } as FlowNode;
  const anchor = nodes.find((node) => node.id === afterId && isAnchor(node));
  const entry = nodes.find((node) => node.type === "entry_condition");
  const end = nodes.find((node) => node.type === "end");
  const after = anchor ?? (kind === "position_size" ? entry : undefined);

  let spliced: [string, string][];
  let position: number;
  if (after) {
    spliced = splice(edges, id, ([source]) => source === after.id);
    position = nodes.indexOf(after) + 1;
  } else {
    spliced = splice(edges, id, ([, target]) => target === end?.id);
    position = end ? nodes.indexOf(end) : nodes.length;
  }
  const withStep = [...nodes.slice(0, position), step, ...nodes.slice(position)];
  return { strategy: { ...strategy, flowchart: { nodes: withStep, edges: spliced } }, id };
}

/** Remove an optional step, bridging its edges; any other node id leaves the strategy as it is. */
export function removeStep(strategy: Strategy, id: string): Strategy {
  const { nodes, edges } = strategy.flowchart;
  const node = nodes.find((candidate) => candidate.id === id);
  if (!node || !isRemovable(node)) return strategy;
  const before = edges.filter(([, target]) => target === id).map(([source]) => source);
  const after = edges.filter(([source]) => source === id).map(([, target]) => target);
  const kept = edges.filter(([source, target]) => source !== id && target !== id);
  const bridges = before.flatMap((source) => after.map((target): [string, string] => [source, target]));
  return {
    ...strategy,
    flowchart: { nodes: nodes.filter((candidate) => candidate !== node), edges: dedupe([...kept, ...bridges]) },
  };
}

/** Replace each matching edge (a → b) by a → step and step → b. */
function splice(
  edges: [string, string][],
  step: string,
  matches: (edge: [string, string]) => boolean,
): [string, string][] {
  const result: [string, string][] = [];
  const onward: [string, string][] = [];
  for (const edge of edges) {
    if (!matches(edge)) {
      result.push(edge);
      continue;
    }
    result.push([edge[0], step]);
    onward.push([step, edge[1]]);
  }
  return dedupe([...result, ...onward]);
}

function dedupe(edges: [string, string][]): [string, string][] {
  const seen = new Set<string>();
  return edges.filter(([source, target]) => {
    const key = JSON.stringify([source, target]);
    if (source === target || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function freeId(base: string, taken: Set<string>): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
  return id;
}

function mapNodes(strategy: Strategy, update: (node: FlowNode) => FlowNode): Strategy {
  return { ...strategy, flowchart: { ...strategy.flowchart, nodes: strategy.flowchart.nodes.map(update) } };
}
