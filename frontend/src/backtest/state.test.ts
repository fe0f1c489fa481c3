import { describe, expect, it } from "vitest";

import type { ServerFrame } from "../types/generated/frames";
import { demoReport } from "./fixtures";
import { INITIAL_BACKTEST_STATE, backtestReducer, isBacktestBusy, type BacktestEvent, type BacktestState } from "./state";

function apply(state: BacktestState, ...events: (BacktestEvent | ServerFrame)[]): BacktestState {
  return events.reduce<BacktestState>(
    (s, event) => backtestReducer(s, "kind" in event ? event : { kind: "frame", frame: event }),
    state,
  );
}

const REQUESTED: BacktestEvent = { kind: "backtest_requested" };
const STARTED: ServerFrame = { type: "backtest_started", backtest_id: "run-1", strategy_version: 2 };
const RESULT: ServerFrame = { ...demoReport(), type: "backtest_result" };

describe("backtest state", () => {
  it("goes from requested through running with progress to the result", () => {
    const requested = apply(INITIAL_BACKTEST_STATE, REQUESTED);
    expect(requested.phase).toBe("requested");
    expect(isBacktestBusy(requested)).toBe(true);

    const running = apply(requested, STARTED, { type: "backtest_progress", backtest_id: "run-1", pct: 42.5 });
    expect(running).toMatchObject({ phase: "running", runningId: "run-1", pct: 42.5 });

    const done = apply(running, RESULT);
    expect(done.phase).toBe("idle");
    expect(isBacktestBusy(done)).toBe(false);
    expect(done.latest?.backtest_id).toBe("run-1");
    expect(done.latest).not.toHaveProperty("type");
  });

  it("shows the sentence of an error that answers the request, and clears it on the next request", () => {
    const refused = apply(INITIAL_BACKTEST_STATE, REQUESTED, {
      type: "error",
      code: "no_candles",
      message: "There are no candles for DOGE/USDT 1d. Fetch them with manage.py fetch_prices.",
    });
    expect(refused.phase).toBe("failed");
    expect(refused.error).toBe("There are no candles for DOGE/USDT 1d. Fetch them with manage.py fetch_prices.");
    expect(apply(refused, REQUESTED)).toMatchObject({ phase: "requested", error: null });
  });

  it("takes an error during a run as the run's failure", () => {
    const failed = apply(INITIAL_BACKTEST_STATE, REQUESTED, STARTED, { type: "error", code: "backtest_failed", message: "" });
    expect(failed).toMatchObject({ phase: "failed", runningId: null });
    expect(failed.error).toMatch(/could not be run/);
  });

  it("leaves an error that comes while no backtest was asked for to the chat", () => {
    const before = apply(INITIAL_BACKTEST_STATE, RESULT);
    const after = apply(before, { type: "error", code: "rate_limited", message: "Slow down." });
    expect(after).toBe(before);
  });

  it("keeps its run going when a message's or an edit's error arrives", () => {
    const running = apply(INITIAL_BACKTEST_STATE, REQUESTED, STARTED);
    for (const code of ["rate_limited", "reply_in_progress", "invalid_strategy", "version_conflict", "no_change"]) {
      expect(apply(running, { type: "error", code, message: "Not the run's." }), code).toBe(running);
    }
  });

  it("while requested, takes only a backtest's refusals and the request's shared codes as its answer", () => {
    const requested = apply(INITIAL_BACKTEST_STATE, REQUESTED);
    for (const code of ["reply_in_progress", "invalid_strategy", "version_conflict", "content_too_long"]) {
      expect(apply(requested, { type: "error", code, message: "Not the run's." }), code).toBe(requested);
    }
    const refusals = ["not_backtestable", "guardrail_violation", "bad_candles", "invalid_params"];
    for (const code of [...refusals, "backtest_in_progress", "rate_limited", "no_strategy"]) {
      const refused = apply(requested, { type: "error", code, message: "Refused." });
      expect(refused, code).toMatchObject({ phase: "failed", error: "Refused." });
    }
  });

  it("keeps its own run going when another tab's result arrives, and shows that result", () => {
    const other: ServerFrame = { ...demoReport({ backtest_id: "run-9", number: 9 }), type: "backtest_result" };
    const state = apply(INITIAL_BACKTEST_STATE, REQUESTED, STARTED, other);
    expect(state).toMatchObject({ phase: "running", runningId: "run-1" });
    expect(state.latest?.number).toBe(9);
  });

  it("ignores progress of a run other than the one running", () => {
    const running = apply(INITIAL_BACKTEST_STATE, STARTED);
    expect(apply(running, { type: "backtest_progress", backtest_id: "run-2", pct: 90 })).toBe(running);
  });

  it("clamps progress to 0–100", () => {
    const running = apply(INITIAL_BACKTEST_STATE, STARTED, { type: "backtest_progress", backtest_id: "run-1", pct: 250 });
    expect(running.pct).toBe(100);
  });

  it("takes the latest run of the current version from conversation_state on (re)joining", () => {
    const running = apply(INITIAL_BACKTEST_STATE, REQUESTED, STARTED);
    const joined = apply(running, {
      type: "conversation_state",
      conversation_id: "c1",
      title: "",
      messages: [],
      strategy_json: null,
      strategy_version: 2,
      in_progress: null,
      has_more: false,
      before: null,
      latest_backtest: demoReport(),
    });
    expect(joined).toMatchObject({ phase: "idle", runningId: null });
    expect(joined.latest?.number).toBe(1);
  });
});
