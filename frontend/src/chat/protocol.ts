/**
 * The chat socket's frames and the messages endpoint's pages: the types are generated from the server's
 * models (`chat/frames.py`, by `npm run types`); this module adds reading a socket message as a frame.
 */
import type { ActionFrame, MessageEntry, ServerFrame } from "../types/generated/frames";

export type {
  ClientFrame,
  ContentChunk,
  ConversationState,
  ErrorFrame,
  MessageComplete,
  MessageEntry,
  MessagePage,
  MessageReceived,
  MessageStart,
  ServerFrame,
} from "../types/generated/frames";

export type MessageStatus = MessageEntry["status"];

export type ChatAction = ActionFrame["action"];

/** Every server frame's `type`: a record, so the compiler says when the generated frames gain one. */
const SERVER_FRAME_TYPES: Record<ServerFrame["type"], true> = {
  message_received: true,
  message_start: true,
  content_chunk: true,
  strategy_progress: true,
  message_complete: true,
  conversation_state: true,
  strategy_updated: true,
  backtest_started: true,
  backtest_progress: true,
  backtest_result: true,
  error: true,
};

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
  return typeof type === "string" && Object.hasOwn(SERVER_FRAME_TYPES, type) ? (value as ServerFrame) : null;
}
