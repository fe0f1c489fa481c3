import type { NodeProps } from "@xyflow/react";

import type { StartNode as StartNodeType } from "../types";
import { TerminalShell } from "./NodeShell";

/** Where the strategy begins. */
export function StartNode({ data }: NodeProps<StartNodeType>) {
  return <TerminalShell kind="start" label={data.label} />;
}
