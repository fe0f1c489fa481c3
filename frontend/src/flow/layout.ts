/**
 * Top-to-bottom layout of the strategy graph with dagre, as a pure function.
 *
 * Node sizes are estimated from each kind's content (the components have a fixed
 * width), so the layout needs no DOM measurement and can run in tests.
 */
import { Graph, layout } from "@dagrejs/dagre";
import { Position, type Edge } from "@xyflow/react";

import type { StrategyNode } from "./types";

export const NODE_WIDTH = 248;
export const RANK_SEP = 44;
export const NODE_SEP = 32;
/** About how many characters of a rule fit on one line of a node. */
const RULE_CHARS_PER_LINE = 30;
const LINE_HEIGHT = 18;

function ruleLines(rules: string[]): number {
  return Math.max(1, rules.reduce((lines, rule) => lines + Math.ceil(Math.max(rule.length, 1) / RULE_CHARS_PER_LINE), 0));
}

/** The height a node of this kind is laid out with. */
export function estimateNodeHeight(node: StrategyNode): number {
  switch (node.type) {
    case "start":
    case "end":
      return 44;
    case "entry_condition":
      return (
        70 +
        LINE_HEIGHT * ruleLines(node.data.rules) +
        (node.data.conditions.length > 0 ? 26 + LINE_HEIGHT * ruleLines(node.data.conditions) : 0)
      );
    case "exit_condition":
      return 70 + LINE_HEIGHT * ruleLines(node.data.rules);
    case "step":
      return 60 + 20 * node.data.details.length;
    default:
      return 78;
  }
}

/** Position the nodes top-to-bottom (edges run downwards) and return new node objects. */
export function getLayoutedNodes<N extends StrategyNode>(nodes: N[], edges: Edge[]): N[] {
  const graph = new Graph();
  graph.setGraph({ rankdir: "TB", ranksep: RANK_SEP, nodesep: NODE_SEP, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) {
    graph.setNode(node.id, { width: NODE_WIDTH, height: estimateNodeHeight(node) });
  }
  for (const edge of edges) {
    if (graph.hasNode(edge.source) && graph.hasNode(edge.target)) graph.setEdge(edge.source, edge.target);
  }
  layout(graph);

  return nodes.map((node) => {
    const { x, y, width, height } = graph.node(node.id) as { x: number; y: number; width: number; height: number };
    return {
      ...node,
      // dagre positions centres; xyflow positions top-left corners.
      position: { x: x - width / 2, y: y - height / 2 },
      targetPosition: Position.Top,
      sourcePosition: Position.Bottom,
    };
  });
}
