import { describe, expect, it } from "vitest";

import { chatReducer, initialChatState, isSending, type ChatState } from "./reducer";
import type { MessagePage, ServerFrame, MessageEntry } from "./protocol";
import { demoReport } from "../backtest/fixtures";
import { seedStrategy } from "../edit/testStrategy";
import type { Strategy } from "../types/generated/strategy";

const CONVERSATION = "7b0c1f7e-0000-4000-8000-000000000001";
const STRATEGY: Strategy = {
  ...seedStrategy(),
  degen_class: { options: ["High", "Medium", "Low"], selected: "Low" },
  strategy_metrics: { impact_monthly_return_delta_pct: 7, estimated_capital_required_usd: 5000 },
};

/** A frame with only some of its fields, as an older server sent them: the reducer reads what is there. */
type PartialFrame = Partial<ServerFrame> & { type: ServerFrame["type"] };

function apply(state: ChatState, ...frames: PartialFrame[]): ChatState {
  return frames.reduce((s, frame) => chatReducer(s, { kind: "frame", frame: frame as ServerFrame }), state);
}

const STORED: MessageEntry = {
  id: "",
  role: "user",
  content: "",
  status: "complete",
  error: null,
  provider: null,
  created_at: "2026-01-01T00:00:00Z",
  strategy_version: null,
};

function chunk(seq: number, text: string, messageId = "a1"): PartialFrame {
  return { type: "content_chunk", message_id: messageId, chunk: text, seq };
}

function stateWithReplyInProgress(text: string, seq: number): PartialFrame {
  return {
    type: "conversation_state",
    conversation_id: CONVERSATION,
    messages: [
      { ...STORED, id: "u1", role: "user", content: "I have $5000", created_at: "2026-01-01T00:00:00Z" },
      { ...STORED, id: "a1", role: "assistant", content: "", status: "streaming", created_at: "2026-01-01T00:00:01Z" },
    ],
    strategy_json: null,
    strategy_version: null,
    in_progress: {
      message_id: "a1",
      text,
      seq,
      strategy: { seq: 0, nodes: [], edges: [], degen_class: null, strategy_metrics: null },
    },
  };
}

function assistant(state: ChatState) {
  return state.messages.find((m) => m.id === "a1");
}

describe("streaming a reply", () => {
  it("appends chunks in order and completes with the strategy", () => {
    let state = apply(
      initialChatState(null),
      { type: "message_received", message_id: "u1", conversation_id: CONVERSATION, content: "hi" },
      { type: "message_start", message_id: "a1", conversation_id: CONVERSATION },
      chunk(1, "Hello "),
      chunk(2, "trader"),
    );
    expect(state.conversationId).toBe(CONVERSATION);
    expect(state.streamingId).toBe("a1");
    expect(assistant(state)?.content).toBe("Hello trader");

    state = apply(state, {
      type: "message_complete",
      message_id: "a1",
      user_message: "Hello trader.",
      strategy_json: STRATEGY,
      strategy_version: 1,
      error: null,
      provider: "offline",
      model_id: null,
    });
    expect(state.streamingId).toBeNull();
    expect(assistant(state)).toMatchObject({ content: "Hello trader.", status: "complete", provider: "offline" });
    expect(state.strategy).toEqual(STRATEGY);
    expect(state.strategyVersion).toBe(1);
    expect(state.provider).toBe("offline");
    expect(state.completedReplies).toBe(1);
  });

  it("keeps the previous strategy when a reply fails", () => {
    let state = apply(initialChatState(CONVERSATION), {
      type: "conversation_state",
      conversation_id: CONVERSATION,
      messages: [],
      strategy_json: STRATEGY,
      strategy_version: 3,
      in_progress: null,
    });
    state = apply(
      state,
      { type: "message_start", message_id: "a1" },
      chunk(1, "Partial"),
      { type: "message_complete", message_id: "a1", strategy_json: null, strategy_version: null, error: "The strategist timed out." },
    );
    expect(assistant(state)).toMatchObject({ content: "Partial", status: "error", error: "The strategist timed out." });
    expect(state.strategy).toEqual(STRATEGY);
    expect(state.strategyVersion).toBe(3);
  });
});

