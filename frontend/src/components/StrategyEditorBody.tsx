/**
 * The flowchart beside its inspector, wired to the editor: select a step, edit it, remove it. While a
 * reply writes the next strategy, the flowchart draws that instead, and there is nothing to inspect.
 */
import { useCallback, useMemo, type ReactNode } from "react";

import type { StrategyPreview } from "../chat/preview";
import { removeStep } from "../edit/operations";
import { nodesWithProblems } from "../edit/problems";
import type { StrategyEditor } from "../edit/useStrategyEditor";
import { Flowchart } from "../flow/Flowchart";
import type { Strategy } from "../types/generated/strategy";
import { NodeEditor } from "./NodeEditor";

interface StrategyEditorBodyProps {
  /** Null only while a reply writes the conversation's first strategy. */
  strategy: Strategy | null;
  /** The flowchart a streaming reply is writing, drawn live instead of the strategy's. */
  preview: StrategyPreview["flowchart"] | null;
  editor: StrategyEditor;
  /** What goes under the inspector (the guardrails). */
  children?: ReactNode;
}

export function StrategyEditorBody({ strategy, preview, editor, children }: StrategyEditorBodyProps) {
  const { selectedId } = editor.state;
  const nodes = strategy?.flowchart.nodes;
  const problemIds = useMemo(() => {
    const ids = new Set<string>();
    for (const index of nodesWithProblems(editor.problems)) {
      const node = nodes?.[index];
      if (node) ids.add(node.id);
    }
    return ids;
  }, [editor.problems, nodes]);
  const editable = editor.lockedReason === null;
  const { change, select } = editor;
  const remove = useCallback(
    (id: string) => {
      if (!strategy) return;
      change(removeStep(strategy, id), null);
      select(null);
    },
    [change, select, strategy],
  );

  // One tree for both, so the canvas (and what it has drawn) carries over from the preview.
  return (
    <div className="strategy__body">
      {preview || !strategy ? (
        <Flowchart flowchart={preview} live />
      ) : (
        <Flowchart
          flowchart={strategy.flowchart}
          selectedId={selectedId}
          problemIds={problemIds}
          onSelect={editor.select}
          onRemove={editable ? remove : null}
        />
      )}
      <div className="strategy__side">
        {strategy && !preview && (
          <NodeEditor
            strategy={strategy}
            selectedId={selectedId}
            problems={editor.problems}
            lockedReason={editor.lockedReason}
            onChange={editor.change}
            onSelect={editor.select}
          />
        )}
        {children}
      </div>
    </div>
  );
}
