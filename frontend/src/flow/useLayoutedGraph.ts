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

/** What the flowchart drew last, and for which input. */
export interface Drawn {
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

/** What to draw next: laid out from what is on screen, except a preview, which starts from an empty chart. */
export function nextDrawn(previous: Drawn | null, flowchart: LooseFlowchart | null | undefined, live: boolean): Drawn {
  const startsPreview = live && !previous?.live;
  return { flowchart, live, graph: layOutGraph(flowchart, live, startsPreview ? null : (previous?.graph ?? null)) };
}

export function useLayoutedGraph(
  flowchart: Flowchart | LooseFlowchart | null | undefined,
  live = false,
): StrategyGraph {
  const [drawn, setDrawn] = useState<Drawn>(() => nextDrawn(null, flowchart, live));
  if (drawn.flowchart === flowchart && drawn.live === live) return drawn.graph;
  // React's pattern for state that follows a prop: set during render, drawn with the new value at once.
  const next = nextDrawn(drawn, flowchart, live);
  setDrawn(next);
  return next.graph;
}
