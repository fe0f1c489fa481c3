/** The run's round trips: entry and exit, prices, why it closed, and the return after fees. */
import type { BacktestReport, Trade } from "../types/generated/frames";
import { formatSignedPct } from "./metrics";
import { formatBarTime } from "./provenance";

const REASONS: Record<Trade["reason"], string> = {
  take_profit: "Take profit",
  stop_loss: "Stop loss",
  end: "End of data",
};

const price = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 6 });

export function TradeList({ report }: { report: BacktestReport }) {
  const { trades, trades_total: total, data } = report;
  if (trades.length === 0) {
    return <p className="muted small" data-testid="trade-list-empty">No trade: the entry conditions never held on this data.</p>;
  }
  return (
    <div className="trade-list" data-testid="trade-list">
      {total > trades.length && (
        <p className="muted small">
          The last {trades.length} of {total} trades.
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">Entry</th>
            <th scope="col">Price</th>
            <th scope="col">Exit</th>
            <th scope="col">Price</th>
            <th scope="col">Reason</th>
            <th scope="col">Return</th>
          </tr>
        </thead>
        <tbody>
          {trades.map((trade) => (
            <tr key={`${trade.entry_time}-${trade.exit_time}`} data-testid="trade-row" data-reason={trade.reason}>
              <td>{formatBarTime(trade.entry_time, data.timeframe)}</td>
              <td className="num">{price.format(trade.entry_price)}</td>
              <td>{formatBarTime(trade.exit_time, data.timeframe)}</td>
              <td className="num">{price.format(trade.exit_price)}</td>
              <td>{REASONS[trade.reason]}</td>
              <td className={`num is-${trade.return_pct >= 0 ? "good" : "bad"}`}>{formatSignedPct(trade.return_pct)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
