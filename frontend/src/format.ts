/** Number formatting for the trader: "$5,000", "3%", "7.5%". */

const wholeUsd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
const centsUsd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2 });
const percent = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** A dollar amount, without cents when it is whole: 5000 → "$5,000". */
export function formatUsd(value: number | null | undefined): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  return Number.isInteger(value) ? wholeUsd.format(value) : centsUsd.format(value);
}

/** A percentage given in percent units: 3 → "3%", 7.25 → "7.25%". */
export function formatPct(value: number | null | undefined): string {
  return typeof value === "number" && Number.isFinite(value) ? `${percent.format(value)}%` : "—";
}

/** A short, local date and time for lists. */
export function formatWhen(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}
