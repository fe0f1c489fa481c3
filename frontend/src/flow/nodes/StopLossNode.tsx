import type { NodeProps } from "@xyflow/react";

import { formatPct } from "../../format";
import type { StopLossNode as StopLossNodeType } from "../types";
import { NodeParam, NodeShell } from "./NodeShell";

/** The loss at which the strategy exits. */
export function StopLossNode({ data }: NodeProps<StopLossNodeType>) {
  return (
    <NodeShell kind="stop" icon="▼" title={data.label}>
      <NodeParam name="Stop" value={data.stopPct === null ? "Not set" : `−${formatPct(data.stopPct)}`} tone="bad" />
      {data.added && <span className="flow-node__tag">Added for safety</span>}
    </NodeShell>
  );
}
