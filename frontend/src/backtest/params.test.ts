import { describe, expect, it } from "vitest";

import { SEED_FLOWCHART } from "../flow/fixtures";
import type { Strategy } from "../types/generated/strategy";
import { defaultForm, formToParams, strategySymbol } from "./params";

function strategyOn(symbol: string | null, timeframe: Strategy["timeframe"] = "4h"): Strategy {
  return {
    account: { workspace: "", section: "" },
    assistant_panel: { greeting: "", user_request: "", assistant_reply: "" },
    flowchart: {
      ...SEED_FLOWCHART,
      nodes: SEED_FLOWCHART.nodes.map((node) =>
        node.type === "category" ? { ...node, meta: { ...node.meta, symbol } } : node,
      ),
    },
    timeframe,
    degen_class: { options: ["High", "Medium", "Low"], selected: "Low" },
    strategy_metrics: { impact_monthly_return_delta_pct: 3, estimated_capital_required_usd: 1000 },
    guardrails: null,
    actions: null,
  };
}

describe("the Run Backtest form", () => {
  it("opens on the strategy's symbol and timeframe, all history and a 0.1 % fee", () => {
    expect(defaultForm(strategyOn("ETH/USDT"))).toEqual({
      symbol: "ETH/USDT",
      timeframe: "4h",
      start: "",
      end: "",
      feePct: "0.1",
    });
  });

  it("leaves the symbol to the category's default when the strategy names none", () => {
    expect(strategySymbol(strategyOn(null))).toBeNull();
    expect(formToParams(defaultForm(strategyOn(null)))).toEqual({ ok: true, params: { timeframe: "4h", fee_pct: 0.1 } });
  });

  it("sends what the trader chose, the symbol upper-cased", () => {
    const result = formToParams({ symbol: " sol/usdt ", timeframe: "1d", start: "2024-01-01", end: "2024-06-30", feePct: "0.25" });
    expect(result).toEqual({
      ok: true,
      params: { symbol: "SOL/USDT", timeframe: "1d", start: "2024-01-01", end: "2024-06-30", fee_pct: 0.25 },
    });
  });

  it("names each bad field instead of sending", () => {
    const result = formToParams({ symbol: "bitcoin", timeframe: "1d", start: "2024-06-30", end: "2024-01-01", feePct: "9" });
    expect(result).toEqual({
      ok: false,
      errors: { symbol: "A pair like BTC/USDT.", end: "The end must come after the start.", feePct: "A fee from 0 to 5 %." },
    });
    expect(formToParams({ symbol: "", timeframe: "1d", start: "", end: "", feePct: "abc" })).toMatchObject({ ok: false });
  });
});
