/** The closes the run read, with each trade's entry and exit marked on them. */
import { LineSeries, createSeriesMarkers, type UTCTimestamp } from "lightweight-charts";
import { useMemo } from "react";

import type { BacktestReport } from "../types/generated/frames";
import { CHART_COLORS, chartData, useChart } from "./charts";
import { priceSeries, tradeMarkers } from "./series";

export function PriceChart({ report }: { report: BacktestReport }) {
  const price = useMemo(() => priceSeries(report.price_curve), [report.price_curve]);
  const markers = useMemo(() => tradeMarkers(report.trades, price), [report.trades, price]);
  const container = useChart((chart) => {
    const closes = chart.addSeries(LineSeries, {
      color: CHART_COLORS.price,
      lineWidth: 1,
      priceLineVisible: false,
      title: report.data.symbol,
    });
    closes.setData(chartData(price));
    createSeriesMarkers(
      closes,
      markers.map((marker) => ({ ...marker, time: marker.time as UTCTimestamp })),
    );
  }, report.backtest_id);

  return (
    <figure className="backtest-chart" aria-label={`${report.data.symbol} closes with the trades marked`}>
      <div className="backtest-chart__canvas" ref={container} data-testid="price-chart" />
      <figcaption className="chart-legend">
        <span className="chart-legend__key chart-legend__key--entry">Buy</span>
        <span className="chart-legend__key chart-legend__key--tp">TP take profit</span>
        <span className="chart-legend__key chart-legend__key--sl">SL stop loss</span>
        <span className="chart-legend__key chart-legend__key--end">End of data</span>
      </figcaption>
    </figure>
  );
}
