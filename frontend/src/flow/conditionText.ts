/** An entry condition (the closed set the backtest engine runs) in a few words, for the flowchart. */

/** "Close 5% below the 20-bar high", or null for something that is not a known condition. */
export function conditionText(condition: unknown): string | null {
  if (!condition || typeof condition !== "object") return null;
  const c = condition as Record<string, unknown>;
  switch (c.kind) {
    case "drop_from_high":
      return `Close ${c.pct}% below the ${c.lookback_bars}-bar high`;
    case "price_above_ma":
      return `Close above its ${c.period}-bar average`;
    case "ma_cross_up":
      return `${c.fast}-bar average crosses above the ${c.slow}-bar`;
    case "rsi_below":
      return `RSI(${c.period}) below ${c.threshold}`;
    default:
      return null;
  }
}
