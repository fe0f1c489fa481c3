/**
 * A backtest report as chart series: returns in percent of the start (so the strategy and buy-and-hold
 * share one scale whatever the capital), the drawdown below zero, the closes, and the trades as markers.
 *
 * Times are Unix seconds, strictly increasing (lightweight-charts refuses anything else); a marker sits
 * on the nearest close at or before its trade, since the price curve is downsampled.
 */
import type { EquityPoint, PricePoint, Trade } from "../types/generated/frames";

export interface SeriesPoint {
  time: number;
  value: number;
}

export interface TradeMarker {
  time: number;
  position: "belowBar" | "aboveBar";
  shape: "arrowUp" | "arrowDown";
  color: string;
  text: string;
}

export interface EquitySeries {
  strategy: SeriesPoint[];
  buyAndHold: SeriesPoint[];
  drawdown: SeriesPoint[];
}

export const MARKER_COLORS = { entry: "#2dd4bf", take_profit: "#22c55e", stop_loss: "#f0555a", end: "#8a99a8" };
const EXIT_TEXT: Record<Trade["reason"], string> = { take_profit: "TP", stop_loss: "SL", end: "End" };

/** An ISO 8601 time as Unix seconds, or null when it cannot be read. */
export function toUnixSeconds(iso: string): number | null {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/** Points in time order with each time once (the first kept); unreadable times dropped. */
function increasing<T>(items: T[], timeOf: (item: T) => string, valueOf: (item: T) => number): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (const item of items) {
    const time = toUnixSeconds(timeOf(item));
    const value = valueOf(item);
    const last = points[points.length - 1];
    if (time === null || !Number.isFinite(value) || (last && time <= last.time)) continue;
    points.push({ time, value });
  }
  return points;
}

function percentOfFirst(values: number[]): (value: number) => number {
  const first = values.find((value) => Number.isFinite(value) && value !== 0);
  return (value) => (first === undefined ? 0 : (value / first - 1) * 100);
}

/** The equity curve as the strategy's and buy-and-hold's return (%) and the drawdown (negative %).
 *
 * Both returns are of the starting capital (the first equity point): buy-and-hold buys at the first open,
 * so its first point is already off the capital, and its last point then equals the report's metric. */
export function equitySeries(curve: EquityPoint[]): EquitySeries {
  const ofCapital = percentOfFirst(curve.map((p) => p.equity));
  return {
    strategy: increasing(curve, (p) => p.time, (p) => ofCapital(p.equity)),
    buyAndHold: increasing(curve, (p) => p.time, (p) => ofCapital(p.buy_and_hold)),
    drawdown: increasing(curve, (p) => p.time, (p) => -Math.abs(p.drawdown_pct)),
  };
}

/** The closes the trades are marked on. */
export function priceSeries(curve: PricePoint[]): SeriesPoint[] {
  return increasing(curve, (p) => p.time, (p) => p.close);
}

/** The latest series time at or before `time` (the first one when `time` is earlier), or null for none. */
export function snapToSeries(times: number[], time: number): number | null {
  if (times.length === 0) return null;
  let low = 0;
  let high = times.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((times[middle] ?? Infinity) <= time) low = middle;
    else high = middle - 1;
  }
  return times[low] ?? null;
}

/** An entry marker and an exit marker per trade, on the price series' times, in time order. */
export function tradeMarkers(trades: Trade[], price: SeriesPoint[]): TradeMarker[] {
  const times = price.map((p) => p.time);
  const markers: TradeMarker[] = [];
  for (const trade of trades) {
    const entry = toUnixSeconds(trade.entry_time);
    const exit = toUnixSeconds(trade.exit_time);
    const entryAt = entry === null ? null : snapToSeries(times, entry);
    const exitAt = exit === null ? null : snapToSeries(times, exit);
    if (entryAt !== null) {
      markers.push({ time: entryAt, position: "belowBar", shape: "arrowUp", color: MARKER_COLORS.entry, text: "Buy" });
    }
    if (exitAt !== null) {
      const color = MARKER_COLORS[trade.reason];
      markers.push({ time: exitAt, position: "aboveBar", shape: "arrowDown", color, text: EXIT_TEXT[trade.reason] });
    }
  }
  return markers.sort((a, b) => a.time - b.time);
}