describe("resuming after a reconnect", () => {
  it("drops chunks the conversation state already holds", () => {
    const state = apply(
      initialChatState(CONVERSATION),
      stateWithReplyInProgress("Hello trader", 2),
      chunk(1, "Hello "),
      chunk(2, "trader"),
      chunk(3, ", here"),
      chunk(3, ", here"),
      chunk(4, " it is"),
    );
    expect(assistant(state)?.content).toBe("Hello trader, here it is");
    expect(assistant(state)?.hasGap).toBeFalsy();
    expect(state.streamingId).toBe("a1");
    expect(state.resyncFor).toBeNull();
  });

  it("replaces text streamed before the drop instead of repeating it", () => {
    let state = apply(
      initialChatState(CONVERSATION),
      stateWithReplyInProgress("", 0),
      chunk(1, "Hello "),
    );
    // The socket drops; chunk 2 is missed; the server's state on rejoin holds 1..3.
    state = chatReducer(state, { kind: "connection_lost" });
    state = apply(state, stateWithReplyInProgress("Hello trader, here", 3), chunk(3, ", here"), chunk(4, " it is"));
    expect(assistant(state)?.content).toBe("Hello trader, here it is");
  });

  it("flags a gap for a resync and lets the completion repair the text", () => {
    let state = apply(
      initialChatState(CONVERSATION),
      stateWithReplyInProgress("Hello ", 1),
      chunk(3, " it is"),
    );
    expect(assistant(state)?.hasGap).toBe(true);
    expect(state.resyncFor).toBe("a1");

    state = apply(state, {
      type: "message_complete",
      message_id: "a1",
      user_message: "Hello trader, here it is",
      strategy_json: STRATEGY,
      strategy_version: 2,
      error: null,
    });
    expect(assistant(state)).toMatchObject({ content: "Hello trader, here it is", status: "complete", hasGap: false });
    expect(state.resyncFor).toBeNull();
  });

  it("completes a resumed reply and ignores chunks that arrive late", () => {
    const state = apply(
      initialChatState(CONVERSATION),
      stateWithReplyInProgress("Hello trader", 2),
      chunk(3, "."),
      {
        type: "message_complete",
        message_id: "a1",
        user_message: "Hello trader.",
        strategy_json: STRATEGY,
        strategy_version: 4,
        error: null,
        provider: "bedrock",
      },
      chunk(4, " again"),
    );
    expect(assistant(state)).toMatchObject({ content: "Hello trader.", status: "complete" });
    expect(state.streamingId).toBeNull();
    expect(state.strategyVersion).toBe(4);
    expect(state.messages.filter((m) => m.id === "a1")).toHaveLength(1);
  });

  it("takes the transcript from the state and stops streaming when nothing is in progress", () => {
    const state = apply(
      initialChatState(CONVERSATION),
      { type: "message_start", message_id: "a1" },
      chunk(1, "Hel"),
      {
        type: "conversation_state",
        conversation_id: CONVERSATION,
        messages: [{ ...STORED, id: "a1", role: "assistant", content: "Hello.", status: "complete", provider: "offline" }],
        strategy_json: STRATEGY,
        strategy_version: 1,
        in_progress: null,
      },
    );
    expect(state.streamingId).toBeNull();
    expect(state.messages).toHaveLength(1);
    expect(assistant(state)?.content).toBe("Hello.");
    expect(state.provider).toBe("offline");
  });
});

describe("sending", () => {
  it("replaces the pending message with the stored one", () => {
    let state = chatReducer(initialChatState(null), { kind: "local_send", content: "I have $5000" });
    expect(isSending(state)).toBe(true);
    state = apply(state, { type: "message_received", message_id: "u1", conversation_id: CONVERSATION, content: "I have $5000" });
    expect(isSending(state)).toBe(false);
    expect(state.messages).toEqual([{ id: "u1", role: "user", content: "I have $5000", status: "complete" }]);
  });

  it("shows a refused frame as a notice and marks the pending message not sent", () => {
    let state = chatReducer(initialChatState(CONVERSATION), { kind: "local_send", content: "again" });
    state = apply(state, { type: "error", code: "rate_limited", message: "You are sending messages too quickly." });
    expect(state.messages[0]).toMatchObject({ status: "error" });
    expect(state.messages[1]).toMatchObject({ role: "system", content: "You are sending messages too quickly." });
  });

  it("marks a pending message not sent when the connection drops", () => {
    let state = chatReducer(initialChatState(null), { kind: "local_send", content: "hello" });
    state = chatReducer(state, { kind: "connection_lost" });
    expect(state.messages[0]).toMatchObject({ status: "error" });
    expect(isSending(state)).toBe(false);
  });
});

