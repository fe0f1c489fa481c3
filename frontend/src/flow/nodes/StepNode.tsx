import type { NodeProps } from "@xyflow/react";

import type { StepNode as StepNodeType } from "../types";
import { NodeParam, NodeShell } from "./NodeShell";

/** A step of a kind this UI has no dedicated look for. */
export function StepNode({ data }: NodeProps<StepNodeType>) {
  return (
    <NodeShell kind="step" icon="●" title={data.label}>
      {data.details.map(([name, value]) => (
        <NodeParam key={name} name={name} value={value} />
      ))}
    </NodeShell>
  );
}
