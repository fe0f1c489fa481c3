import { describe, expect, it } from "vitest";

import { SEED_FLOWCHART } from "./fixtures";
import { toGraph } from "./toGraph";

describe("toGraph", () => {
  it("maps the seed flowchart to typed nodes and edges", () => {
    const { nodes, edges } = toGraph(SEED_FLOWCHART);
    expect(nodes.map((n) => [n.id, n.type])).toEqual([
      ["start", "start"],
      ["category", "category"],
      ["entry", "entry_condition"],
      ["profit_target", "take_profit"],
      ["stop_loss", "stop_loss"],
      ["end", "end"],
    ]);
    expect(edges.map((e) => [e.source, e.target])).toEqual([
      ["start", "category"],
      ["category", "entry"],
      ["entry", "profit_target"],
      ["profit_target", "stop_loss"],
      ["stop_loss", "end"],
    ]);
    expect(new Set(edges.map((e) => e.id)).size).toBe(edges.length);
  });

  it("carries each kind's parameters", () => {
    const byId = Object.fromEntries(toGraph(SEED_FLOWCHART).nodes.map((n) => [n.id, n.data]));
    expect(byId.category).toMatchObject({ label: "Crypto Category", category: "DeFi" });
    expect(byId.entry).toMatchObject({ mode: "ai_optimized", rules: ["Enter on a 5% price drop"], conditions: [] });
    expect(byId.profit_target).toMatchObject({ targetPct: 7 });
    expect(byId.stop_loss).toMatchObject({ stopPct: 5, added: true });
  });

  it("never lets a dangling edge reach the graph", () => {
    const { edges } = toGraph({
      nodes: [
        { id: "start", type: "start" },
        { id: "end", type: "end" },
      ],
      edges: [
        ["start", "missing"],
        ["ghost", "end"],
        ["start", "end"],
        ["start", "end"],
        { source: "end", target: "nowhere" },
      ],
    });
    expect(edges.map((e) => e.id)).toEqual(["start->end"]);
  });

  it("skips repeated or missing ids and shows unknown kinds as generic steps", () => {
    const { nodes, edges } = toGraph({
      nodes: [
        { id: "a", type: "start" },
        { id: "a", type: "end" },
        { id: "", type: "end" },
        { id: "rebalance", type: "rebalance", label: "Rebalance", meta: { every_days: 7, nested: { x: 1 } } },
        { id: "alloc", type: "position_size", meta: { allocation_pct: "25" } },
        { id: "exit", type: "exit_condition", meta: { rules: ["Exit after 14 days", 3] } },
      ],
      edges: [
        { from: "a", to: "rebalance" },
        { source: "rebalance", target: "alloc" },
      ],
    });
    expect(nodes.map((n) => [n.id, n.type])).toEqual([
      ["a", "start"],
      ["rebalance", "step"],
      ["alloc", "position_size"],
      ["exit", "exit_condition"],
    ]);
    expect(nodes[1]?.data).toMatchObject({ kind: "rebalance", details: [["every days", "7"]] });
    expect(nodes[2]?.data).toMatchObject({ allocationPct: 25 });
    expect(nodes[3]?.data).toMatchObject({ label: "Exit condition", rules: ["Exit after 14 days"] });
    expect(edges.map((e) => e.id)).toEqual(["a->rebalance", "rebalance->alloc"]);
  });

  it("gives an empty graph for no flowchart", () => {
    expect(toGraph(null)).toEqual({ nodes: [], edges: [] });
    expect(toGraph({})).toEqual({ nodes: [], edges: [] });
  });

  it("says each entry condition in words and skips what is not one", () => {
    const { nodes } = toGraph({
      nodes: [
        {
          id: "entry",
          type: "entry_condition",
          meta: {
            rules: ["Buy the dip"],
            conditions: [
              { kind: "drop_from_high", pct: 5, lookback_bars: 20 },
              { kind: "price_above_ma", period: 50 },
              { kind: "ma_cross_up", fast: 20, slow: 50 },
              { kind: "rsi_below", period: 14, threshold: 30 },
              { kind: "elon_tweets" },
              "nonsense",
            ],
          },
        },
      ],
      edges: [],
    });
    expect(nodes[0]?.data).toMatchObject({
      conditions: [
        "Close 5% below the 20-bar high",
        "Close above its 50-bar average",
        "20-bar average crosses above the 50-bar",
        "RSI(14) below 30",
      ],
    });
  });
});
