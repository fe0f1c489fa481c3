/** A run's metrics as the rows the results panel shows: label, text, and whether it reads as good or bad. */
import type { BacktestMetrics } from "../types/generated/frames";

export type Tone = "good" | "bad" | "neutral";

export interface MetricRow {
  key: keyof BacktestMetrics;
  label: string;
  text: string;
  tone: Tone;
}

const number2 = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A percentage with its sign: 12.345 → "+12.35%", -3 → "−3.00%", null → "—". */
export function formatSignedPct(value: number | null | undefined): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  const sign = value > 0 ? "+" : value < 0 ? "−" : "";
  return `${sign}${number2.format(Math.abs(value))}%`;
}

function plainPct(value: number | null | undefined): string {
  return typeof value === "number" && Number.isFinite(value) ? `${number2.format(value)}%` : "—";
}

function toneOf(value: number | null | undefined): Tone {
  if (typeof value !== "number" || !Number.isFinite(value) || value === 0) return "neutral";
  return value > 0 ? "good" : "bad";
}

/** The nine figures, in the order a factsheet reads. */
export function metricRows(metrics: BacktestMetrics): MetricRow[] {
  const drawdown = metrics.max_drawdown_pct;
  return [
    { key: "total_return_pct", label: "Total return", text: formatSignedPct(metrics.total_return_pct), tone: toneOf(metrics.total_return_pct) },
    {
      key: "buy_and_hold_return_pct",
      label: "Buy & hold",
      text: formatSignedPct(metrics.buy_and_hold_return_pct),
      tone: "neutral",
    },
    { key: "cagr_pct", label: "CAGR", text: formatSignedPct(metrics.cagr_pct), tone: toneOf(metrics.cagr_pct) },
    {
      key: "max_drawdown_pct",
      label: "Max drawdown",
      text: drawdown ? formatSignedPct(-Math.abs(drawdown)) : plainPct(drawdown),
      tone: drawdown ? "bad" : "neutral",
    },
    {
      key: "sharpe",
      label: "Sharpe",
      text: metrics.sharpe === null ? "—" : number2.format(metrics.sharpe),
      tone: toneOf(metrics.sharpe),
    },
    { key: "trades", label: "Trades", text: String(metrics.trades), tone: "neutral" },
    { key: "win_rate_pct", label: "Win rate", text: plainPct(metrics.win_rate_pct), tone: "neutral" },
    { key: "exposure_pct", label: "Exposure", text: plainPct(metrics.exposure_pct), tone: "neutral" },
    { key: "avg_trade_pct", label: "Avg trade", text: formatSignedPct(metrics.avg_trade_pct), tone: toneOf(metrics.avg_trade_pct) },
  ];
}
