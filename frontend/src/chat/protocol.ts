/** The chat socket's frames, as the README's "The socket protocol" section describes them, and the messages endpoint's pages. */
import type { StrategyJson } from "../types/strategy";

export type Role = "user" | "assistant";

export type MessageStatus = "complete" | "streaming" | "interrupted" | "error";

export type Provider = "offline" | "bedrock";

export type ChatAction = "explain" | "run_backtest";

export interface StoredMessage {
  id: string;
  role: Role;
  content: string;
  status: MessageStatus;
  created_at?: string;
  strategy_version?: number | null;
  error?: string | null;
  provider?: Provider | string | null;
  model_id?: string | null;
  /** Set when the message alone was too large for a frame: `content` is its beginning. */
  truncated?: boolean;
}

/** The messages endpoint's answer: the newest messages before a cursor, oldest first, as `conversation_state` has them. */
export interface MessagePage {
  messages: StoredMessage[];
  /** Older messages remain: ask for them with `before`. */
  has_more: boolean;
  /** The id of the page's oldest message. */
  before: string | null;
}

export interface MessageReceivedFrame {
  type: "message_received";
  message_id: string;
  conversation_id: string;
  content: string;
}

export interface MessageStartFrame {
  type: "message_start";
  message_id: string;
  conversation_id?: string;
}

export interface ContentChunkFrame {
  type: "content_chunk";
  message_id: string;
  chunk: string;
  seq?: number;
}

export interface MessageCompleteFrame {
  type: "message_complete";
  message_id: string;
  /** The stored reply's status; older servers send only `error`. */
  status?: MessageStatus;
  user_message?: string | null;
  strategy_json?: StrategyJson | null;
  strategy_version?: number | null;
  error?: string | null;
  provider?: Provider | string | null;
  model_id?: string | null;
}

export interface ConversationStateFrame {
  type: "conversation_state";
  conversation_id: string;
  title?: string;
  /** The newest messages that fit in a frame (older servers send all of them, and no `has_more`). */
  messages: StoredMessage[];
  has_more?: boolean;
  before?: string | null;
  strategy_json?: StrategyJson | null;
  strategy_version?: number | null;
  in_progress?: { message_id: string; text: string; seq: number } | null;
}

/** A version restored over HTTP, announced to every socket on the conversation. */
export interface StrategyUpdatedFrame {
  type: "strategy_updated";
  conversation_id?: string;
  strategy_json: StrategyJson;
  strategy_version: number;
}

export interface ErrorFrame {
  type: "error";
  code?: string;
  message?: string;
}

export type ServerFrame =
  | MessageReceivedFrame
  | MessageStartFrame
  | ContentChunkFrame
  | MessageCompleteFrame
  | ConversationStateFrame
  | StrategyUpdatedFrame
  | ErrorFrame;

export type ClientFrame =
  | { type: "message"; content: string }
  | { type: "action"; action: ChatAction }
  | { type: "cancel" };

const SERVER_FRAME_TYPES: ReadonlySet<string> = new Set([
  "message_received",
  "message_start",
  "content_chunk",
  "message_complete",
  "conversation_state",
  "strategy_updated",
  "error",
]);

/** Parse one socket message into a server frame, or `null` when it is not one. */
export function parseServerFrame(raw: unknown): ServerFrame | null {
  if (typeof raw !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const type = (value as { type?: unknown }).type;
  return typeof type === "string" && SERVER_FRAME_TYPES.has(type) ? (value as ServerFrame) : null;
}
