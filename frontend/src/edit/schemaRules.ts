/**
 * The strategy schema's bounds, read from the generated `strategy.schema.json` (the pydantic models'),
 * so the editor's immediate checks and its defaults cannot drift from what the server enforces.
 */
import schema from "../types/generated/strategy.schema.json";

interface PropertySchema {
  type?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  default?: unknown;
  enum?: string[];
  anyOf?: PropertySchema[];
}

interface ModelSchema {
  properties: Record<string, PropertySchema>;
}

const DEFS = (schema as unknown as { $defs: Record<string, ModelSchema> }).$defs;
const TOP = (schema as unknown as ModelSchema).properties;

/** One property of one model of the schema (a missing one is a programming error, caught by the tests). */
function property(model: string, field: string): PropertySchema {
  const found = model === "Strategy" ? TOP[field] : DEFS[model]?.properties[field];
  if (!found) throw new Error(`strategy.schema.json has no ${model}.${field}`);
  return found;
}

export interface NumberRule {
  integer: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** The bounds of a numeric field, e.g. `numberRule("StopLossMeta", "stop_pct")`. */
export function numberRule(model: string, field: string): NumberRule {
  const { type, minimum, maximum, exclusiveMinimum, exclusiveMaximum } = property(model, field);
  return { integer: type === "integer", minimum, maximum, exclusiveMinimum, exclusiveMaximum };
}

/** What is wrong with a number under its rule, as a sentence, or null when it is fine. */
export function numberProblem(value: number, rule: NumberRule): string | null {
  if (!Number.isFinite(value)) return rule.integer ? "Enter a whole number." : "Enter a number.";
  if (rule.integer && !Number.isInteger(value)) return "Enter a whole number.";
  const low = rule.minimum ?? rule.exclusiveMinimum;
  const high = rule.maximum ?? rule.exclusiveMaximum;
  const tooLow =
    rule.minimum !== undefined
      ? value < rule.minimum
      : rule.exclusiveMinimum !== undefined && value <= rule.exclusiveMinimum;
  const tooHigh =
    rule.maximum !== undefined
      ? value > rule.maximum
      : rule.exclusiveMaximum !== undefined && value >= rule.exclusiveMaximum;
  return tooLow || tooHigh ? `Must be ${rangeText(rule, low, high)}.` : null;
}

function rangeText(rule: NumberRule, low: number | undefined, high: number | undefined): string {
  const above = low === undefined ? "" : rule.minimum !== undefined ? `at least ${low}` : `more than ${low}`;
  const below = high === undefined ? "" : rule.maximum !== undefined ? `at most ${high}` : `less than ${high}`;
  return [above, below].filter(Boolean).join(" and ");
}

/** The longest a label, category or rule may be. */
export const MAX_TEXT = itemMaxLength("EntryMeta", "rules");
/** Most rules on one step, fewest on an entry step. */
export const MAX_RULES = property("EntryMeta", "rules").maxItems ?? 20;
export const MIN_ENTRY_RULES = property("EntryMeta", "rules").minItems ?? 1;
export const MAX_CONDITIONS = property("EntryMeta", "conditions").maxItems ?? 10;
export const MAX_NODES = property("Flowchart", "nodes").maxItems ?? 100;
/** A spot pair like "BTC/USDT", as the server accepts it (after upper-casing). */
export const SYMBOL_PATTERN = new RegExp(
  property("CategoryMeta", "symbol").anyOf?.find((choice) => choice.pattern)?.pattern ?? "^[A-Z0-9]+/[A-Z0-9]+$",
);
export const TIMEFRAMES = property("Strategy", "timeframe").enum ?? ["1h", "4h", "1d"];

function itemMaxLength(model: string, field: string): number {
  const items = (property(model, field) as { items?: PropertySchema }).items;
  return items?.maxLength ?? 200;
}

/** A node kind's default label, e.g. "Stop Loss: " for `StopLossNode`. */
export function defaultLabel(model: string): string {
  const label = property(model, "label").default;
  return typeof label === "string" ? label : "";
}
