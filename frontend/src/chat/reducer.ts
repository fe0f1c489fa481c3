/**
 * The chat's state machine: server frames (and a few local events) in, chat state out.
 *
 * Pure and synchronous so the resume logic can be tested without a socket. A
 * reconnect replaces the transcript with the server's `conversation_state`, and
 * each reply's `seq` lets the live chunks that follow continue it without a gap
 * or a repeated piece of text. A long conversation arrives as its newest messages;
 * older ones are prepended a page at a time.
 */
import type {
  ContentChunk,
  ConversationState,
  ErrorFrame,
  MessageComplete,
  MessageEntry,
  MessagePage,
  MessageReceived,
  MessageStart,
  MessageStatus,
  ServerFrame,
} from "./protocol";
import { INITIAL_BACKTEST_STATE, backtestReducer, type BacktestState } from "../backtest/state";
import { previewReducer, type PreviewState } from "./preview";
import type { Strategy } from "../types/generated/strategy";

/** `system` messages are local notices (error frames); `sending` is a message not yet stored. */
export interface ChatMessage {
  id: string;
  role: "user" | "assistant" | "system";
  content: string;
  status: MessageStatus | "sending";
  createdAt?: string;
  strategyVersion?: number | null;
  error?: string | null;
  provider?: string | null;
  modelId?: string | null;
  /** Set when a chunk was missed; the completed reply's full text replaces the content. */
  hasGap?: boolean;
  /** Set when the server sent only the beginning of a message too large for a frame. */
  truncated?: boolean;
}

export interface ChatState {
  conversationId: string | null;
  title: string | null;
  messages: ChatMessage[];
  /** The `before` cursor to load older messages with, or null when the transcript starts at the first. */
  earlierCursor: string | null;
  /** The reply streaming now, if any. */
  streamingId: string | null;
  /** The last applied `seq` per reply. */
  lastSeq: Record<string, number>;
  strategy: Strategy | null;
  strategyVersion: number | null;
  /** The provider of the latest reply (`offline` / `bedrock`), when known. */
  provider: string | null;
  /** The reply that missed chunks, so the hook can rejoin and get the full text. */
  resyncFor: string | null;
  /** Counts completed replies, so views can refresh what a reply changes. */
  completedReplies: number;
  nextLocalId: number;
  /** The Run Backtest state, kept by `backtestReducer`. */
  backtest: BacktestState;
  /** The strategy the streaming reply is writing, kept by `previewReducer`. */
  preview: PreviewState;
}

export type ChatEvent =
  | { kind: "frame"; frame: ServerFrame }
  | { kind: "local_send"; content: string }
  | { kind: "connection_lost" }
  | { kind: "earlier_loaded"; cursor: string; page: MessagePage }
  | { kind: "strategy_restored"; strategy: Strategy; version: number }
  | { kind: "backtest_requested" };

/** The `provider` of the server's own notes (chat/notes.py NOTE_PROVIDER): not a model, so not the badge's. */
export const NOTE_PROVIDER = "vibewater";

export const NOT_SENT_ERROR = "Not sent: the connection dropped. Please send it again.";
const GENERIC_ERROR = "Something went wrong. Please try again.";

/** The state before any frame, for a conversation id from the URL or none. */
export function initialChatState(conversationId: string | null): ChatState {
  return {
    conversationId,
    title: null,
    messages: [],
    earlierCursor: null,
    streamingId: null,
    lastSeq: {},
    strategy: null,
    strategyVersion: null,
    provider: null,
    resyncFor: null,
    completedReplies: 0,
    nextLocalId: 1,
    backtest: INITIAL_BACKTEST_STATE,
    preview: null,
  };
}

/** Apply one event to the chat state. */
export function chatReducer(state: ChatState, event: ChatEvent): ChatState {
  switch (event.kind) {
    case "frame": {
      const next = applyFrame(state, event.frame);
      const backtest = backtestReducer(state.backtest, event);
      const preview = previewReducer(state.preview, event.frame);
      return backtest === state.backtest && preview === state.preview ? next : { ...next, backtest, preview };
    }
    case "backtest_requested":
      return { ...state, backtest: backtestReducer(state.backtest, event) };
    case "local_send":
      return {
        ...state,
        nextLocalId: state.nextLocalId + 1,
        messages: [
          ...state.messages,
          { id: `local-${state.nextLocalId}`, role: "user", content: event.content, status: "sending" },
        ],
      };
    case "connection_lost":
      return {
        ...state,
        messages: state.messages.map((m) =>
          m.status === "sending" ? { ...m, status: "error", error: NOT_SENT_ERROR } : m,
        ),
      };
    case "earlier_loaded":
      return applyEarlierLoaded(state, event.cursor, event.page);
    case "strategy_restored":
      return { ...state, strategy: event.strategy, strategyVersion: event.version };
  }
}

