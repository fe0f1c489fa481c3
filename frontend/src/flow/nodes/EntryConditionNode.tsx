import type { NodeProps } from "@xyflow/react";

import type { EntryConditionNode as EntryConditionNodeType } from "../types";
import { NodeShell } from "./NodeShell";

const MODE_LABELS: Record<string, string> = { ai_optimized: "AI optimized", manual: "Manual" };

/** When the strategy enters a position: its mode and rules. */
export function EntryConditionNode({ data }: NodeProps<EntryConditionNodeType>) {
  const mode = data.mode ? (MODE_LABELS[data.mode] ?? data.mode.replace(/_/g, " ")) : null;
  return (
    <NodeShell kind="entry" icon="↘" title={data.label}>
      {mode && <span className="flow-node__tag">{mode}</span>}
      {data.rules.length > 0 ? (
        <ul className="flow-node__rules">
          {data.rules.map((rule, index) => (
            <li key={index}>{rule}</li>
          ))}
        </ul>
      ) : (
        <p className="flow-node__muted">No entry rules yet</p>
      )}
      {data.conditions.length > 0 && (
        <>
          <span className="flow-node__tag">Backtest runs</span>
          <ul className="flow-node__rules" data-testid="entry-conditions">
            {data.conditions.map((condition, index) => (
              <li key={index}>{condition}</li>
            ))}
          </ul>
        </>
      )}
    </NodeShell>
  );
}
