/** The strategy's headline numbers: capital required and expected monthly return. */
import { formatPct, formatUsd } from "../format";

interface MetricsProps {
  capitalUsd?: number | null;
  monthlyReturnPct?: number | null;
}

export function Metrics({ capitalUsd, monthlyReturnPct }: MetricsProps) {
  return (
    <dl className="metrics">
      <div className="metric">
        <dt>Capital</dt>
        <dd data-testid="metric-capital">{formatUsd(capitalUsd)}</dd>
      </div>
      <div className="metric">
        <dt>Monthly return</dt>
        <dd data-testid="metric-monthly-return" className={monthlyReturnPct != null && monthlyReturnPct < 0 ? "is-negative" : "is-positive"}>
          {formatPct(monthlyReturnPct)}
        </dd>
      </div>
    </dl>
  );
}