function applyFrame(state: ChatState, frame: ServerFrame): ChatState {
  switch (frame.type) {
    case "conversation_state":
      return applyConversationState(state, frame);
    case "message_received":
      return applyMessageReceived(state, frame);
    case "message_start":
      return applyMessageStart(state, frame);
    case "content_chunk":
      return applyContentChunk(state, frame);
    case "message_complete":
      return applyMessageComplete(state, frame);
    case "strategy_updated":
      return { ...state, strategy: frame.strategy_json, strategyVersion: frame.strategy_version };
    case "strategy_progress":
      return state; // previewReducer's, above
    case "backtest_started":
    case "backtest_progress":
    case "backtest_result":
      return state; // backtestReducer's, above
    case "error":
      return applyError(state, frame);
  }
}

function fromStored(message: MessageEntry): ChatMessage {
  return {
    id: message.id,
    role: message.role,
    content: message.content ?? "",
    status: message.status,
    createdAt: message.created_at,
    strategyVersion: message.strategy_version ?? null,
    error: message.error ?? null,
    provider: message.provider ?? null,
    truncated: message.truncated ?? false,
  };
}

function latestProvider(messages: ChatMessage[], fallback: string | null): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const provider = messages[i]?.provider;
    if (provider && provider !== NOTE_PROVIDER) return provider;
  }
  return fallback;
}

function applyConversationState(state: ChatState, frame: ConversationState): ChatState {
  // The server's transcript is the truth; local-only entries are dropped with the old socket.
  const newest = (frame.messages ?? []).map(fromStored);
  // Earlier pages already shown stay when the frame starts at a message shown after them.
  const start = frame.has_more && newest.length > 0 ? state.messages.findIndex((m) => m.id === newest[0]?.id) : -1;
  const earlier = start > 0 ? state.messages.slice(0, start) : [];
  const messages = [...earlier, ...newest];
  const lastSeq = { ...state.lastSeq };
  let streamingId: string | null = null;
  const inProgress = frame.in_progress;
  if (inProgress) {
    streamingId = inProgress.message_id;
    lastSeq[inProgress.message_id] = inProgress.seq;
    const index = messages.findIndex((m) => m.id === inProgress.message_id);
    const resumed: ChatMessage = {
      ...(messages[index] ?? { id: inProgress.message_id, role: "assistant" }),
      content: inProgress.text,
      status: "streaming",
    };
    if (index >= 0) messages[index] = resumed;
    else messages.push(resumed);
  }
  return {
    ...state,
    conversationId: frame.conversation_id ?? state.conversationId,
    title: frame.title || state.title,
    messages,
    earlierCursor: earlier.length > 0 ? state.earlierCursor : frame.has_more ? (frame.before ?? null) : null,
    streamingId,
    lastSeq,
    strategy: frame.strategy_json ?? null,
    strategyVersion: frame.strategy_version ?? null,
    provider: latestProvider(messages, state.provider),
    resyncFor: null,
  };
}

function applyEarlierLoaded(state: ChatState, cursor: string, page: MessagePage): ChatState {
  // A page asked for before a reconnect replaced the transcript (or a second answer) is stale.
  if (cursor !== state.earlierCursor) return state;
  const shown = new Set(state.messages.map((m) => m.id));
  const older = page.messages.filter((m) => !shown.has(m.id)).map(fromStored);
  return {
    ...state,
    messages: [...older, ...state.messages],
    earlierCursor: page.has_more ? page.before : null,
  };
}

