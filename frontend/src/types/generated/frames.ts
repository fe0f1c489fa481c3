/* Generated from frames.schema.json by `npm run types`: do not edit. */
import type {Strategy} from "./strategy";

/**
 * A frame the server sends.
 */
export type ServerFrame =
  | MessageReceived
  | MessageStart
  | ContentChunk
  | StrategyProgress
  | MessageComplete
  | ConversationState
  | StrategyUpdated
  | BacktestStarted
  | BacktestProgress
  | BacktestResult
  | ErrorFrame;
/**
 * A frame the client sends.
 */
export type ClientFrame = MessageFrame | ActionFrame | EditStrategyFrame | CancelFrame;

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
 * The parts of a streaming reply's strategy that completed since its previous progress frame.
 *
 * Incremental, numbered from 1 like chunks: the sum of a reply's frames is its strategy so far, and a
 * joining socket's `in_progress.strategy` holds frames up to its `seq`. Parsed, not validated: the
 * strategy the builder keeps arrives in `message_complete`, and one that fails there replaces nothing.
 */
export interface StrategyProgress {
  type: "strategy_progress";
  message_id: string;
  seq: number;
  /**
   * Items: A step as the model wrote it: an id and a known type; the rest unchecked.
   */
  nodes: (Pick<Strategy["flowchart"]["nodes"][number], "id" | "type"> & {[key: string]: unknown})[];
  edges: [string, string][];
  degen_class?: Strategy["degen_class"] | null;
  strategy_metrics?: Strategy["strategy_metrics"] | null;
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
  latest_backtest: BacktestReport | null;
}
/**
 * A reply still streaming: its id, the chat text so far and the chunk seq it reaches, and its strategy so far.
 */
export interface InProgress {
  message_id: string;
  text: string;
  seq: number;
  strategy: StrategySoFar;
}
/**
 * What of a streaming reply's strategy has parsed: everything its progress frames 1 to `seq` carried.
 */
export interface StrategySoFar {
  seq: number;
  /**
   * Items: A step as the model wrote it: an id and a known type; the rest unchecked.
   */
  nodes: (Pick<Strategy["flowchart"]["nodes"][number], "id" | "type"> & {[key: string]: unknown})[];
  edges: [string, string][];
  degen_class: Strategy["degen_class"] | null;
  strategy_metrics: Strategy["strategy_metrics"] | null;
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
 * A stored run as the builder shows it: `backtest_result` frames and `conversation_state` carry it.
 */
export interface BacktestReport {
  backtest_id: string;
  number: number;
  strategy_version: number;
  created_at: string;
  fee_pct: number;
  data: BacktestData;
  metrics: BacktestMetrics;
  equity_curve: EquityPoint[];
  price_curve: PricePoint[];
  trades: Trade[];
  trades_total: number;
  target_check: GuardrailItem;
}
/**
 * The candles a run read: where from, which market, which range.
 */
export interface BacktestData {
  source: string;
  synthetic: boolean;
  symbol: string;
  timeframe: string;
  start: string;
  end: string;
  bars: number;
}
/**
 * What a run measured; percentages are percent (12.5 = 12.5 %).
 */
export interface BacktestMetrics {
  total_return_pct: number;
  buy_and_hold_return_pct: number;
  cagr_pct: number;
  max_drawdown_pct: number;
  sharpe: number | null;
  trades: number;
  win_rate_pct: number | null;
  exposure_pct: number;
  avg_trade_pct: number | null;
}
/**
 * The strategy's equity and buy-and-hold's at one bar's close, in the starting capital's units.
 */
export interface EquityPoint {
  time: string;
  equity: number;
  buy_and_hold: number;
  drawdown_pct: number;
}
/**
 * One bar's close, for the price chart the trades are marked on.
 */
export interface PricePoint {
  time: string;
  close: number;
}
/**
 * One round trip.
 */
export interface Trade {
  entry_time: string;
  entry_price: number;
  exit_time: string;
  exit_price: number;
  reason: "take_profit" | "stop_loss" | "end";
  return_pct: number;
}
/**
 * One server-computed safety check.
 */
export interface GuardrailItem {
  key: string;
  label: string;
  status: "ok" | "warning" | "violation";
  reason: string;
}
/**
 * A new current version not made by a reply (an edit, a restore), announced to every socket on the conversation.
 */
export interface StrategyUpdated {
  type: "strategy_updated";
  /**
   * A strategy as strategy.schema.json has it.
   */
  strategy_json: Strategy;
  strategy_version: number;
  conversation_id: string;
  source: "reply" | "edit" | "restore" | "import";
  restored_from: number | null;
}
/**
 * A backtest of the current version was accepted and is running.
 */
export interface BacktestStarted {
  type: "backtest_started";
  backtest_id: string;
  strategy_version: number;
}
/**
 * How far a backtest running over a second has got.
 */
export interface BacktestProgress {
  type: "backtest_progress";
  backtest_id: string;
  pct: number;
}
/**
 * A finished, stored backtest: every socket on the conversation gets it.
 */
export interface BacktestResult {
  backtest_id: string;
  number: number;
  strategy_version: number;
  created_at: string;
  fee_pct: number;
  data: BacktestData;
  metrics: BacktestMetrics;
  equity_curve: EquityPoint[];
  price_curve: PricePoint[];
  trades: Trade[];
  trades_total: number;
  target_check: GuardrailItem;
  type: "backtest_result";
}
/**
 * A request the server could not take, with a machine-readable code and a sentence for the trader.
 */
export interface ErrorFrame {
  type: "error";
  code: string;
  message: string;
  problems?: StrategyProblem[];
}
/**
 * One reason a strategy was refused: where (a JSON path like `flowchart.nodes[2].meta.stop_pct`) and why.
 */
export interface StrategyProblem {
  path: string;
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
  params?: BacktestParams | null;
}
/**
 * What a Run Backtest may choose; each defaults (the strategy's symbol and timeframe, all stored history).
 */
export interface BacktestParams {
  symbol?: string | null;
  timeframe?: ("1h" | "4h" | "1d") | null;
  start?: string | null;
  end?: string | null;
  source?: string | null;
  fee_pct?: number | null;
}
/**
 * The trader's edit in the builder: the whole edited strategy, made from version `base_version`.
 */
export interface EditStrategyFrame {
  type: "edit_strategy";
  base_version: number;
  strategy_json: {
    [k: string]: unknown | undefined;
  };
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
