/** A whole strategy around the seed's flowchart, and the server's graph rules, shared by the frontend tests. */
import { SEED_FLOWCHART } from "../flow/fixtures";
import type { Strategy } from "../types/generated/strategy";

export function seedStrategy(): Strategy {
  return structuredClone({
    account: { workspace: "Vibe Water Associates", section: "My Strategies" },
    assistant_panel: { greeting: "", user_request: "", assistant_reply: "" },
    flowchart: SEED_FLOWCHART,
    timeframe: "1d",
    degen_class: { options: ["High", "Medium", "Low"], selected: "High" },
    strategy_metrics: { impact_monthly_return_delta_pct: 7, estimated_capital_required_usd: 1000 },
    guardrails: null,
    actions: null,
  });
}

/** What `strategies/graph.py check_flowchart` refuses, as a sentence, or null for a graph it accepts. */
export function graphProblem(flowchart: Strategy["flowchart"]): string | null {
  const ids = flowchart.nodes.map((node) => node.id);
  if (new Set(ids).size !== ids.length) return "duplicate id";
  for (const [source, target] of flowchart.edges) {
    if (!ids.includes(source) || !ids.includes(target)) return `dangling edge ${source} -> ${target}`;
  }
  const starts = flowchart.nodes.filter((node) => node.type === "start");
  if (starts.length !== 1) return "not exactly one start";
  const ends = new Set(flowchart.nodes.filter((node) => node.type === "end").map((node) => node.id));
  const seen = new Set([starts[0]!.id]);
  const queue = [starts[0]!.id];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const [source, target] of flowchart.edges) {
      if (source === at && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return [...ends].some((end) => seen.has(end)) ? null : "no path from start to end";
}

/** The node ids in the order the edges visit them from the start (the seed's flowchart is one chain). */
export function chain(flowchart: Strategy["flowchart"]): string[] {
  const order = ["start"];
  for (
    let next = flowchart.edges.find(([s]) => s === "start");
    next;
    next = flowchart.edges.find(([s]) => s === next![1])
  ) {
    order.push(next[1]);
    if (order.length > flowchart.nodes.length) break;
  }
  return order;
}
