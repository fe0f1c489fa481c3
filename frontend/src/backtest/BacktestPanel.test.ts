import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { Guardrails, guardrailRows } from "../components/Guardrails";
import type { Strategy } from "../types/generated/strategy";
import { Metrics } from "../components/Metrics";
import { BacktestPanel } from "./BacktestPanel";
import { demoReport } from "./fixtures";
import { INITIAL_BACKTEST_STATE, type BacktestState } from "./state";

function panel(state: Partial<BacktestState>, version = 2): string {
  return renderToStaticMarkup(
    createElement(BacktestPanel, { state: { ...INITIAL_BACKTEST_STATE, ...state }, conversationId: "c1", version }),
  );
}

/** The markup's text, tags removed, entities of the texts used here decoded. */
function text(html: string): string {
  return html.replace(/<[^>]+>/g, " ").replace(/&amp;/g, "&").replace(/&#x27;/g, "'").replace(/\s+/g, " ");
}

describe("the results panel", () => {
  it("says prominently that the demo set is synthetic, and where every figure was measured", () => {
    const html = panel({ latest: demoReport() });
    expect(html).toContain('data-testid="backtest-synthetic"');
    expect(text(html)).toContain("Synthetic demo data — not market history.");
    expect(text(html)).toContain(
      "Measured by backtest #1 on BTC/USDT 1d, 2024-01-01 → 2024-01-10 (synthetic demo data — not market history)",
    );
    expect(text(html)).toContain("Total return +3.15%");
    expect(text(html)).toContain("Max drawdown −5.19%");
    expect(html.match(/data-testid="trade-row"/g)).toHaveLength(3);
  });

  it("does not call real market data synthetic", () => {
    const report = demoReport({ data: { ...demoReport().data, source: "binance", synthetic: false } });
    const html = panel({ latest: report });
    expect(html).not.toContain("backtest-synthetic");
    expect(text(html)).toContain("Measured by backtest #1 on binance BTC/USDT 1d");
  });

  it("says when the run measured an earlier version than the current one", () => {
    expect(text(panel({ latest: demoReport() }, 3))).toContain(
      "This run measured v2; the strategy is now v3. Run it again to measure this version.",
    );
    expect(panel({ latest: demoReport() }, 2)).not.toContain("backtest-stale");
  });

  it("shows progress while running and the server's sentence when a run fails", () => {
    expect(text(panel({ phase: "running", runningId: "r", pct: 42.4 }))).toContain("Running the backtest… 42%");
    const failed = panel({ phase: "failed", error: "'enter when Elon tweets' cannot be backtested." });
    expect(failed).toContain('role="alert"');
    expect(text(failed)).toContain("'enter when Elon tweets' cannot be backtested.");
  });

  it("says there is no backtest yet rather than showing empty figures", () => {
    expect(text(panel({}))).toContain("No backtest of this version yet.");
  });
});

describe("the strategy's own numbers", () => {
  it("label the strategist's return target as a proposal, never styled as a gain", () => {
    const html = renderToStaticMarkup(createElement(Metrics, { capitalUsd: 5000, monthlyReturnPct: 50 }));
    expect(text(html)).toContain("Monthly target 50% Proposed");
    expect(html).not.toContain("is-positive");
    expect(html).not.toContain("is-good");
    expect(html.match(/data-kind="proposed"/g)).toHaveLength(2);
    expect(html).toContain('title="Proposed by the strategist — an estimate until a backtest measures it"');
  });

  it("label the guardrails as the server's checks", () => {
    const html = renderToStaticMarkup(createElement(Guardrails, { guardrails: null }));
    expect(html).toContain('data-kind="checked"');
    expect(html).toContain('title="Checked by the server"');
  });

  it("show the monthly target as the latest backtest checked it, labelled with that run", () => {
    const guardrails: Strategy["guardrails"] = {
      enabled: [
        { key: "stop_loss", label: "Stop loss in place", status: "ok", reason: "" },
        { key: "monthly_target", label: "Target within the 3%/month ceiling (not a measurement)", status: "ok", reason: "" },
      ],
      violations: [],
    };
    const run = demoReport();
    expect(guardrailRows(guardrails, run).map((row) => [row.key, row.status, row.label])).toEqual([
      ["stop_loss", "ok", "Stop loss in place"],
      ["monthly_target", "warning", "Target above what backtest #1 measured"],
    ]);
    expect(guardrailRows(guardrails).map((row) => row.status)).toEqual(["ok", "ok"]);
    const html = renderToStaticMarkup(createElement(Guardrails, { guardrails, run }));
    expect(html.match(/data-kind="measured"/g)).toHaveLength(1);
    expect(html).toContain('title="Measured by backtest #1 on BTC/USDT 1d');
  });
});
