/** The runs of this version, newest first; one whose full report the listing carries can be shown. */
import type { BacktestRunSummary } from "../api";
import { formatWhen } from "../format";
import { formatSignedPct } from "./metrics";
import { dataSourceText } from "./provenance";

interface RunHistoryProps {
  version: number;
  runs: BacktestRunSummary[];
  error: string | null;
  shownId: string | null;
  onShow: (run: BacktestRunSummary) => void;
}

export function RunHistory({ version, runs, error, shownId, onShow }: RunHistoryProps) {
  const newestFirst = [...runs].sort((a, b) => b.number - a.number);
  return (
    <section className="run-history" aria-label={`Backtests of v${version}`} data-testid="run-history">
      <h4 className="section-title">Backtests of v{version}</h4>
      {error && <p className="inline-error">{error}</p>}
      {newestFirst.length === 0 && !error ? (
        <p className="muted small">No stored run of this version yet.</p>
      ) : (
        <ul className="run-history__list">
          {newestFirst.map((run) => (
            <li key={run.backtest_id}>
              <button
                type="button"
                className={`run-history__item${run.backtest_id === shownId ? " is-active" : ""}`}
                disabled={!run.equity_curve}
                onClick={() => onShow(run)}
                data-testid="run-history-item"
              >
                <span className="run-history__number">#{run.number}</span>
                <span>
                  {run.data.symbol} {run.data.timeframe} · {dataSourceText(run.data)}
                </span>
                <span className="num">{formatSignedPct(run.metrics.total_return_pct)}</span>
                <span className="muted">{formatWhen(run.created_at)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
