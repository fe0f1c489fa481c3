/**
 * The strategy's headline numbers as the strategist proposed them: capital and a monthly return
 * target. They are estimates, not results, so they are labelled as such and never drawn as a gain.
 */
import { ProvenanceLabel } from "../backtest/ProvenanceLabel";
import { PROPOSED } from "../backtest/provenance";
import { formatPct, formatUsd } from "../format";

interface MetricsProps {
  capitalUsd?: number | null;
  monthlyReturnPct?: number | null;
}

export function Metrics({ capitalUsd, monthlyReturnPct }: MetricsProps) {
  return (
    <dl className="metrics metrics--proposed">
      <div className="metric">
        <dt>Capital</dt>
        <dd data-testid="metric-capital">{formatUsd(capitalUsd)}</dd>
        <ProvenanceLabel provenance={PROPOSED} />
      </div>
      <div className="metric">
        <dt>Monthly target</dt>
        <dd data-testid="metric-monthly-return" className="is-proposed">
          {formatPct(monthlyReturnPct)}
        </dd>
        <ProvenanceLabel provenance={PROPOSED} />
      </div>
    </dl>
  );
}
