import type { NodeProps } from "@xyflow/react";

import type { CategoryNode as CategoryNodeType } from "../types";
import { NodeParam, NodeShell } from "./NodeShell";

/** The crypto category the strategy trades. */
export function CategoryNode({ data }: NodeProps<CategoryNodeType>) {
  return (
    <NodeShell kind="category" icon="◆" title={data.label}>
      <NodeParam name="Category" value={data.category ?? "Not set"} />
    </NodeShell>
  );
}
