/**
 * lightweight-charts set up once for the builder: the dark theme, no attribution logo (it injects a
 * `<style>` element the page's Content-Security-Policy blocks; the panel links TradingView instead, as
 * the library's licence asks), and a hook that builds a chart in a div and removes it on unmount.
 */
import { createChart, type DeepPartial, type ChartOptions, type IChartApi, type UTCTimestamp } from "lightweight-charts";
import { useEffect, useRef, type RefObject } from "react";

import type { SeriesPoint } from "./series";

export const CHART_COLORS = {
  strategy: "#2dd4bf",
  buyAndHold: "#8aa4ff",
  drawdown: "#f0555a",
  drawdownFill: "rgba(240, 85, 90, 0.25)",
  price: "#c3ced9",
};

const CHART_OPTIONS: DeepPartial<ChartOptions> = {
  autoSize: true,
  layout: {
    background: { color: "#151d26" },
    textColor: "#8a99a8",
    fontSize: 11,
    attributionLogo: false,
  },
  grid: { vertLines: { color: "#1f2a36" }, horzLines: { color: "#1f2a36" } },
  rightPriceScale: { borderColor: "#2b3947" },
  timeScale: { borderColor: "#2b3947" },
  crosshair: { vertLine: { color: "#2b3947" }, horzLine: { color: "#2b3947" } },
};

/** Series points with the library's time type. */
export function chartData(points: SeriesPoint[]): { time: UTCTimestamp; value: number }[] {
  return points.map((point) => ({ time: point.time as UTCTimestamp, value: point.value }));
}

/** A div ref whose chart `build` fills each time `key` changes; the chart is removed with the div. */
export function useChart(build: (chart: IChartApi) => void, key: unknown): RefObject<HTMLDivElement | null> {
  const container = useRef<HTMLDivElement | null>(null);
  // Rebuilt only when `key` changes: `build` draws what that key names, so a newer closure draws the same.
  useEffect(() => {
    if (!container.current) return;
    const chart = createChart(container.current, CHART_OPTIONS);
    build(chart);
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [key]);
  return container;
}
