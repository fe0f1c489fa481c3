/**
 * Where a number in the builder came from: the strategist proposed it, the server checked it, or a
 * backtest measured it (issue 15's "honest numbers"). One sentence per kind, shared by every label.
 */
import type { BacktestReport } from "../types/generated/frames";

export const SYNTHETIC_DATA_HEADLINE = "Synthetic demo data — not market history";
export const SYNTHETIC_DATA_TEXT = SYNTHETIC_DATA_HEADLINE.toLowerCase();

export type Provenance =
  | { kind: "proposed" }
  | { kind: "checked" }
  | { kind: "measured"; run: Pick<BacktestReport, "number" | "data"> };

export const PROPOSED: Provenance = { kind: "proposed" };
export const CHECKED: Provenance = { kind: "checked" };

/** The label's short form: "Proposed", "Checked", "Measured". */
export const PROVENANCE_TITLES: Record<Provenance["kind"], string> = {
  proposed: "Proposed",
  checked: "Checked",
  measured: "Measured",
};

/** A candle time as the trader reads it: the day for daily bars, the hour (UTC) for shorter ones. */
export function formatBarTime(iso: string, timeframe: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toISOString();
  return timeframe === "1d" ? text.slice(0, 10) : `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}

/** Which candles a run read, e.g. "binance" or "synthetic demo data — not market history". */
export function dataSourceText(data: BacktestReport["data"]): string {
  return data.synthetic ? SYNTHETIC_DATA_TEXT : data.source;
}

/** "BTC/USDT 1d, 2022-01-01 → 2025-12-31". */
export function dataRangeText(data: BacktestReport["data"]): string {
  const start = formatBarTime(data.start, data.timeframe);
  const end = formatBarTime(data.end, data.timeframe);
  return `${data.symbol} ${data.timeframe}, ${start} → ${end}`;
}

/** The full sentence a label's tooltip and a screen reader give. */
export function provenanceText(provenance: Provenance): string {
  switch (provenance.kind) {
    case "proposed":
      return "Proposed by the strategist — an estimate until a backtest measures it";
    case "checked":
      return "Checked by the server";
    case "measured": {
      const { number, data } = provenance.run;
      const where = dataRangeText(data);
      return data.synthetic
        ? `Measured by backtest #${number} on ${where} (${SYNTHETIC_DATA_TEXT})`
        : `Measured by backtest #${number} on ${data.source} ${where}`;
    }
  }
}
