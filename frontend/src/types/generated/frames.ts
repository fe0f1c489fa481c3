/* Generated from frames.schema.json by `npm run types`: do not edit. */
import type {Strategy} from "./strategy";

/**
 * A frame the server sends.
 */
export type ServerFrame =
  MessageReceived | MessageStart | ContentChunk | MessageComplete | ConversationState | StrategyUpdated | ErrorFrame;
/**
 * A frame the client sends.
 */
export type ClientFrame = MessageFrame | ActionFrame | CancelFrame;

/**
 * The chat socket's frames, each way, and a page of the messages endpoint.
 */
export interface Protocol {
  server_frame: ServerFrame;
  client_frame: ClientFrame;
  message_page: MessagePage;
}
/**
 * The trader's message, stored: shown on every socket on the conversation.
 */
export interface MessageReceived {
  type: "message_received";
  message_id: string;
  conversation_id: string;
  content: string;
  created_at: string;
}
/**
 * A reply begins streaming.
 */
export interface MessageStart {
  type: "message_start";
  message_id: string;
  conversation_id: string;
}
/**
 * The next piece of a reply's chat text; `seq` counts a reply's chunks from 1.
 */
export interface ContentChunk {
  type: "content_chunk";
  message_id: string;
  chunk: string;
  seq: number;
}
/**
 * A reply is stored: its final text, status and (when it made one) strategy version.
 */
export interface MessageComplete {
  type: "message_complete";
  message_id: string;
  conversation_id: string;
  user_message: string;
  strategy_json: Strategy | null;
  strategy_version: number | null;
  status: "complete" | "streaming" | "interrupted" | "error";
  error: string | null;
  provider: string | null;
  model_id: string | null;
}
/**
 * What a socket joining a conversation is told first: its strategy, reply in progress and newest messages.
 */
export interface ConversationState {
  type: "conversation_state";
  conversation_id: string;
  title: string;
  strategy_json: Strategy | null;
  strategy_version: number | null;
  in_progress: InProgress | null;
  messages: MessageEntry[];
  has_more: boolean;
  before: string | null;
}
/**
 * A reply still streaming: its id, the chat text so far, and the seq that text reaches.
 */
export interface InProgress {
  message_id: string;
  text: string;
  seq: number;
}
/**
 * A stored message, as `conversation_state` and the pages of older messages carry it.
 */
export interface MessageEntry {
  id: string;
  role: "user" | "assistant";
  content: string;
  status: "complete" | "streaming" | "interrupted" | "error";
  error: string | null;
  provider: string | null;
  created_at: string;
  strategy_version: number | null;
  truncated?: boolean;
}
/**
 * A version restored over HTTP, announced to every socket on the conversation.
 */
export interface StrategyUpdated {
  type: "strategy_updated";
  /**
   * A strategy as strategy.schema.json has it.
   */
  strategy_json: Strategy;
  strategy_version: number;
  conversation_id: string;
}
/**
 * A request the server could not take, with a machine-readable code and a sentence for the trader.
 */
export interface ErrorFrame {
  type: "error";
  code: string;
  message: string;
}
/**
 * The seed's frame: the trader's message, with optional client-side history.
 */
export interface MessageFrame {
  type: "message";
  content: string;
  history?: HistoryTurn[];
}
/**
 * A turn the client remembers, used only to seed an empty conversation.
 */
export interface HistoryTurn {
  role: "user" | "assistant";
  content: string;
}
/**
 * A press of one of the builder's buttons.
 */
export interface ActionFrame {
  type: "action";
  action: "explain" | "run_backtest";
}
/**
 * Stop the reply that is streaming.
 */
export interface CancelFrame {
  type: "cancel";
}
/**
 * The newest messages before a cursor, oldest first; `before` is the cursor for the page before them.
 */
export interface MessagePage {
  messages: MessageEntry[];
  has_more: boolean;
  before: string | null;
}