function applyMessageReceived(state: ChatState, frame: MessageReceived): ChatState {
  const conversationId = frame.conversation_id ?? state.conversationId;
  if (state.messages.some((m) => m.id === frame.message_id)) return { ...state, conversationId };
  const stored: ChatMessage = {
    id: frame.message_id,
    role: "user",
    content: frame.content,
    status: "complete",
  };
  // Our own message comes back from the server: it replaces the pending local copy.
  const pending = state.messages.findIndex((m) => m.status === "sending" && m.content === frame.content);
  const messages =
    pending >= 0
      ? state.messages.map((m, i) => (i === pending ? stored : m))
      : [...state.messages, stored];
  return { ...state, conversationId, messages };
}

function applyMessageStart(state: ChatState, frame: MessageStart): ChatState {
  const exists = state.messages.some((m) => m.id === frame.message_id);
  const messages = exists
    ? state.messages.map((m) => (m.id === frame.message_id ? { ...m, status: "streaming" as const } : m))
    : [...state.messages, { id: frame.message_id, role: "assistant" as const, content: "", status: "streaming" as const }];
  return {
    ...state,
    conversationId: state.conversationId ?? frame.conversation_id ?? null,
    messages,
    streamingId: frame.message_id,
  };
}

function applyContentChunk(state: ChatState, frame: ContentChunk): ChatState {
  const id = frame.message_id;
  const existing = state.messages.find((m) => m.id === id);
  if (existing && existing.status !== "streaming") return state;
  const last = state.lastSeq[id];
  const seq = frame.seq;
  if (seq !== undefined && last !== undefined && seq <= last) return state;
  // Only a known position can reveal a gap: the first chunk we see of a reply sets it.
  const gap = seq !== undefined && last !== undefined && seq > last + 1;
  const nextSeq = seq ?? (last ?? 0) + 1;
  const messages = existing
    ? state.messages.map((m) =>
        m.id === id ? { ...m, content: m.content + frame.chunk, hasGap: m.hasGap || gap } : m,
      )
    : [
        ...state.messages,
        { id, role: "assistant" as const, content: frame.chunk, status: "streaming" as const, hasGap: gap },
      ];
  return {
    ...state,
    messages,
    streamingId: id,
    lastSeq: { ...state.lastSeq, [id]: nextSeq },
    resyncFor: gap && state.conversationId ? id : state.resyncFor,
  };
}

function applyMessageComplete(state: ChatState, frame: MessageComplete): ChatState {
  const id = frame.message_id;
  const existing = state.messages.find((m) => m.id === id);
  const content = frame.user_message ?? existing?.content ?? "";
  const completed: ChatMessage = {
    ...(existing ?? { id, role: "assistant" }),
    content,
    status: frame.status ?? (frame.error ? "error" : "complete"),
    error: frame.error ?? null,
    provider: frame.provider ?? existing?.provider ?? null,
    modelId: frame.model_id ?? existing?.modelId ?? null,
    strategyVersion: frame.strategy_version ?? existing?.strategyVersion ?? null,
    hasGap: false,
  };
  const messages = existing
    ? state.messages.map((m) => (m.id === id ? completed : m))
    : [...state.messages, completed];
  const hasStrategy = frame.strategy_json !== undefined && frame.strategy_json !== null;
  return {
    ...state,
    messages,
    streamingId: state.streamingId === id ? null : state.streamingId,
    strategy: hasStrategy ? (frame.strategy_json ?? null) : state.strategy,
    strategyVersion: hasStrategy ? (frame.strategy_version ?? state.strategyVersion) : state.strategyVersion,
    provider: frame.provider && frame.provider !== NOTE_PROVIDER ? frame.provider : state.provider,
    resyncFor: state.resyncFor === id ? null : state.resyncFor,
    completedReplies: state.completedReplies + 1,
  };
}

function applyError(state: ChatState, frame: ErrorFrame): ChatState {
  // The server refused a frame; a message still waiting for its receipt was not stored.
  const pending = state.messages.findIndex((m) => m.status === "sending");
  const messages = state.messages.map((m, i) =>
    i === pending ? { ...m, status: "error" as const, error: "Not sent." } : m,
  );
  messages.push({
    id: `notice-${state.nextLocalId}`,
    role: "system",
    content: frame.message || GENERIC_ERROR,
    status: "error",
    error: frame.code ?? null,
  });
  return { ...state, messages, nextLocalId: state.nextLocalId + 1 };
}

/** Whether a message of the trader's is waiting for the server's receipt. */
export function isSending(state: ChatState): boolean {
  return state.messages.some((m) => m.status === "sending");
}
