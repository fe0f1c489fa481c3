/* Generated from strategy.schema.json by `npm run types`: do not edit. */

/**
 * The whole strategy JSON; `guardrails` and `actions` are filled in by the server only.
 */
export interface Strategy {
  account: Account;
  assistant_panel: AssistantPanel;
  flowchart: Flowchart;
  timeframe: "1h" | "4h" | "1d";
  degen_class: DegenClass;
  strategy_metrics: StrategyMetrics;
  guardrails: Guardrails | null;
  actions: Actions | null;
}
/**
 * Where the strategy is filed.
 */
export interface Account {
  workspace: string;
  section: string;
}
/**
 * Text the builder shows beside the flowchart.
 */
export interface AssistantPanel {
  greeting: string;
  user_request: string;
  assistant_reply: string;
}
/**
 * The strategy's steps and the directed edges between them.
 */
export interface Flowchart {
  /**
   * @maxItems 100
   */
  nodes: (
    | StartNode
    | EndNode
    | CategoryNode
    | EntryConditionNode
    | ExitConditionNode
    | TakeProfitNode
    | StopLossNode
    | PositionSizeNode
  )[];
  /**
   * @maxItems 200
   */
  edges: [string, string][];
}
/**
 * Where the strategy begins.
 */
export interface StartNode {
  id: string;
  type: "start";
  label: string;
}
/**
 * Where the strategy ends.
 */
export interface EndNode {
  id: string;
  type: "end";
  label: string;
}
/**
 * Choice of crypto category.
 */
export interface CategoryNode {
  id: string;
  type: "category";
  label: string;
  meta: CategoryMeta;
}
/**
 * The crypto category the strategy trades, and the market a backtest runs it on.
 */
export interface CategoryMeta {
  category: string;
  symbol: string | null;
}
/**
 * Entry rules.
 */
export interface EntryConditionNode {
  id: string;
  type: "entry_condition";
  label: string;
  meta: EntryMeta;
}
/**
 * When to open a position.
 */
export interface EntryMeta {
  mode: "ai_optimized" | "manual";
  /**
   * @minItems 1
   * @maxItems 20
   */
  rules: [string, ...string[]];
  /**
   * @maxItems 10
   */
  conditions: (DropFromHigh | PriceAboveMA | MACrossUp | RSIBelow)[];
}
/**
 * The bar's close is at least `pct` % below the highest high of the `lookback_bars` bars before it.
 */
export interface DropFromHigh {
  kind: "drop_from_high";
  pct: number;
  lookback_bars: number;
}
/**
 * The bar's close is above the simple moving average of the last `period` closes.
 */
export interface PriceAboveMA {
  kind: "price_above_ma";
  period: number;
}
/**
 * The `fast` simple moving average of closes crosses above the `slow` one on this bar.
 */
export interface MACrossUp {
  kind: "ma_cross_up";
  fast: number;
  slow: number;
}
/**
 * Wilder's RSI over `period` bars is below `threshold`.
 */
export interface RSIBelow {
  kind: "rsi_below";
  period: number;
  threshold: number;
}
/**
 * Exit rules.
 */
export interface ExitConditionNode {
  id: string;
  type: "exit_condition";
  label: string;
  meta: ExitMeta;
}
/**
 * When to close a position besides the profit target and stop loss.
 */
export interface ExitMeta {
  /**
   * @maxItems 20
   */
  rules: string[];
}
/**
 * Profit target.
 */
export interface TakeProfitNode {
  id: string;
  type: "take_profit";
  label: string;
  meta: TakeProfitMeta;
}
/**
 * Gain, in percent, at which the position is closed.
 */
export interface TakeProfitMeta {
  target_pct: number;
}
/**
 * Stop loss.
 */
export interface StopLossNode {
  id: string;
  type: "stop_loss";
  label: string;
  meta: StopLossMeta;
}
/**
 * Loss, in percent, at which the position is closed.
 */
export interface StopLossMeta {
  stop_pct: number;
  added: boolean;
}
/**
 * Position sizing.
 */
export interface PositionSizeNode {
  id: string;
  type: "position_size";
  label: string;
  meta: PositionSizeMeta;
}
/**
 * Share of the capital, in percent, put into one position.
 */
export interface PositionSizeMeta {
  allocation_pct: number;
}
/**
 * The strategy's risk class.
 */
export interface DegenClass {
  /**
   * @maxItems 10
   */
  options: string[];
  selected: "High" | "Medium" | "Low";
}
/**
 * Headline numbers of the strategy.
 */
export interface StrategyMetrics {
  impact_monthly_return_delta_pct: number;
  estimated_capital_required_usd: number;
}
/**
 * All safety checks, and those that block the strategy.
 */
export interface Guardrails {
  enabled: GuardrailItem[];
  violations: GuardrailItem[];
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
 * The builder's buttons.
 */
export interface Actions {
  explain_button: Button;
  run_backtest_button: Button;
}
/**
 * A builder button's label and state.
 */
export interface Button {
  label: string;
  enabled: boolean;
}
