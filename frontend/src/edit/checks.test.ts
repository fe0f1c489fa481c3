import { describe, expect, it } from "vitest";

import { draftProblems } from "./checks";
import { insertStep, setMeta, type EntryCondition } from "./operations";
import { numberRule } from "./schemaRules";
import { seedStrategy } from "./testStrategy";

const pathsOf = (strategy: ReturnType<typeof seedStrategy>) => draftProblems(strategy).map((problem) => problem.path);

describe("the editor's own checks", () => {
  it("read their bounds from the generated schema", () => {
    expect(numberRule("StopLossMeta", "stop_pct")).toEqual({
      integer: false,
      exclusiveMinimum: 0,
      exclusiveMaximum: 100,
    });
    expect(numberRule("TakeProfitMeta", "target_pct")).toMatchObject({ exclusiveMinimum: 0, maximum: 1000 });
    expect(numberRule("DropFromHigh", "lookback_bars")).toMatchObject({ integer: true, minimum: 1, maximum: 1000 });
    expect(() => numberRule("StopLossMeta", "no_such_field")).toThrow();
  });

  it("find nothing wrong with the seed's strategy", () => {
    expect(draftProblems(seedStrategy())).toEqual([]);
  });

  it.each([
    [0, "Must be more than 0 and less than 100."],
    [100, "Must be more than 0 and less than 100."],
    [Number.NaN, "Enter a number."],
  ])("name a stop loss of %s by its JSON path", (stop_pct, message) => {
    const strategy = setMeta(seedStrategy(), "stop_loss", "stop_loss", { stop_pct });
    expect(draftProblems(strategy)).toEqual([{ path: "flowchart.nodes[4].meta.stop_pct", message }]);
  });

  it("accept the inclusive bounds and refuse just past them", () => {
    const ok = setMeta(
      setMeta(seedStrategy(), "profit_target", "take_profit", { target_pct: 1000 }),
      "stop_loss",
      "stop_loss",
      { stop_pct: 99.9 },
    );
    expect(draftProblems(ok)).toEqual([]);
    const over = setMeta(ok, "profit_target", "take_profit", { target_pct: 1000.5 });
    expect(pathsOf(over)).toEqual(["flowchart.nodes[3].meta.target_pct"]);
    const sized = insertStep(seedStrategy(), "position_size").strategy;
    expect(pathsOf(setMeta(sized, "position_size", "position_size", { allocation_pct: 100 }))).toEqual([]);
    expect(pathsOf(setMeta(sized, "position_size", "position_size", { allocation_pct: 101 }))).toEqual([
      "flowchart.nodes[3].meta.allocation_pct",
    ]);
  });

  it("check each condition's fields, whole numbers and the fast/slow order", () => {
    const conditions: EntryCondition[] = [
      { kind: "drop_from_high", pct: 5, lookback_bars: 2.5 },
      { kind: "ma_cross_up", fast: 50, slow: 20 },
      { kind: "rsi_below", period: 14, threshold: 100 },
      { kind: "price_above_ma", period: 1 },
    ];
    const problems = draftProblems(setMeta(seedStrategy(), "entry", "entry_condition", { conditions }));
    expect(problems).toEqual([
      { path: "flowchart.nodes[2].meta.conditions[0].lookback_bars", message: "Enter a whole number." },
      {
        path: "flowchart.nodes[2].meta.conditions[1].fast",
        message: "The fast period must be shorter than the slow period.",
      },
      { path: "flowchart.nodes[2].meta.conditions[2].threshold", message: "Must be more than 0 and less than 100." },
      { path: "flowchart.nodes[2].meta.conditions[3].period", message: "Must be at least 2 and at most 500." },
    ]);
  });

  it("want at least one entry rule, no empty rule, and a BASE/QUOTE symbol", () => {
    const noRules = setMeta(seedStrategy(), "entry", "entry_condition", { rules: [] as unknown as [string] });
    expect(pathsOf(noRules)).toEqual(["flowchart.nodes[2].meta.rules"]);
    const blank = setMeta(seedStrategy(), "entry", "entry_condition", { rules: ["Enter on a dip", " "] });
    expect(pathsOf(blank)).toEqual(["flowchart.nodes[2].meta.rules[1]"]);
    expect(pathsOf(setMeta(seedStrategy(), "category", "category", { symbol: "BTCUSDT" }))).toEqual([
      "flowchart.nodes[1].meta.symbol",
    ]);
    expect(pathsOf(setMeta(seedStrategy(), "category", "category", { symbol: "ETH/USDT" }))).toEqual([]);
  });
});
