/** A run's two charts, one module so the panel loads lightweight-charts only once a run is shown. */
import type { BacktestReport } from "../types/generated/frames";
import { EquityChart } from "./EquityChart";
import { PriceChart } from "./PriceChart";

export default function ReportCharts({ report }: { report: BacktestReport }) {
  return (
    <>
      <EquityChart report={report} />
      <PriceChart report={report} />
    </>
  );
}
