import { describe, expect, it } from "vitest";

import { problemsOf } from "./api";
import { cleanName, nameProblem } from "./library";

describe("names", () => {
  it("trims a name and collapses its spaces as the server does", () => {
    expect(cleanName("  My \t dip\nbuyer ")).toBe("My dip buyer");
  });

  it("refuses an empty or overlong name and takes a good one", () => {
    expect(nameProblem(" \u00a0 ")).toBe("The name must not be empty.");
    expect(nameProblem("x".repeat(201))).toMatch(/at most 200/);
    expect(nameProblem(`${"x".repeat(199)}   y`)).toMatch(/at most 200/);
    expect(nameProblem("Ω dip buyer")).toBeNull();
  });
});

describe("problemsOf", () => {
  it("keeps only well-formed problems from a refusal", () => {
    const body = [
      { path: "strategy.flowchart.nodes[4].meta.stop_pct", message: "must be less than 100" },
      { path: 3, message: "bad" },
      "text",
      null,
    ];
    expect(problemsOf(body)).toEqual([
      { path: "strategy.flowchart.nodes[4].meta.stop_pct", message: "must be less than 100" },
    ]);
    expect(problemsOf({ path: "x", message: "y" })).toEqual([]);
  });
});
