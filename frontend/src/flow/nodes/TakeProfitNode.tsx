import type { NodeProps } from "@xyflow/react";

import { formatPct } from "../../format";
import type { TakeProfitNode as TakeProfitNodeType } from "../types";
import { NodeParam, NodeShell } from "./NodeShell";

/** The gain at which the strategy takes profit. */
export function TakeProfitNode({ data }: NodeProps<TakeProfitNodeType>) {
  return (
    <NodeShell kind="profit" icon="▲" title={data.label}>
      <NodeParam name="Target" value={data.targetPct === null ? "Not set" : `+${formatPct(data.targetPct)}`} tone="good" />
    </NodeShell>
  );
}
