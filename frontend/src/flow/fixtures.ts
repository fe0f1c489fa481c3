/** The seed document's example flowchart, shared by the flow tests. */
import type { Flowchart } from "../types/generated/strategy";

export const SEED_FLOWCHART: Flowchart = {
  nodes: [
    { id: "start", type: "start", label: "Start Strategy" },
    { id: "category", type: "category", label: "Crypto Category: ", meta: { category: "DeFi", symbol: null } },
    {
      id: "entry",
      type: "entry_condition",
      label: "Set Entry Condition: ",
      meta: { mode: "ai_optimized", rules: ["Enter on a 5% price drop"], conditions: [] },
    },
    { id: "profit_target", type: "take_profit", label: "Profit Target: ", meta: { target_pct: 7.0 } },
    { id: "stop_loss", type: "stop_loss", label: "Stop Loss: ", meta: { stop_pct: 5.0, added: true } },
    { id: "end", type: "end", label: "End Strategy" },
  ],
  edges: [
    ["start", "category"],
    ["category", "entry"],
    ["entry", "profit_target"],
    ["profit_target", "stop_loss"],
    ["stop_loss", "end"],
  ],
};
