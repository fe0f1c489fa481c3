import type { NodeProps } from "@xyflow/react";

import { formatPct } from "../../format";
import type { PositionSizeNode as PositionSizeNodeType } from "../types";
import { NodeParam, NodeShell } from "./NodeShell";

/** The share of capital each position puts to work. */
export function PositionSizeNode({ data }: NodeProps<PositionSizeNodeType>) {
  return (
    <NodeShell kind="allocation" icon="◔" title={data.label}>
      <NodeParam name="Allocation" value={data.allocationPct === null ? "Not set" : formatPct(data.allocationPct)} />
    </NodeShell>
  );
}
