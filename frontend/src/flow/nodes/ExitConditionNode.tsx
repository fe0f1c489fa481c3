import type { NodeProps } from "@xyflow/react";

import type { ExitConditionNode as ExitConditionNodeType } from "../types";
import { NodeShell } from "./NodeShell";

/** When the strategy leaves a position, besides its profit target and stop loss. */
export function ExitConditionNode({ data }: NodeProps<ExitConditionNodeType>) {
  return (
    <NodeShell kind="exit" icon="↗" title={data.label}>
      {data.rules.length > 0 ? (
        <ul className="flow-node__rules">
          {data.rules.map((rule, index) => (
            <li key={index}>{rule}</li>
          ))}
        </ul>
      ) : (
        <p className="flow-node__muted">No exit rules</p>
      )}
    </NodeShell>
  );
}
