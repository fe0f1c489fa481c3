/**
 * The editor's immediate checks: the schema's bounds (from `schemaRules`), applied to a draft and
 * reported as the server reports them, one `StrategyProblem` per field by JSON path. The server's
 * verdict still rules; these only spare the trader a round trip for what it would certainly refuse.
 */
import type { StrategyProblem } from "../types/generated/frames";
import type { Strategy } from "../types/generated/strategy";
import type { EntryCondition, FlowNode } from "./operations";
import {
  MAX_CONDITIONS,
  MAX_RULES,
  MAX_TEXT,
  MIN_ENTRY_RULES,
  numberProblem,
  numberRule,
  SYMBOL_PATTERN,
} from "./schemaRules";

const CONDITION_MODELS: Record<EntryCondition["kind"], string> = {
  drop_from_high: "DropFromHigh",
  price_above_ma: "PriceAboveMA",
  ma_cross_up: "MACrossUp",
  rsi_below: "RSIBelow",
};

/** Every problem the editor can see in a strategy before sending it. */
export function draftProblems(strategy: Strategy): StrategyProblem[] {
  const problems: StrategyProblem[] = [];
  strategy.flowchart.nodes.forEach((node, index) => problems.push(...nodeProblems(node, `flowchart.nodes[${index}]`)));
  return problems;
}

function nodeProblems(node: FlowNode, path: string): StrategyProblem[] {
  const meta = `${path}.meta`;
  switch (node.type) {
    case "take_profit":
      return numberAt(node.meta.target_pct, "TakeProfitMeta", "target_pct", meta);
    case "stop_loss":
      return numberAt(node.meta.stop_pct, "StopLossMeta", "stop_pct", meta);
    case "position_size":
      return numberAt(node.meta.allocation_pct, "PositionSizeMeta", "allocation_pct", meta);
    case "category":
      return [
        ...textAt(node.meta.category, `${meta}.category`),
        ...(node.meta.symbol !== null && !SYMBOL_PATTERN.test(node.meta.symbol)
          ? [{ path: `${meta}.symbol`, message: "Write the pair as BASE/QUOTE, e.g. BTC/USDT." }]
          : []),
      ];
    case "entry_condition":
      return [
        ...rulesAt(node.meta.rules, `${meta}.rules`, MIN_ENTRY_RULES),
        ...(node.meta.conditions.length > MAX_CONDITIONS
          ? [{ path: `${meta}.conditions`, message: `At most ${MAX_CONDITIONS} conditions.` }]
          : []),
        ...node.meta.conditions.flatMap((condition, index) =>
          conditionProblems(condition, `${meta}.conditions[${index}]`),
        ),
      ];
    case "exit_condition":
      return rulesAt(node.meta.rules, `${meta}.rules`, 0);
    default:
      return [];
  }
}

function conditionProblems(condition: EntryCondition, path: string): StrategyProblem[] {
  const model = CONDITION_MODELS[condition.kind];
  const fields = Object.entries(condition).filter(([field]) => field !== "kind") as [string, number][];
  const problems = fields.flatMap(([field, value]) => numberAt(value, model, field, path));
  if (condition.kind === "ma_cross_up" && problems.length === 0 && condition.fast >= condition.slow) {
    problems.push({ path: `${path}.fast`, message: "The fast period must be shorter than the slow period." });
  }
  return problems;
}

function numberAt(value: number, model: string, field: string, parent: string): StrategyProblem[] {
  const message = numberProblem(value, numberRule(model, field));
  return message ? [{ path: `${parent}.${field}`, message }] : [];
}

function textAt(text: string, path: string): StrategyProblem[] {
  if (text.trim() === "") return [{ path, message: "This can't be empty." }];
  return text.length > MAX_TEXT ? [{ path, message: `At most ${MAX_TEXT} characters.` }] : [];
}

function rulesAt(rules: string[], path: string, minimum: number): StrategyProblem[] {
  const problems = rules.flatMap((rule, index) => textAt(rule, `${path}[${index}]`));
  if (rules.length < minimum) problems.push({ path, message: `Write at least ${minimum} rule.` });
  if (rules.length > MAX_RULES) problems.push({ path, message: `At most ${MAX_RULES} rules.` });
  return problems;
}
