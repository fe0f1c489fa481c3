import { describe, expect, it } from "vitest";

import { SEED_FLOWCHART } from "./fixtures";
import { estimateNodeHeight, getLayoutedNodes } from "./layout";
import { toGraph } from "./toGraph";

describe("getLayoutedNodes", () => {
  it("lays the flowchart out top to bottom", () => {
    const { nodes, edges } = toGraph(SEED_FLOWCHART);
    const laidOut = getLayoutedNodes(nodes, edges);
    const byId = new Map(laidOut.map((n) => [n.id, n]));
    for (const edge of edges) {
      const source = byId.get(edge.source)!;
      const target = byId.get(edge.target)!;
      // Each target starts below the bottom of its source.
      expect(target.position.y).toBeGreaterThan(source.position.y + estimateNodeHeight(source));
    }
    expect(laidOut.every((n) => n.sourcePosition === "bottom" && n.targetPosition === "top")).toBe(true);
  });

  it("puts a straight chain in one column", () => {
    const { nodes, edges } = toGraph(SEED_FLOWCHART);
    const centres = getLayoutedNodes(nodes, edges).map((n) => n.position.x);
    expect(Math.max(...centres) - Math.min(...centres)).toBeLessThan(1);
  });

  it("does not mutate its input and keeps node order", () => {
    const { nodes, edges } = toGraph(SEED_FLOWCHART);
    const laidOut = getLayoutedNodes(nodes, edges);
    expect(nodes.every((n) => n.position.x === 0 && n.position.y === 0)).toBe(true);
    expect(laidOut.map((n) => n.id)).toEqual(nodes.map((n) => n.id));
  });
});
