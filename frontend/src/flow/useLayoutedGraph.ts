/** Runs the pure mapping and layout when the strategy's flowchart changes. */
import { useMemo } from "react";

import type { Flowchart } from "../types/generated/strategy";
import { getLayoutedNodes } from "./layout";
import { toGraph } from "./toGraph";
import type { StrategyGraph } from "./types";

export function useLayoutedGraph(flowchart: Flowchart | null | undefined): StrategyGraph {
  return useMemo(() => {
    const { nodes, edges } = toGraph(flowchart);
    return { nodes: getLayoutedNodes(nodes, edges), edges };
  }, [flowchart]);
}
