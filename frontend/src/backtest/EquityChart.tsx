/** The equity curve against buy-and-hold (returns in %), with the drawdown in a pane below. */
import { AreaSeries, LineSeries } from "lightweight-charts";
import { useMemo } from "react";

import type { BacktestReport } from "../types/generated/frames";
import { CHART_COLORS, chartData, useChart } from "./charts";
import { equitySeries } from "./series";

const PERCENT = { type: "custom" as const, formatter: (value: number) => `${value.toFixed(1)}%` };

export function EquityChart({ report }: { report: BacktestReport }) {
  const series = useMemo(() => equitySeries(report.equity_curve), [report.equity_curve]);
  const container = useChart((chart) => {
    const options = { lineWidth: 2 as const, priceFormat: PERCENT, priceLineVisible: false };
    chart.addSeries(LineSeries, { ...options, color: CHART_COLORS.buyAndHold, title: "Buy & hold" }).setData(
      chartData(series.buyAndHold),
    );
    chart.addSeries(LineSeries, { ...options, color: CHART_COLORS.strategy, title: "Strategy" }).setData(
      chartData(series.strategy),
    );
    const drawdown = chart.addSeries(
      AreaSeries,
      {
        lineColor: CHART_COLORS.drawdown,
        topColor: CHART_COLORS.drawdownFill,
        bottomColor: CHART_COLORS.drawdownFill,
        invertFilledArea: true,
        lineWidth: 1,
        priceFormat: PERCENT,
        priceLineVisible: false,
        title: "Drawdown",
      },
      1,
    );
    drawdown.setData(chartData(series.drawdown));
    drawdown.getPane().setStretchFactor(0.4);
  }, report.backtest_id);

  return (
    <figure className="backtest-chart" aria-label="Equity curve against buy and hold, and drawdown">
      <div className="backtest-chart__canvas backtest-chart__canvas--tall" ref={container} data-testid="equity-chart" />
      <figcaption className="chart-legend">
        <span className="chart-legend__key chart-legend__key--strategy">Strategy</span>
        <span className="chart-legend__key chart-legend__key--hold">Buy &amp; hold</span>
        <span className="chart-legend__key chart-legend__key--drawdown">Drawdown</span>
        <span className="muted">return in % of the start</span>
      </figcaption>
    </figure>
  );
}
