/**
 * Maps and lays out the strategy's flowchart when it changes, remembering what it drew last.
 *
 * A live flowchart (a reply still writing it) starts empty, keeps every drawn node in place and
 * places the new ones after them; a finished one gets the full layout, aligned with what was drawn
 * before, so the switch from a preview to the validated strategy is one small, animated move.
 */
import { useState } from "react";

import type { Flowchart } from "../types/generated/strategy";
import { exitsAsBranches, exitsInWrittenOrder } from "./branches";
import { getLayoutedNodes } from "./layout";
import { alignWith, placeArrivals, positionsOf } from "./livePlacement";
import { toGraph, type LooseFlowchart } from "./toGraph";
import type { StrategyGraph } from "./types";

interface Drawn {
  flowchart: LooseFlowchart | null | undefined;
  live: boolean;
  graph: StrategyGraph;
}

/** The graph to draw for a flowchart (and whether a reply is still writing it). */
export function layOutGraph(
  flowchart: LooseFlowchart | null | undefined,
  live: boolean,
  before: StrategyGraph | null,
): StrategyGraph {
  const { nodes, edges: written } = toGraph(flowchart);
  const edges = exitsAsBranches(nodes, written);
  const drawn = positionsOf(before?.nodes ?? []);
  return {
    nodes: live ? placeArrivals(nodes, drawn) : alignWith(exitsInWrittenOrder(getLayoutedNodes(nodes, edges)), drawn),
    edges,
  };
}

export function useLayoutedGraph(
  flowchart: Flowchart | LooseFlowchart | null | undefined,
  live = false,
): StrategyGraph {
  const [drawn, setDrawn] = useState<Drawn>(() => ({ flowchart, live, graph: layOutGraph(flowchart, live, null) }));
  if (drawn.flowchart === flowchart && drawn.live === live) return drawn.graph;
  // React's pattern for state that follows a prop: the next layout starts from the one on screen,
  // except a preview, which starts from an empty chart (it is a new strategy being written).
  const before = live && !drawn.live ? null : drawn.graph;
  const next = { flowchart, live, graph: layOutGraph(flowchart, live, before) };
  setDrawn(next);
  return next.graph;
}
