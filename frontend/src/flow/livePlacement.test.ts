import type { XYPosition } from "@xyflow/react";
import { describe, expect, it } from "vitest";

import { SEED_FLOWCHART } from "./fixtures";
import { estimateNodeHeight, NODE_WIDTH } from "./layout";
import { alignWith, placeArrivals, positionsOf } from "./livePlacement";
import { toGraph } from "./toGraph";
import type { StrategyNode } from "./types";
import { layOutGraph, nextDrawn } from "./useLayoutedGraph";

/** The seed's nodes placed as they arrive, one more each time: every placement on the way. */
function arrivals(): StrategyNode[][] {
  const { nodes } = toGraph(SEED_FLOWCHART);
  const steps: StrategyNode[][] = [];
  let drawn = new Map<string, XYPosition>();
  for (let count = 1; count <= nodes.length; count++) {
    const placed = placeArrivals(nodes.slice(0, count), drawn);
    drawn = positionsOf(placed);
    steps.push(placed);
  }
  return steps;
}

function overlap(a: StrategyNode, b: StrategyNode): boolean {
  const apart =
    a.position.x + NODE_WIDTH <= b.position.x ||
    b.position.x + NODE_WIDTH <= a.position.x ||
    a.position.y + estimateNodeHeight(a) <= b.position.y ||
    b.position.y + estimateNodeHeight(b) <= a.position.y;
  return !apart;
}

describe("placeArrivals", () => {
  it("never moves a node already drawn when the next one arrives", () => {
    const steps = arrivals();
    for (let index = 1; index < steps.length; index++) {
      const before = positionsOf(steps[index - 1]!);
      for (const node of steps[index]!) {
        if (before.has(node.id)) expect(node.position).toEqual(before.get(node.id));
      }
    }
  });

  it("places each new step under the one before it, and an exit after an exit beside it", () => {
    const at = Object.fromEntries(
      arrivals()
        .at(-1)!
        .map((node) => [node.id, node]),
    );
    for (const [above, below] of [
      ["start", "category"],
      ["category", "entry"],
      ["entry", "profit_target"],
    ] as const) {
      expect(at[below]!.position.x).toBe(at[above]!.position.x);
      expect(at[below]!.position.y).toBeGreaterThan(at[above]!.position.y + estimateNodeHeight(at[above]!));
    }
    expect(at.stop_loss!.position.y).toBe(at.profit_target!.position.y);
    expect(at.stop_loss!.position.x).toBeGreaterThan(at.profit_target!.position.x + NODE_WIDTH);
    expect(at.end!.position.y).toBeGreaterThan(at.stop_loss!.position.y + estimateNodeHeight(at.stop_loss!));
    // The end sits under the middle of the two exits.
    expect(at.end!.position.x).toBe((at.profit_target!.position.x + at.stop_loss!.position.x) / 2);
  });

  it("never draws a node over another", () => {
    const last = arrivals().at(-1)!;
    for (const [index, node] of last.entries()) {
      for (const other of last.slice(index + 1)) expect(overlap(node, other), `${node.id} / ${other.id}`).toBe(false);
    }
  });
});

describe("from the preview to the validated strategy", () => {
  it("keeps the first node where the preview drew it when the full layout takes over", () => {
    const preview = layOutGraph(SEED_FLOWCHART, true, null);
    const final = layOutGraph(SEED_FLOWCHART, false, preview);
    expect(final.nodes[0]!.position).toEqual(preview.nodes[0]!.position);
    expect(final.nodes[0]!.position).not.toEqual(layOutGraph(SEED_FLOWCHART, false, null).nodes[0]!.position);
  });

  it("leaves a layout with nothing drawn before as it is", () => {
    const { nodes } = layOutGraph(SEED_FLOWCHART, false, null);
    expect(alignWith(nodes, new Map())).toBe(nodes);
  });
});

describe("a preview after a strategy", () => {
  it("starts from an empty chart, not from where the previous strategy had the same steps", () => {
    const shown = nextDrawn(null, SEED_FLOWCHART, false);
    const entry = SEED_FLOWCHART.nodes.slice(2, 3);
    const preview = nextDrawn(shown, { nodes: entry, edges: [] }, true);
    expect(shown.graph.nodes.find((node) => node.id === "entry")!.position).not.toEqual({ x: 0, y: 0 });
    expect(preview.graph.nodes.map((node) => [node.id, node.position])).toEqual([["entry", { x: 0, y: 0 }]]);
  });

  it("keeps what the preview drew as the next frame adds to it", () => {
    const first = nextDrawn(
      nextDrawn(null, SEED_FLOWCHART, false),
      { nodes: SEED_FLOWCHART.nodes.slice(0, 2), edges: [] },
      true,
    );
    const second = nextDrawn(first, { nodes: SEED_FLOWCHART.nodes.slice(0, 3), edges: [] }, true);
    expect(second.graph.nodes.slice(0, 2)).toEqual(first.graph.nodes);
  });
});
