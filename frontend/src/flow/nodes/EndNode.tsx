import type { NodeProps } from "@xyflow/react";

import type { EndNode as EndNodeType } from "../types";
import { TerminalShell } from "./NodeShell";

/** Where the strategy ends. */
export function EndNode({ data }: NodeProps<EndNodeType>) {
  return <TerminalShell kind="end" label={data.label} />;
}
