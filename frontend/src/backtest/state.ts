/**
 * The backtest's state machine: the chat reducer forwards every server frame here, and the Run
 * Backtest button adds `backtest_requested`. Pure, so each transition is tested without a socket.
 *
 * The socket does not tag an `error` frame with a backtest, so a run claims only the codes a backtest is
 * answered with (chat/backtests.py, strategies/runs.py), and the codes it shares with other requests only
 * while its request awaits the answer: a message's or an edit's refusal does not fail it.
 */
import type { BacktestReport, ServerFrame } from "../types/generated/frames";

export type BacktestPhase = "idle" | "requested" | "running" | "failed";

export interface BacktestState {
  phase: BacktestPhase;
  /** The run in progress (from `backtest_started` or `backtest_progress`). */
  runningId: string | null;
  /** Percent done of the run in progress, when the server has said. */
  pct: number | null;
  /** The sentence of the error that ended the last request. */
  error: string | null;
  /** The newest finished run seen on this conversation (any tab's), or the state's latest. */
  latest: BacktestReport | null;
}

export type BacktestEvent = { kind: "frame"; frame: ServerFrame } | { kind: "backtest_requested" };

export const INITIAL_BACKTEST_STATE: BacktestState = {
  phase: "idle",
  runningId: null,
  pct: null,
  error: null,
  latest: null,
};

/** The codes only a backtest is refused or failed with. */
const BACKTEST_ERROR_CODES = new Set([
  "not_backtestable",
  "guardrail_violation",
  "no_candles",
  "bad_candles",
  "invalid_params",
  "backtest_in_progress",
  "backtest_failed",
]);
/** The codes a backtest request shares with others (chat/backtests.py, chat/frames.py, chat/consumers.py). */
const SHARED_BACKTEST_ERROR_CODES = new Set(["rate_limited", "no_strategy", "invalid_frame", "server_error"]);

const FAILED_FALLBACK = "The backtest could not be run. Please try again.";

/** Apply one event to the backtest state; unrelated frames return the same object. */
export function backtestReducer(state: BacktestState, event: BacktestEvent): BacktestState {
  if (event.kind === "backtest_requested") {
    return { ...state, phase: "requested", runningId: null, pct: null, error: null };
  }
  const frame = event.frame;
  switch (frame.type) {
    case "conversation_state":
      // A (re)joined socket: the server's latest run of the current version is the truth.
      return { ...INITIAL_BACKTEST_STATE, latest: frame.latest_backtest ?? null };
    case "backtest_started":
      return { ...state, phase: "running", runningId: frame.backtest_id, pct: 0, error: null };
    case "backtest_progress":
      if (state.runningId !== null && state.runningId !== frame.backtest_id) return state;
      return { ...state, phase: "running", runningId: frame.backtest_id, pct: clampPct(frame.pct), error: null };
    case "backtest_result": {
      const { type: _type, ...report } = frame;
      const ours = state.runningId === null || state.runningId === frame.backtest_id;
      return ours
        ? { ...state, phase: "idle", runningId: null, pct: null, error: null, latest: report }
        : { ...state, latest: report };
    }
    case "error":
      if (!isBacktestError(state, frame.code)) return state;
      return { ...state, phase: "failed", runningId: null, pct: null, error: frame.message || FAILED_FALLBACK };
    default:
      return state;
  }
}

/** Whether the button should wait: a run was asked for or is running. */
export function isBacktestBusy(state: BacktestState): boolean {
  return state.phase === "requested" || state.phase === "running";
}

/** Whether an error frame answers this state's request or run. */
function isBacktestError(state: BacktestState, code: string): boolean {
  if (SHARED_BACKTEST_ERROR_CODES.has(code)) return state.phase === "requested";
  return BACKTEST_ERROR_CODES.has(code) && isBacktestBusy(state);
}

function clampPct(pct: number): number {
  return Number.isFinite(pct) ? Math.min(100, Math.max(0, pct)) : 0;
}
