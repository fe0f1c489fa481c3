import { describe, expect, it } from "vitest";

import { demoReport } from "./fixtures";
import { CHECKED, PROPOSED, dataRangeText, formatBarTime, provenanceText } from "./provenance";

describe("where a number came from", () => {
  it("calls a strategist's figure an estimate", () => {
    expect(provenanceText(PROPOSED)).toBe("Proposed by the strategist — an estimate until a backtest measures it");
  });

  it("names the server for guardrails", () => {
    expect(provenanceText(CHECKED)).toBe("Checked by the server");
  });

  it("names the run, the data and its range for a measured figure, and says when the data is synthetic", () => {
    expect(provenanceText({ kind: "measured", run: demoReport() })).toBe(
      "Measured by backtest #1 on BTC/USDT 1d, 2024-01-01 → 2024-01-10 (synthetic demo data — not market history)",
    );
  });

  it("names a real source as it is stored", () => {
    const report = demoReport({
      number: 4,
      data: {
        source: "binance",
        synthetic: false,
        symbol: "ETH/USDT",
        timeframe: "4h",
        start: "2022-01-01T00:00:00Z",
        end: "2022-03-01T20:00:00Z",
        bars: 356,
      },
    });
    expect(provenanceText({ kind: "measured", run: report })).toBe(
      "Measured by backtest #4 on binance ETH/USDT 4h, 2022-01-01 00:00 UTC → 2022-03-01 20:00 UTC",
    );
  });

  it("shows a day for daily bars and leaves an unreadable time as it came", () => {
    expect(formatBarTime("2024-05-06T00:00:00Z", "1d")).toBe("2024-05-06");
    expect(formatBarTime("soon", "1h")).toBe("soon");
    expect(dataRangeText(demoReport().data)).toBe("BTC/USDT 1d, 2024-01-01 → 2024-01-10");
  });
});
