/** The one registry of flowchart node components, keyed by node type (module-level so it is stable). */
import type { NodeTypes } from "@xyflow/react";

import { CategoryNode } from "./nodes/CategoryNode";
import { EndNode } from "./nodes/EndNode";
import { EntryConditionNode } from "./nodes/EntryConditionNode";
import { ExitConditionNode } from "./nodes/ExitConditionNode";
import { PositionSizeNode } from "./nodes/PositionSizeNode";
import { StartNode } from "./nodes/StartNode";
import { StepNode } from "./nodes/StepNode";
import { StopLossNode } from "./nodes/StopLossNode";
import { TakeProfitNode } from "./nodes/TakeProfitNode";
import type { StrategyNodeType } from "./types";

export const nodeTypes = {
  start: StartNode,
  end: EndNode,
  category: CategoryNode,
  entry_condition: EntryConditionNode,
  take_profit: TakeProfitNode,
  stop_loss: StopLossNode,
  exit_condition: ExitConditionNode,
  position_size: PositionSizeNode,
  step: StepNode,
} satisfies Record<StrategyNodeType, unknown> as NodeTypes;
