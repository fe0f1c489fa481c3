/** The flowchart's node kinds, each with its own typed data (one React component per kind). */
import type { Edge, Node } from "@xyflow/react";

interface Labelled {
  [key: string]: unknown;
  label: string;
}

export type StartNode = Node<Labelled, "start">;
export type EndNode = Node<Labelled, "end">;
export type CategoryNode = Node<Labelled & { category: string | null }, "category">;
export type EntryConditionNode = Node<
  Labelled & { mode: string | null; rules: string[]; conditions: string[] },
  "entry_condition"
>;
export type TakeProfitNode = Node<Labelled & { targetPct: number | null }, "take_profit">;
export type StopLossNode = Node<Labelled & { stopPct: number | null; added: boolean }, "stop_loss">;
export type ExitConditionNode = Node<Labelled & { rules: string[] }, "exit_condition">;
export type PositionSizeNode = Node<Labelled & { allocationPct: number | null }, "position_size">;
/** A kind this UI does not know yet: shown with its label and its simple parameters. */
export type StepNode = Node<Labelled & { kind: string; details: [string, string][] }, "step">;

export type StrategyNode =
  | StartNode
  | EndNode
  | CategoryNode
  | EntryConditionNode
  | TakeProfitNode
  | StopLossNode
  | ExitConditionNode
  | PositionSizeNode
  | StepNode;

export type StrategyNodeType = StrategyNode["type"];

export interface StrategyGraph {
  nodes: StrategyNode[];
  edges: Edge[];
}
