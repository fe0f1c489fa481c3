/**
 * A stored strategy with the schema's defaults filled in. Versions stored before a field existed
 * (entry `conditions`, category `symbol`, the `timeframe`) come back without it; the server reads them
 * with these defaults, and so does the editor, so a draft is always a whole strategy.
 */
import type { Strategy } from "../types/generated/strategy";
import type { FlowNode } from "./operations";
import { TIMEFRAMES } from "./schemaRules";

const DEFAULT_TIMEFRAME = "1d";

/** The strategy as the server's schema reads it: every defaulted field present. */
export function withDefaults(strategy: Strategy): Strategy {
  const loose = strategy as Partial<Strategy>;
  const timeframe = TIMEFRAMES.includes(loose.timeframe ?? "") ? strategy.timeframe : DEFAULT_TIMEFRAME;
  return {
    ...strategy,
    timeframe,
    flowchart: { ...strategy.flowchart, nodes: strategy.flowchart.nodes.map(nodeWithDefaults) },
  };
}

function nodeWithDefaults(node: FlowNode): FlowNode {
  switch (node.type) {
    case "category":
      return { ...node, meta: { ...node.meta, symbol: node.meta.symbol ?? null } };
    case "entry_condition":
      return {
        ...node,
        meta: { ...node.meta, mode: node.meta.mode ?? "ai_optimized", conditions: node.meta.conditions ?? [] },
      };
    case "exit_condition":
      return { ...node, meta: { ...node.meta, rules: node.meta.rules ?? [] } };
    case "stop_loss":
      return { ...node, meta: { ...node.meta, added: node.meta.added ?? true } };
    default:
      return node;
  }
}
