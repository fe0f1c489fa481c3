/**
 * The Run Backtest form: its defaults from the strategy, and its values checked and turned into the
 * action's `params` (what the server defaults itself is left out, so the server's default applies).
 */
import type { BacktestParams } from "../types/generated/frames";
import type { Strategy } from "../types/generated/strategy";

export type Timeframe = NonNullable<BacktestParams["timeframe"]>;
export const TIMEFRAMES: Timeframe[] = ["1h", "4h", "1d"];
export const DEFAULT_FEE_PCT = 0.1;
const MAX_FEE_PCT = 5; // chat/frames.py BacktestParams.fee_pct
const SYMBOL = /^[A-Z0-9]{1,12}\/[A-Z0-9]{1,12}$/; // strategies/schemas.py Symbol
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface BacktestForm {
  symbol: string;
  timeframe: Timeframe;
  start: string;
  end: string;
  feePct: string;
}

export type FormResult = { ok: true; params: BacktestParams } | { ok: false; errors: Partial<Record<keyof BacktestForm, string>> };

/** The symbol of the strategy's category step, or null when it leaves it to the category's default. */
export function strategySymbol(strategy: Strategy | null): string | null {
  for (const node of strategy?.flowchart.nodes ?? []) {
    if (node.type === "category") return node.meta.symbol ?? null;
  }
  return null;
}

/** The form as it opens: the strategy's symbol and timeframe, all history, a 0.1 % fee. */
export function defaultForm(strategy: Strategy | null): BacktestForm {
  return {
    symbol: strategySymbol(strategy) ?? "",
    timeframe: strategy?.timeframe ?? "1d",
    start: "",
    end: "",
    feePct: String(DEFAULT_FEE_PCT),
  };
}

/** Check the form; valid values become `params`, each bad one a sentence beside its field. */
export function formToParams(form: BacktestForm): FormResult {
  const errors: Partial<Record<keyof BacktestForm, string>> = {};
  const symbol = form.symbol.trim().toUpperCase();
  if (symbol && !SYMBOL.test(symbol)) errors.symbol = "A pair like BTC/USDT.";
  if (form.start && !DATE.test(form.start)) errors.start = "A date like 2024-01-31.";
  if (form.end && !DATE.test(form.end)) errors.end = "A date like 2024-12-31.";
  if (!errors.start && !errors.end && form.start && form.end && form.start >= form.end) {
    errors.end = "The end must come after the start.";
  }
  const fee = form.feePct.trim() === "" ? DEFAULT_FEE_PCT : Number(form.feePct);
  if (!Number.isFinite(fee) || fee < 0 || fee > MAX_FEE_PCT) errors.feePct = `A fee from 0 to ${MAX_FEE_PCT} %.`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const params: BacktestParams = { timeframe: form.timeframe, fee_pct: fee };
  if (symbol) params.symbol = symbol;
  if (form.start) params.start = form.start;
  if (form.end) params.end = form.end;
  return { ok: true, params };
}
