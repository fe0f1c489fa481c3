import { describe, expect, it } from "vitest";

import { demoReport } from "./fixtures";
import { MARKER_COLORS, equitySeries, priceSeries, snapToSeries, toUnixSeconds, tradeMarkers } from "./series";

const DAY = 86_400;
const T0 = Date.UTC(2024, 0, 1) / 1000;

describe("chart series of a report", () => {
  it("draws the strategy and buy-and-hold as returns in % of the starting capital", () => {
    const series = equitySeries(demoReport().equity_curve);
    expect(series.strategy[0]).toEqual({ time: T0, value: 0 });
    expect(series.strategy[9]?.value).toBeCloseTo(3.15, 10);
    expect(series.buyAndHold[9]?.value).toBeCloseTo(-2, 10);
    expect(series.buyAndHold[2]?.value).toBeCloseTo(-5, 10);
  });

  it("measures buy-and-hold from the starting capital, so its last point is the report's buy-and-hold return", () => {
    const start = { time: "2024-01-01T00:00:00Z", equity: 10_000, buy_and_hold: 10_364, drawdown_pct: 0 };
    const end = { time: "2024-01-02T00:00:00Z", equity: 5_544, buy_and_hold: 28_459, drawdown_pct: 44.56 };
    const series = equitySeries([start, end]);
    expect(series.buyAndHold[0]?.value).toBeCloseTo(3.64, 10);
    expect(series.buyAndHold[1]?.value).toBeCloseTo(184.59, 10);
  });

  it("draws the drawdown below zero", () => {
    const drawdown = equitySeries(demoReport().equity_curve).drawdown.map((p) => p.value);
    expect(Math.min(...drawdown)).toBeCloseTo(-((1067.9 - 1012.5) / 1067.9) * 100, 10);
    expect(drawdown.every((value) => value <= 0)).toBe(true);
  });

  it("keeps times strictly increasing: a repeated, earlier or unreadable time is dropped", () => {
    const points = priceSeries([
      { time: "2024-01-01T00:00:00Z", close: 1 },
      { time: "2024-01-01T00:00:00Z", close: 2 },
      { time: "not a time", close: 3 },
      { time: "2023-12-31T00:00:00Z", close: 4 },
      { time: "2024-01-02T00:00:00Z", close: 5 },
    ]);
    expect(points).toEqual([
      { time: T0, value: 1 },
      { time: T0 + DAY, value: 5 },
    ]);
  });

  it("marks each trade's entry and exit, coloured by why it closed", () => {
    const report = demoReport();
    const markers = tradeMarkers(report.trades, priceSeries(report.price_curve));
    expect(markers.map((m) => [m.time - T0, m.text])).toEqual([
      [2 * DAY, "Buy"],
      [4 * DAY, "TP"],
      [6 * DAY, "Buy"],
      [7 * DAY, "SL"],
      [8 * DAY, "Buy"],
      [9 * DAY, "End"],
    ]);
    expect(markers[1]).toMatchObject({ position: "aboveBar", shape: "arrowDown", color: MARKER_COLORS.take_profit });
    expect(markers[3]?.color).toBe(MARKER_COLORS.stop_loss);
  });

  it("puts a marker on the nearest close at or before its trade when the curve is downsampled", () => {
    const times = [T0, T0 + 10 * DAY, T0 + 20 * DAY];
    expect(snapToSeries(times, T0 + 15 * DAY)).toBe(T0 + 10 * DAY);
    expect(snapToSeries(times, T0 + 20 * DAY)).toBe(T0 + 20 * DAY);
    expect(snapToSeries(times, T0 + 99 * DAY)).toBe(T0 + 20 * DAY);
    expect(snapToSeries(times, T0 - DAY)).toBe(T0);
    expect(snapToSeries([], T0)).toBeNull();
  });

  it("reads ISO times as Unix seconds", () => {
    expect(toUnixSeconds("2024-01-01T00:00:00Z")).toBe(T0);
    expect(toUnixSeconds("garbage")).toBeNull();
  });
});
