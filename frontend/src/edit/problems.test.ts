import { describe, expect, it } from "vitest";

import {
  generalProblems,
  messagesAt,
  nodeLevelProblems,
  nodeTarget,
  nodesWithProblems,
  normalizePath,
  withoutProblemsUnder,
} from "./problems";

const problem = (path: string, message = `bad ${path}`) => ({ path, message });

describe("mapping a problem's JSON path to a field", () => {
  it("finds the node by index and the field inside it", () => {
    expect(nodeTarget("flowchart.nodes[2].meta.stop_pct")).toEqual({ index: 2, field: "meta.stop_pct" });
    expect(nodeTarget("flowchart.nodes[12]")).toEqual({ index: 12, field: "" });
    expect(nodeTarget("degen_class.selected")).toBeNull();
    expect(nodeTarget("flowchart.edges[3]")).toBeNull();
  });

  it("reads pydantic's spelling too: dotted indexes and the tag of the union member", () => {
    expect(normalizePath("flowchart.nodes.2.stop_loss.meta.stop_pct")).toBe("flowchart.nodes[2].meta.stop_pct");
    expect(normalizePath("flowchart.nodes[1].entry_condition.meta.conditions.0.ma_cross_up.fast")).toBe(
      "flowchart.nodes[1].meta.conditions[0].fast",
    );
    expect(normalizePath("flowchart.nodes[1].meta.conditions[0].ma_cross_up")).toBe(
      "flowchart.nodes[1].meta.conditions[0]",
    );
    // A field that merely starts like a tag is left alone.
    expect(normalizePath("flowchart.nodes[3].meta.stop_loss_pct")).toBe("flowchart.nodes[3].meta.stop_loss_pct");
  });

  it("shows a field's messages at exactly its path", () => {
    const problems = [problem("flowchart.nodes.4.stop_loss.meta.stop_pct", "too big"), problem("flowchart.nodes[4]")];
    expect(messagesAt(problems, "flowchart.nodes[4].meta.stop_pct")).toEqual(["too big"]);
  });

  it("puts a node's problems that no field shows at the node, and the rest in the general list", () => {
    const problems = [
      problem("flowchart.nodes[2].meta.rules[0]"),
      problem("flowchart.nodes[2].label"),
      problem("flowchart.nodes[2]"),
      problem("flowchart.nodes[9].meta.stop_pct"),
      problem("flowchart.edges[1]"),
      problem("degen_class.selected"),
      problem("strategy_metrics.estimated_capital_required_usd"),
    ];
    expect(nodeLevelProblems(problems, 2).map((p) => p.path)).toEqual([
      "flowchart.nodes[2].label",
      "flowchart.nodes[2]",
    ]);
    expect(generalProblems(problems, 6).map((p) => p.path)).toEqual([
      "flowchart.nodes[9].meta.stop_pct",
      "flowchart.edges[1]",
      "strategy_metrics.estimated_capital_required_usd",
    ]);
    expect([...nodesWithProblems(problems)].sort()).toEqual([2, 9]);
  });

  it("forgets the problems of a field the trader changed, and only those", () => {
    const problems = [
      problem("flowchart.nodes[2].meta.rules[0]"),
      problem("flowchart.nodes[2].meta.rules"),
      problem("flowchart.nodes[2].meta.rules_extra"),
      problem("timeframe"),
    ];
    expect(withoutProblemsUnder(problems, "flowchart.nodes[2].meta.rules").map((p) => p.path)).toEqual([
      "flowchart.nodes[2].meta.rules_extra",
      "timeframe",
    ]);
  });
});
