/**
 * The results panel: a run's progress or error, then the latest (or a chosen) run of the version with
 * where its data came from, its metrics, the equity and price charts, the trades and the run history.
 */
import { Suspense, lazy, useEffect, useState } from "react";

import type { BacktestRunSummary } from "../api";
import { formatWhen } from "../format";
import type { BacktestReport } from "../types/generated/frames";
import { metricRows } from "./metrics";
import { ProvenanceLabel } from "./ProvenanceLabel";
import { SYNTHETIC_DATA_HEADLINE, type Provenance } from "./provenance";
import { RunHistory } from "./RunHistory";
import type { BacktestState } from "./state";
import { TradeList } from "./TradeList";
import { useBacktestRuns } from "./useBacktestRuns";

const ReportCharts = lazy(() => import("./ReportCharts"));

interface BacktestPanelProps {
  state: BacktestState;
  conversationId: string | null;
  version: number | null;
}

function isFullReport(run: BacktestRunSummary): run is BacktestReport {
  return Array.isArray(run.equity_curve) && Array.isArray(run.price_curve) && Array.isArray(run.trades);
}

export function BacktestPanel({ state, conversationId, version }: BacktestPanelProps) {
  const { latest } = state;
  const [chosen, setChosen] = useState<BacktestReport | null>(null);
  useEffect(() => setChosen(null), [latest?.backtest_id, version]);
  const history = useBacktestRuns(conversationId, version, latest?.backtest_id);
  const shown = chosen ?? latest;

  return (
    <section className="card backtest" aria-label="Backtest" data-testid="backtest-panel" data-phase={state.phase}>
      <h3 className="section-title">Backtest</h3>
      <BacktestStatus state={state} />
      {shown ? (
        <BacktestReportView report={shown} currentVersion={version} />
      ) : (
        state.phase === "idle" && (
          <p className="muted small" data-testid="backtest-none">
            No backtest of this version yet. Run Backtest measures the strategy on stored candles, with fees.
          </p>
        )
      )}
      {version !== null && (
        <RunHistory
          version={version}
          runs={history.runs}
          error={history.error}
          shownId={shown?.backtest_id ?? null}
          onShow={(run) => isFullReport(run) && setChosen(run)}
        />
      )}
    </section>
  );
}

function BacktestStatus({ state }: { state: BacktestState }) {
  if (state.phase === "requested") {
    return <p className="backtest__status" data-testid="backtest-status">Starting the backtest…</p>;
  }
  if (state.phase === "running") {
    const pct = state.pct ?? 0;
    return (
      <div className="backtest__status" data-testid="backtest-status">
        <span>Running the backtest… {Math.round(pct)}%</span>
        <progress max={100} value={pct} aria-label="Backtest progress" />
      </div>
    );
  }
  if (state.phase === "failed") {
    return (
      <p className="inline-error backtest__error" role="alert" data-testid="backtest-error">
        {state.error}
      </p>
    );
  }
  return null;
}

function BacktestReportView({ report, currentVersion }: { report: BacktestReport; currentVersion: number | null }) {
  const measured: Provenance = { kind: "measured", run: report };
  const stale = currentVersion !== null && report.strategy_version !== currentVersion;
  return (
    <div className="backtest__report" data-testid="backtest-report" data-number={report.number}>
      {report.data.synthetic && (
        <p className="backtest__synthetic" role="note" data-testid="backtest-synthetic">
          <strong>{SYNTHETIC_DATA_HEADLINE}.</strong> These figures show how the engine runs the strategy, not how
          it would have done in a real market.
        </p>
      )}
      <p className="backtest__source" data-testid="backtest-source">
        <ProvenanceLabel provenance={measured} long />
      </p>
      <p className="muted small">
        Backtest #{report.number} of v{report.strategy_version} · {report.data.bars} bars · fee {report.fee_pct}% per
        side · run {formatWhen(report.created_at)}
      </p>
      {stale && (
        <p className="backtest__stale" data-testid="backtest-stale">
          This run measured v{report.strategy_version}; the strategy is now v{currentVersion}. Run it again to measure
          this version.
        </p>
      )}
      <dl className="backtest-metrics" data-testid="backtest-metrics">
        {metricRows(report.metrics).map((row) => (
          <div key={row.key} className="backtest-metric" data-key={row.key}>
            <dt>{row.label}</dt>
            <dd className={`is-${row.tone}`}>{row.text}</dd>
          </div>
        ))}
      </dl>
      <Suspense fallback={<p className="muted small">Loading the charts…</p>}>
        <ReportCharts report={report} />
      </Suspense>
      <TradeList report={report} />
      <p className="muted small backtest__credit">
        Charts:{" "}
        <a href="https://www.tradingview.com/" target="_blank" rel="noopener noreferrer">
          TradingView Lightweight Charts™
        </a>
        , Copyright © TradingView, Inc.
      </p>
    </div>
  );
}