describe("strategy changes outside a reply", () => {
  it("shows a restored version announced by the server", () => {
    const state = apply(initialChatState(CONVERSATION), {
      type: "strategy_updated",
      conversation_id: CONVERSATION,
      strategy_json: STRATEGY,
      strategy_version: 2,
    });
    expect(state.strategy).toEqual(STRATEGY);
    expect(state.strategyVersion).toBe(2);
  });

  it("takes a stopped reply's status from the server", () => {
    const state = apply(
      initialChatState(CONVERSATION),
      { type: "message_start", message_id: "a1" },
      chunk(1, "Part"),
      { type: "message_complete", message_id: "a1", user_message: "Part", status: "interrupted", error: "Stopped." },
    );
    expect(assistant(state)).toMatchObject({ status: "interrupted", error: "Stopped." });
    expect(state.streamingId).toBeNull();
  });
});

describe("a long conversation", () => {
  function stored(id: string, content = `message ${id}`): MessageEntry {
    return { ...STORED, id, role: id.startsWith("u") ? "user" : "assistant", content };
  }

  function newest(messages: MessageEntry[], hasMore: boolean): PartialFrame {
    return {
      type: "conversation_state",
      conversation_id: CONVERSATION,
      messages,
      has_more: hasMore,
      before: messages[0]?.id ?? null,
      strategy_json: null,
      strategy_version: null,
      in_progress: null,
    };
  }

  function loaded(state: ChatState, cursor: string, page: MessagePage): ChatState {
    return chatReducer(state, { kind: "earlier_loaded", cursor, page });
  }

  const ids = (state: ChatState) => state.messages.map((m) => m.id);

  it("offers earlier messages only when the state says older ones remain", () => {
    const long = apply(initialChatState(CONVERSATION), newest([stored("u3"), stored("a3")], true));
    expect(long.earlierCursor).toBe("u3");

    const whole = apply(initialChatState(CONVERSATION), newest([stored("u1"), stored("a1")], false));
    expect(whole.earlierCursor).toBeNull();

    // An older server sends every message and no has_more.
    const older = apply(initialChatState(CONVERSATION), stateWithReplyInProgress("", 0));
    expect(older.earlierCursor).toBeNull();
  });

  it("prepends each earlier page until the first message", () => {
    let state = apply(initialChatState(CONVERSATION), newest([stored("u3"), stored("a3")], true));
    state = loaded(state, "u3", { messages: [stored("u2"), stored("a2")], has_more: true, before: "u2" });
    expect(ids(state)).toEqual(["u2", "a2", "u3", "a3"]);
    expect(state.earlierCursor).toBe("u2");

    state = loaded(state, "u2", { messages: [stored("u1"), stored("a1")], has_more: false, before: "u1" });
    expect(ids(state)).toEqual(["u1", "a1", "u2", "a2", "u3", "a3"]);
    expect(state.earlierCursor).toBeNull();
  });

  it("ignores a page asked for with a cursor the transcript no longer has", () => {
    let state = apply(initialChatState(CONVERSATION), newest([stored("u3"), stored("a3")], true));
    state = loaded(state, "u3", { messages: [stored("u2"), stored("a2")], has_more: true, before: "u2" });
    // The same request answered twice: the second answer is stale.
    const again = loaded(state, "u3", { messages: [stored("u2"), stored("a2")], has_more: true, before: "u2" });
    expect(ids(again)).toEqual(["u2", "a2", "u3", "a3"]);
    expect(again.earlierCursor).toBe("u2");
  });

  it("never shows a message twice when a page overlaps the transcript", () => {
    let state = apply(initialChatState(CONVERSATION), newest([stored("u3"), stored("a3")], true));
    state = loaded(state, "u3", { messages: [stored("a2"), stored("u3")], has_more: true, before: "a2" });
    expect(ids(state)).toEqual(["a2", "u3", "a3"]);
  });

  it("keeps the earlier pages it loaded across a reconnect", () => {
    let state = apply(initialChatState(CONVERSATION), newest([stored("u2"), stored("a2"), stored("u3")], true));
    state = loaded(state, "u2", { messages: [stored("u1"), stored("a1")], has_more: false, before: "u1" });
    state = chatReducer(state, { kind: "connection_lost" });
    // Meanwhile a reply arrived: the newest messages that fit now start one later.
    state = apply(state, newest([stored("a2"), stored("u3"), stored("a3")], true));
    expect(ids(state)).toEqual(["u1", "a1", "u2", "a2", "u3", "a3"]);
    expect(state.earlierCursor).toBeNull();
  });

  it("starts over from the state when it shares no message with the transcript", () => {
    let state = apply(initialChatState(CONVERSATION), newest([stored("u2"), stored("a2")], true));
    state = loaded(state, "u2", { messages: [stored("u1"), stored("a1")], has_more: false, before: "u1" });
    state = apply(state, newest([stored("u9"), stored("a9")], true));
    expect(ids(state)).toEqual(["u9", "a9"]);
    expect(state.earlierCursor).toBe("u9");
  });

  it("marks a message the server could send only the beginning of", () => {
    const state = apply(
      initialChatState(CONVERSATION),
      newest([{ ...stored("a1", "The beginning"), truncated: true }, stored("u2")], false),
    );
    expect(state.messages[0]).toMatchObject({ content: "The beginning", truncated: true });
    expect(state.messages[1]?.truncated).toBe(false);
  });
});

