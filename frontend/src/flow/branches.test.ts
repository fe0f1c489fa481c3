import { describe, expect, it } from "vitest";

import { exitsAsBranches } from "./branches";
import { SEED_FLOWCHART } from "./fixtures";
import { toGraph, type LooseFlowchart } from "./toGraph";
import { layOutGraph } from "./useLayoutedGraph";

const BRANCHED: LooseFlowchart = {
  nodes: SEED_FLOWCHART.nodes,
  edges: [
    ["start", "category"],
    ["category", "entry"],
    ["entry", "profit_target"],
    ["entry", "stop_loss"],
    ["profit_target", "end"],
    ["stop_loss", "end"],
  ],
};

function drawnEdges(flowchart: LooseFlowchart): string[] {
  const { nodes, edges } = toGraph(flowchart);
  return exitsAsBranches(nodes, edges)
    .map((edge) => edge.id)
    .sort();
}

function boxes(flowchart: LooseFlowchart) {
  return Object.fromEntries(layOutGraph(flowchart, false, null).nodes.map((node) => [node.id, node.position]));
}

describe("exitsAsBranches", () => {
  it("draws the seed's chained profit target and stop loss as two branches from the entry to the end", () => {
    expect(drawnEdges(SEED_FLOWCHART)).toEqual([
      "category->entry",
      "entry->profit_target",
      "entry->stop_loss",
      "profit_target->end",
      "start->category",
      "stop_loss->end",
    ]);
  });

  it("leaves a strategy written as branches as it is", () => {
    expect(drawnEdges(BRANCHED)).toEqual(drawnEdges(SEED_FLOWCHART));
  });

  it("hangs every exit under the position size when one comes before them", () => {
    const edges = drawnEdges({
      nodes: [
        { id: "start", type: "start" },
        { id: "entry", type: "entry_condition" },
        { id: "size", type: "position_size" },
        { id: "tp", type: "take_profit" },
        { id: "sl", type: "stop_loss" },
        { id: "exit", type: "exit_condition" },
        { id: "end", type: "end" },
      ],
      edges: [
        ["start", "entry"],
        ["entry", "size"],
        ["size", "tp"],
        ["tp", "sl"],
        ["sl", "exit"],
        ["exit", "end"],
      ],
    });
    expect(edges).toEqual([
      "entry->size",
      "exit->end",
      "size->exit",
      "size->sl",
      "size->tp",
      "sl->end",
      "start->entry",
      "tp->end",
    ]);
  });

  it("keeps a run of exits that nothing leads into as it was written", () => {
    const edges = drawnEdges({
      nodes: [
        { id: "tp", type: "take_profit" },
        { id: "sl", type: "stop_loss" },
      ],
      edges: [["tp", "sl"]],
    });
    expect(edges).toEqual(["tp->sl"]);
  });
});

describe("the branch layout", () => {
  it("puts the profit target and the stop loss side by side under the entry, each above the end", () => {
    const at = boxes(SEED_FLOWCHART);
    expect(at.profit_target!.y).toBe(at.stop_loss!.y);
    expect(Math.abs(at.profit_target!.x - at.stop_loss!.x)).toBeGreaterThanOrEqual(248);
    expect(at.profit_target!.y).toBeGreaterThan(at.entry!.y);
    expect(at.end!.y).toBeGreaterThan(at.stop_loss!.y);
  });

  it("puts the exits left to right in the order they are written, as the preview drew them", () => {
    const [start, category, entry, profit, stop, end] = SEED_FLOWCHART.nodes;
    const stopFirst = { ...BRANCHED, nodes: [start!, category!, entry!, stop!, profit!, end!] };
    for (const [flowchart, left, right] of [
      [SEED_FLOWCHART, "profit_target", "stop_loss"],
      [stopFirst, "stop_loss", "profit_target"],
    ] as const) {
      const at = boxes(flowchart);
      expect(at[left]!.x, `${left} first`).toBeLessThan(at[right]!.x);
      const preview = Object.fromEntries(
        layOutGraph(flowchart, true, null).nodes.map((node) => [node.id, node.position]),
      );
      expect(preview[left]!.x).toBeLessThan(preview[right]!.x);
    }
  });

  it("draws the seed's linear chain exactly as the same strategy written with branches", () => {
    expect(boxes(SEED_FLOWCHART)).toEqual(boxes(BRANCHED));
  });
});
