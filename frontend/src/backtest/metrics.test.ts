import { describe, expect, it } from "vitest";

import { demoReport } from "./fixtures";
import { formatSignedPct, metricRows } from "./metrics";

describe("a run's metrics as rows", () => {
  it("shows the nine figures in factsheet order", () => {
    const rows = metricRows(demoReport().metrics);
    expect(rows.map((row) => [row.label, row.text])).toEqual([
      ["Total return", "+3.15%"],
      ["Buy & hold", "−2.00%"],
      ["CAGR", "+210.40%"],
      ["Max drawdown", "−5.19%"],
      ["Sharpe", "1.23"],
      ["Trades", "3"],
      ["Win rate", "66.67%"],
      ["Exposure", "50.00%"],
      ["Avg trade", "+1.16%"],
    ]);
  });

  it("colours a loss red and a gain green, and a missing figure neither", () => {
    const rows = metricRows({
      ...demoReport().metrics,
      total_return_pct: -8,
      sharpe: null,
      win_rate_pct: null,
      avg_trade_pct: null,
      trades: 0,
    });
    const byKey = Object.fromEntries(rows.map((row) => [row.key, row]));
    expect(byKey.total_return_pct).toMatchObject({ text: "−8.00%", tone: "bad" });
    expect(byKey.sharpe).toMatchObject({ text: "—", tone: "neutral" });
    expect(byKey.win_rate_pct?.text).toBe("—");
    expect(byKey.max_drawdown_pct?.tone).toBe("bad");
  });

  it("signs percentages", () => {
    expect(formatSignedPct(0)).toBe("0.00%");
    expect(formatSignedPct(Number.NaN)).toBe("—");
  });
});