describe("chat reducer and the backtest", () => {
  it("hands backtest frames to the backtest state and leaves the transcript alone", () => {
    let state = chatReducer(initialChatState(CONVERSATION), { kind: "backtest_requested" });
    expect(state.backtest.phase).toBe("requested");
    state = apply(state, { type: "backtest_started", backtest_id: "run-1", strategy_version: 1 });
    expect(state.backtest).toMatchObject({ phase: "running", runningId: "run-1" });
    state = apply(state, { ...demoReport({ backtest_id: "run-1" }), type: "backtest_result" });
    expect(state.backtest.phase).toBe("idle");
    expect(state.backtest.latest?.backtest_id).toBe("run-1");
    expect(state.messages).toEqual([]);
  });

  it("shows a refused backtest in the panel and in the chat", () => {
    let state = chatReducer(initialChatState(CONVERSATION), { kind: "backtest_requested" });
    state = apply(state, { type: "error", code: "no_strategy", message: "There is no strategy to backtest yet." });
    expect(state.backtest).toMatchObject({ phase: "failed", error: "There is no strategy to backtest yet." });
    expect(state.messages.at(-1)).toMatchObject({ role: "system", content: "There is no strategy to backtest yet." });
  });
});

describe("the provider badge and the server's notes", () => {
  const reply: PartialFrame = {
    type: "message_complete",
    message_id: "a1",
    user_message: "Here is a strategy.",
    strategy_json: STRATEGY,
    strategy_version: 1,
    error: null,
    provider: "offline",
    model_id: null,
  };
  const note: PartialFrame = {
    type: "message_complete",
    message_id: "n1",
    user_message: "Backtest #1 of v1 on synthetic demo data: +6.3 %.",
    strategy_json: null,
    strategy_version: 1,
    error: null,
    provider: "vibewater", // chat/notes.py NOTE_PROVIDER
    model_id: null,
  };

  it("keeps naming the strategist that replied after a note of the server's arrives", () => {
    expect(apply(initialChatState(CONVERSATION), reply, note).provider).toBe("offline");
  });

  it("skips the server's notes when a reconnect's transcript says who replied", () => {
    const state = apply(initialChatState(null), {
      type: "conversation_state",
      conversation_id: CONVERSATION,
      messages: [
        { ...STORED, id: "a1", role: "assistant", content: "Hello.", provider: "offline" },
        { ...STORED, id: "n1", role: "assistant", content: "Restored v1.", provider: "vibewater" },
      ],
      strategy_json: STRATEGY,
      strategy_version: 1,
      in_progress: null,
    });
    expect(state.provider).toBe("offline");
  });
});
