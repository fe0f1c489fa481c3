/** The flowchart beside its inspector, wired to the editor: select a step, edit it, remove it. */
import { useCallback, useMemo, type ReactNode } from "react";

import { removeStep } from "../edit/operations";
import { nodesWithProblems } from "../edit/problems";
import type { StrategyEditor } from "../edit/useStrategyEditor";
import { Flowchart } from "../flow/Flowchart";
import type { Strategy } from "../types/generated/strategy";
import { NodeEditor } from "./NodeEditor";

interface StrategyEditorBodyProps {
  strategy: Strategy;
  editor: StrategyEditor;
  /** What goes under the inspector (the guardrails). */
  children?: ReactNode;
}

export function StrategyEditorBody({ strategy, editor, children }: StrategyEditorBodyProps) {
  const { selectedId } = editor.state;
  const { nodes } = strategy.flowchart;
  const problemIds = useMemo(() => {
    const ids = new Set<string>();
    for (const index of nodesWithProblems(editor.problems)) {
      const node = nodes[index];
      if (node) ids.add(node.id);
    }
    return ids;
  }, [editor.problems, nodes]);
  const editable = editor.lockedReason === null;
  const { change, select } = editor;
  const remove = useCallback(
    (id: string) => {
      change(removeStep(strategy, id), null);
      select(null);
    },
    [change, select, strategy],
  );

  return (
    <div className="strategy__body">
      <Flowchart
        flowchart={strategy.flowchart}
        selectedId={selectedId}
        problemIds={problemIds}
        onSelect={editor.select}
        onRemove={editable ? remove : null}
      />
      <div className="strategy__side">
        <NodeEditor
          strategy={strategy}
          selectedId={selectedId}
          problems={editor.problems}
          lockedReason={editor.lockedReason}
          onChange={editor.change}
          onSelect={editor.select}
        />
        {children}
      </div>
    </div>
  );
}
