import { describe, expect, it } from "vitest";

import { seedStrategy } from "../edit/testStrategy";
import { SEED_FLOWCHART } from "../flow/fixtures";
import type { ServerFrame, StrategyProgress } from "../types/generated/frames";
import type { Strategy } from "../types/generated/strategy";
import { previewReducer, type PreviewState } from "./preview";
import { chatReducer, initialChatState, type ChatState } from "./reducer";

const CONVERSATION = "7b0c1f7e-0000-4000-8000-000000000001";
// The seed's steps as progress frames carry them (parsed, unvalidated).
const [START, CATEGORY, ENTRY, PROFIT, STOP, END] = SEED_FLOWCHART.nodes.map((node) => ({
  id: node.id,
  type: node.type,
  label: node.label,
  meta: "meta" in node ? node.meta : undefined,
}));

function progress(seq: number, fields: Partial<StrategyProgress>, messageId = "a1"): StrategyProgress {
  return { type: "strategy_progress", message_id: messageId, seq, nodes: [], edges: [], ...fields };
}

function complete(messageId = "a1"): ServerFrame {
  return {
    type: "message_complete",
    message_id: messageId,
    conversation_id: CONVERSATION,
    user_message: "Done",
    strategy_json: null,
    strategy_version: null,
    status: "error",
    error: "The strategy was not valid.",
    provider: "offline",
    model_id: null,
  };
}

function apply(state: PreviewState, ...frames: ServerFrame[]): PreviewState {
  return frames.reduce(previewReducer, state);
}

function ids(state: PreviewState): string[] {
  return state?.flowchart.nodes.map((node) => node.id) ?? [];
}

describe("the strategy preview", () => {
  it("grows by each progress frame's nodes, edges and completed sections", () => {
    let state = apply(null, progress(1, { nodes: [START!, CATEGORY!] }));
    expect(ids(state)).toEqual(["start", "category"]);
    expect(state?.degenClass).toBeNull();

    state = apply(
      state,
      progress(2, { nodes: [ENTRY!], degen_class: { options: ["High", "Medium", "Low"], selected: "Low" } }),
    );
    expect(ids(state)).toEqual(["start", "category", "entry"]);
    expect(state?.degenClass?.selected).toBe("Low");

    state = apply(
      state,
      progress(3, { nodes: [PROFIT!, STOP!, END!], edges: [["start", "category"]] }),
      progress(4, {
        edges: [["category", "entry"]],
        strategy_metrics: { impact_monthly_return_delta_pct: 2, estimated_capital_required_usd: 5000 },
      }),
    );
    expect(ids(state)).toEqual(["start", "category", "entry", "profit_target", "stop_loss", "end"]);
    expect(state?.flowchart.edges).toEqual([
      ["start", "category"],
      ["category", "entry"],
    ]);
    expect(state?.degenClass?.selected).toBe("Low");
    expect(state?.strategyMetrics?.estimated_capital_required_usd).toBe(5000);
  });

  it("ignores a progress frame it already has", () => {
    const state = apply(null, progress(1, { nodes: [START!] }), progress(2, { nodes: [CATEGORY!] }));
    expect(apply(state, progress(2, { nodes: [CATEGORY!] }), progress(1, { nodes: [START!] }))).toBe(state);
  });

  it("ends when its reply completes, whatever the reply's strategy turned out to be", () => {
    const state = apply(null, progress(1, { nodes: [START!] }));
    expect(apply(state, complete("other"))).toBe(state);
    expect(apply(state, complete())).toBeNull();
  });

  it("starts a joining socket from the nodes so far, then continues with the frames after them", () => {
    const joined = apply(null, {
      type: "conversation_state",
      conversation_id: CONVERSATION,
      title: "",
      strategy_json: null,
      strategy_version: null,
      in_progress: {
        message_id: "a1",
        text: "Here is",
        seq: 3,
        strategy: { seq: 2, nodes: [START!, CATEGORY!, ENTRY!], edges: [], degen_class: null, strategy_metrics: null },
      },
      messages: [],
      has_more: false,
      before: null,
      latest_backtest: null,
    });
    expect(ids(joined)).toEqual(["start", "category", "entry"]);
    // Frame 2 went out before the socket joined (its nodes are in the state); frame 3 is new.
    const next = apply(joined, progress(2, { nodes: [ENTRY!] }), progress(3, { nodes: [PROFIT!] }));
    expect(ids(next)).toEqual(["start", "category", "entry", "profit_target"]);
  });

  it("has nothing to show for a conversation whose reply has written no strategy yet, or none streaming", () => {
    const state = apply(null, progress(1, { nodes: [START!] }));
    const base = {
      type: "conversation_state" as const,
      conversation_id: CONVERSATION,
      title: "",
      strategy_json: null,
      strategy_version: null,
      messages: [],
      has_more: false,
      before: null,
      latest_backtest: null,
    };
    const empty = { seq: 0, nodes: [], edges: [], degen_class: null, strategy_metrics: null };
    expect(apply(state, { ...base, in_progress: null })).toBeNull();
    expect(apply(state, { ...base, in_progress: { message_id: "a2", text: "", seq: 0, strategy: empty } })).toBeNull();
  });

  it("drops a preview left by an earlier reply when the next one starts", () => {
    const state = apply(null, progress(1, { nodes: [START!] }));
    expect(apply(state, { type: "message_start", message_id: "a2", conversation_id: CONVERSATION })).toBeNull();
    expect(apply(state, { type: "message_start", message_id: "a1", conversation_id: CONVERSATION })).toBe(state);
  });
});

describe("the preview in the chat state", () => {
  const previous: Strategy = {
    ...seedStrategy(),
    degen_class: { options: ["High", "Medium", "Low"], selected: "Low" },
    strategy_metrics: { impact_monthly_return_delta_pct: 2, estimated_capital_required_usd: 5000 },
  };

  function writing(): ChatState {
    const shown: ChatState = { ...initialChatState(CONVERSATION), strategy: previous, strategyVersion: 1 };
    return [
      { type: "message_start", message_id: "a1", conversation_id: CONVERSATION } as ServerFrame,
      progress(1, { nodes: [START!, CATEGORY!] }),
    ].reduce((state: ChatState, frame) => chatReducer(state, { kind: "frame", frame }), shown);
  }

  it("is kept beside the current strategy while the reply writes", () => {
    const state = writing();
    expect(ids(state.preview)).toEqual(["start", "category"]);
    expect(state.strategy).toBe(previous);
  });

  it("gives way to the previous strategy when the reply's strategy is invalid", () => {
    const state = chatReducer(writing(), { kind: "frame", frame: complete() });
    expect(state.preview).toBeNull();
    expect(state.strategy).toBe(previous);
    expect(state.strategyVersion).toBe(1);
    expect(state.messages.find((message) => message.id === "a1")?.error).toBe("The strategy was not valid.");
  });

  it("gives way to the validated strategy when the reply completes with one", () => {
    const validated = { ...previous, degen_class: { options: ["High", "Medium", "Low"], selected: "Medium" } };
    const frame = { ...complete(), strategy_json: validated, strategy_version: 2, status: "complete", error: null };
    const state = chatReducer(writing(), { kind: "frame", frame: frame as ServerFrame });
    expect(state.preview).toBeNull();
    expect(state.strategy).toBe(validated);
    expect(state.strategyVersion).toBe(2);
  });
});
