import { describe, expect, it } from "vitest";

import { draftProblems } from "./checks";
import { withDefaults } from "./defaults";
import { seedStrategy } from "./testStrategy";

describe("a strategy stored before the backtest fields existed", () => {
  it("is read with the schema's defaults, so the editor can check and edit it", () => {
    const old = JSON.parse(JSON.stringify(seedStrategy())) as Record<string, any>;
    delete old.timeframe;
    delete old.flowchart.nodes[1].meta.symbol;
    delete old.flowchart.nodes[2].meta.conditions;
    delete old.flowchart.nodes[4].meta.added;
    const read = withDefaults(old as ReturnType<typeof seedStrategy>);
    expect(read).toEqual(seedStrategy());
    expect(draftProblems(read)).toEqual([]);
  });

  it("leaves a whole strategy as it is", () => {
    expect(withDefaults(seedStrategy())).toEqual(seedStrategy());
  });
});
