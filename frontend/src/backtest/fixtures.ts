/** A hand-built backtest report for the tests (imported by tests only, so never in the bundle). */
import type { BacktestReport, Trade } from "../types/generated/frames";

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);

function day(index: number): string {
  return new Date(START + index * DAY).toISOString().replace(".000Z", "Z");
}

const TRADES: Trade[] = [
  { entry_time: day(2), entry_price: 95, exit_time: day(4), exit_price: 101.65, reason: "take_profit", return_pct: 6.79 },
  { entry_time: day(6), entry_price: 100, exit_time: day(7), exit_price: 95, reason: "stop_loss", return_pct: -5.19 },
  { entry_time: day(8), entry_price: 96, exit_time: day(9), exit_price: 98, reason: "end", return_pct: 1.88 },
];

const CLOSES = [100, 96, 95, 99, 102, 104, 100, 95, 96, 98];
const EQUITY = [1000, 1000, 1000, 1040, 1067.9, 1067.9, 1067.9, 1012.5, 1012.5, 1031.5];

/** Ten daily bars of synthetic demo data, three trades (take profit, stop loss, end of data). */
export function demoReport(overrides: Partial<BacktestReport> = {}): BacktestReport {
  let peak = 0;
  return {
    backtest_id: "run-1",
    number: 1,
    strategy_version: 2,
    created_at: "2026-12-01T12:00:00Z",
    fee_pct: 0.1,
    data: {
      source: "demo",
      synthetic: true,
      symbol: "BTC/USDT",
      timeframe: "1d",
      start: day(0),
      end: day(9),
      bars: 10,
    },
    metrics: {
      total_return_pct: 3.15,
      buy_and_hold_return_pct: -2,
      cagr_pct: 210.4,
      max_drawdown_pct: 5.19,
      sharpe: 1.234,
      trades: 3,
      win_rate_pct: 66.67,
      exposure_pct: 50,
      avg_trade_pct: 1.16,
    },
    equity_curve: EQUITY.map((equity, i) => {
      peak = Math.max(peak, equity);
      return {
        time: day(i),
        equity,
        buy_and_hold: (1000 * (CLOSES[i] ?? 0)) / 100,
        drawdown_pct: ((peak - equity) / peak) * 100,
      };
    }),
    price_curve: CLOSES.map((close, i) => ({ time: day(i), close })),
    trades: TRADES,
    trades_total: TRADES.length,
    target_check: {
      key: "monthly_target",
      label: "Target above what backtest #1 measured",
      status: "warning",
      reason: "The 10% monthly target is above the 9.9% a month (CAGR 210.4%) that backtest #1 measured on demo.",
    },
    ...overrides,
  };
}
