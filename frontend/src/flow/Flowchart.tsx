/**
 * The strategy flowchart: the layouted graph in a pannable, zoomable canvas. A step is selected by a
 * click, or by Tab and Enter; Delete removes the selected step when it is one a trader may remove.
 */
import {
  Background,
  Controls,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type NodeChange,
  type OnBeforeDelete,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useCallback, useEffect, useMemo, useRef } from "react";

import { OPTIONAL_STEPS } from "../edit/operations";
import type { Flowchart as FlowchartJson } from "../types/generated/strategy";
import { nodeTypes } from "./nodeTypes";
import type { StrategyNode } from "./types";
import { useLayoutedGraph } from "./useLayoutedGraph";

const FIT_VIEW_OPTIONS = { padding: 0.12, maxZoom: 1.1 };
const REMOVABLE = new Set<string>(OPTIONAL_STEPS);
const DELETE_KEYS = ["Delete", "Backspace"];
/** The screen-reader text of the nodes (and of the edges, which cannot be focused or removed). */
function describe(nodes: string) {
  // xyflow reads "keyboardDisabled" when keyboard access is on (its arrow-key text): set both.
  return {
    "node.a11yDescription.default": nodes,
    "node.a11yDescription.keyboardDisabled": nodes,
    "edge.a11yDescription.default":
      "A connection between two steps; it follows the steps as they are added or removed.",
  };
}
const EDITABLE_DESCRIPTION = describe(
  "Press enter or space to select this step and edit it beside the flowchart. " +
    "Press delete to remove a take profit, stop loss, position size or exit step.",
);
const READ_ONLY_DESCRIPTION = describe(
  "Press enter or space to select this step and see its parameters beside the flowchart.",
);

export interface FlowchartProps {
  flowchart: FlowchartJson | null | undefined;
  selectedId?: string | null;
  /** Ids of the steps with a problem, drawn in red so the trader can find them. */
  problemIds?: Set<string>;
  onSelect?: (id: string | null) => void;
  /** Null or absent: steps cannot be removed now. */
  onRemove?: ((id: string) => void) | null;
}

export function Flowchart(props: FlowchartProps) {
  return (
    <div className="flowchart" data-testid="flowchart">
      <ReactFlowProvider>
        <FlowCanvas {...props} />
      </ReactFlowProvider>
    </div>
  );
}

function FlowCanvas({ flowchart, selectedId = null, problemIds, onSelect, onRemove }: FlowchartProps) {
  const { nodes: laidOut, edges } = useLayoutedGraph(flowchart);
  const { fitView } = useReactFlow<StrategyNode>();
  const wrapperRef = useRef<HTMLDivElement>(null);
  // xyflow keeps a node's measured size on the node object it is given: new objects (a selection, a
  // problem marked) carry the last size, or the node is hidden until measured again.
  const measuredRef = useRef(new Map<string, { width: number; height: number }>());
  const removable = onRemove != null;

  const nodes = useMemo(
    () =>
      laidOut.map((node) => ({
        ...node,
        measured: measuredRef.current.get(node.id),
        selected: node.id === selectedId,
        deletable: removable && REMOVABLE.has(node.type),
        ariaLabel: node.data.label,
        className: problemIds?.has(node.id) ? "has-problem" : undefined,
      })),
    [laidOut, selectedId, problemIds, removable],
  );

  // Bring the whole graph into view when a new strategy arrives and when the panel resizes.
  useEffect(() => {
    let frame = requestAnimationFrame(() => void fitView(FIT_VIEW_OPTIONS));
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => void fitView(FIT_VIEW_OPTIONS));
    });
    if (wrapperRef.current) observer.observe(wrapperRef.current);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, [laidOut, fitView]);

  // The nodes are the strategy's: selection goes to the editor, which draws it back as `selected`.
  const onNodesChange = useCallback(
    (changes: NodeChange<StrategyNode>[]) => {
      for (const change of changes) {
        if (change.type === "dimensions" && change.dimensions) measuredRef.current.set(change.id, change.dimensions);
      }
      if (!onSelect) return;
      const picked = changes.find((change) => change.type === "select" && change.selected);
      if (picked && "id" in picked) onSelect(picked.id);
      else if (changes.some((change) => change.type === "select" && change.id === selectedId)) onSelect(null);
    },
    [onSelect, selectedId],
  );

  // Delete goes through the editor (which bridges the edges), never through xyflow's own removal.
  const onBeforeDelete = useCallback<OnBeforeDelete<StrategyNode>>(
    async ({ nodes: doomed }) => {
      for (const node of doomed) if (REMOVABLE.has(node.type)) onRemove?.(node.id);
      return false;
    },
    [onRemove],
  );

  return (
    <ReactFlow
      ref={wrapperRef}
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      colorMode="dark"
      fitView
      fitViewOptions={FIT_VIEW_OPTIONS}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable={onSelect !== undefined}
      edgesFocusable={false}
      onNodesChange={onNodesChange}
      onBeforeDelete={onBeforeDelete}
      deleteKeyCode={removable ? DELETE_KEYS : null}
      ariaLabelConfig={removable ? EDITABLE_DESCRIPTION : READ_ONLY_DESCRIPTION}
      minZoom={0.3}
      maxZoom={1.6}
    >
      <Background gap={22} size={1} />
      <Controls showInteractive={false} position="bottom-left" />
    </ReactFlow>
  );
}
