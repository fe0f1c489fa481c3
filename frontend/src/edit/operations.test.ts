import { describe, expect, it } from "vitest";

import {
  addableSteps,
  insertStep,
  OPTIONAL_STEPS,
  removeStep,
  setDegenClass,
  setMeta,
  setTimeframe,
} from "./operations";
import { chain, graphProblem, seedStrategy } from "./testStrategy";

describe("editing a step's parameters", () => {
  it("changes only that step's meta and leaves the original strategy untouched", () => {
    const original = seedStrategy();
    const edited = setMeta(original, "stop_loss", "stop_loss", { stop_pct: 4 });
    const stop = edited.flowchart.nodes.find((node) => node.id === "stop_loss");
    expect(stop).toMatchObject({ type: "stop_loss", meta: { stop_pct: 4, added: true } });
    expect(original.flowchart.nodes.find((node) => node.id === "stop_loss")).toMatchObject({ meta: { stop_pct: 5 } });
    expect(edited.flowchart.edges).toEqual(original.flowchart.edges);
  });

  it("ignores a patch for a node of another type", () => {
    const original = seedStrategy();
    expect(setMeta(original, "stop_loss", "take_profit", { target_pct: 9 })).toEqual(original);
  });

  it("sets the degen class and the timeframe", () => {
    const edited = setTimeframe(setDegenClass(seedStrategy(), "Low"), "4h");
    expect(edited.degen_class).toEqual({ options: ["High", "Medium", "Low"], selected: "Low" });
    expect(edited.timeframe).toBe("4h");
  });
});

describe("removing a step", () => {
  it.each(["profit_target", "stop_loss"])("bridges the edges around %s so start still reaches end", (id) => {
    const removed = removeStep(seedStrategy(), id);
    expect(removed.flowchart.nodes.map((node) => node.id)).not.toContain(id);
    expect(graphProblem(removed.flowchart)).toBeNull();
    expect(removed.flowchart.edges.flat()).not.toContain(id);
  });

  it("keeps the order of the remaining chain", () => {
    const removed = removeStep(seedStrategy(), "profit_target");
    expect(chain(removed.flowchart)).toEqual(["start", "category", "entry", "stop_loss", "end"]);
  });

  it.each(["start", "category", "entry", "end", "missing"])("refuses to remove %s", (id) => {
    const original = seedStrategy();
    expect(removeStep(original, id)).toBe(original);
  });

  it("bridges every step before to every step after, without self-loops or repeats", () => {
    const strategy = seedStrategy();
    strategy.flowchart.edges.push(["entry", "stop_loss"], ["stop_loss", "profit_target"]);
    const removed = removeStep(strategy, "stop_loss");
    const keys = removed.flowchart.edges.map((edge) => edge.join("->"));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).not.toContain("profit_target->profit_target");
    expect(keys).toEqual(expect.arrayContaining(["entry->profit_target", "profit_target->end", "entry->end"]));
    expect(graphProblem(removed.flowchart)).toBeNull();
  });
});

describe("adding a step", () => {
  it("offers only the optional steps the strategy lacks", () => {
    expect(addableSteps(seedStrategy())).toEqual(["position_size", "exit_condition"]);
    expect(addableSteps(removeStep(seedStrategy(), "stop_loss"))).toEqual([
      "stop_loss",
      "position_size",
      "exit_condition",
    ]);
  });

  it("puts a position size right after the entry and an exit just before the end", () => {
    const sized = insertStep(seedStrategy(), "position_size");
    expect(sized.id).toBe("position_size");
    expect(chain(sized.strategy.flowchart)).toEqual([
      "start",
      "category",
      "entry",
      "position_size",
      "profit_target",
      "stop_loss",
      "end",
    ]);
    const exited = insertStep(sized.strategy, "exit_condition");
    expect(chain(exited.strategy.flowchart).slice(-2)).toEqual(["exit_condition", "end"]);
    expect(graphProblem(exited.strategy.flowchart)).toBeNull();
  });

  it("puts a step after the selected one, and never before the entry or after the end", () => {
    const base = removeStep(seedStrategy(), "stop_loss");
    const after = insertStep(base, "stop_loss", "entry");
    expect(chain(after.strategy.flowchart)).toEqual([
      "start",
      "category",
      "entry",
      "stop_loss",
      "profit_target",
      "end",
    ]);
    const atEnd = insertStep(base, "stop_loss", "end");
    expect(chain(atEnd.strategy.flowchart)).toEqual([
      "start",
      "category",
      "entry",
      "profit_target",
      "stop_loss",
      "end",
    ]);
  });

  it("gives the new step a free id and the schema's label and a value within its bounds", () => {
    const strategy = seedStrategy();
    strategy.flowchart.nodes.push({ id: "exit_condition", type: "end", label: "End" });
    const { strategy: added, id } = insertStep(strategy, "exit_condition");
    expect(id).toBe("exit_condition_2");
    expect(added.flowchart.nodes.find((node) => node.id === id)).toMatchObject({
      label: "Exit Condition: ",
      meta: { rules: [] },
    });
  });

  it("keeps a valid graph through every sequence of adding and removing the optional steps", () => {
    let strategy = removeStep(removeStep(seedStrategy(), "stop_loss"), "profit_target");
    const anchors = [null, "start", "category", "entry"];
    for (const kind of OPTIONAL_STEPS) {
      for (const anchor of anchors) {
        const { strategy: added, id } = insertStep(strategy, kind, anchor);
        expect(graphProblem(added.flowchart), `${kind} after ${anchor}`).toBeNull();
        const removed = removeStep(added, id);
        expect(graphProblem(removed.flowchart)).toBeNull();
        expect(new Set(removed.flowchart.edges.map((e) => e.join()))).toEqual(
          new Set(strategy.flowchart.edges.map((e) => e.join())),
        );
      }
      strategy = insertStep(strategy, kind, anchors[OPTIONAL_STEPS.indexOf(kind)]).strategy;
      expect(graphProblem(strategy.flowchart)).toBeNull();
    }
    expect(addableSteps(strategy)).toEqual([]);
  });
});
