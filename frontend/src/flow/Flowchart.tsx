/**
 * The strategy flowchart: the layouted graph in a pannable, zoomable canvas. A step is selected by a
 * click, or by Tab and Enter; Delete removes the selected step when it is one a trader may remove.
 * A live flowchart (a reply still writing it) shows its nodes as they arrive, and cannot be selected.
 */
import {
  Background,
  Controls,
  ReactFlow,
  ReactFlowProvider,
  type NodeChange,
  type OnBeforeDelete,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useCallback, useMemo, useRef } from "react";

import { OPTIONAL_STEPS } from "../edit/operations";
import { nodeTypes } from "./nodeTypes";
import type { LooseFlowchart } from "./toGraph";
import type { StrategyNode } from "./types";
import { FIT_MAX_ZOOM, FIT_PADDING, MIN_ZOOM, moveMs, useFollowingView } from "./useFollowingView";
import { useGlidingNodes } from "./useGlidingNodes";
import { useLayoutedGraph } from "./useLayoutedGraph";

const FIT_VIEW_OPTIONS = { padding: FIT_PADDING, maxZoom: FIT_MAX_ZOOM };
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
  flowchart: LooseFlowchart | null | undefined;
  /** A reply is still writing it: drawn nodes stay put and new ones are placed after them. */
  live?: boolean;
  selectedId?: string | null;
  /** Ids of the steps with a problem, drawn in red so the trader can find them. */
  problemIds?: Set<string>;
  onSelect?: (id: string | null) => void;
  /** Null or absent: steps cannot be removed now. */
  onRemove?: ((id: string) => void) | null;
}

export function Flowchart(props: FlowchartProps) {
  const live = props.live ?? false;
  return (
    <div className={live ? "flowchart flowchart--live" : "flowchart"} data-testid="flowchart" data-live={live}>
      <ReactFlowProvider>
        <FlowCanvas {...props} />
      </ReactFlowProvider>
    </div>
  );
}

function FlowCanvas({ flowchart, live = false, selectedId = null, problemIds, onSelect, onRemove }: FlowchartProps) {
  const { nodes: laidOut, edges } = useLayoutedGraph(flowchart, live);
  const glided = useGlidingNodes(laidOut, moveMs());
  const wrapperRef = useRef<HTMLDivElement>(null);
  useFollowingView(wrapperRef, laidOut);
  // xyflow keeps a node's measured size on the node object it is given: new objects (a selection, a
  // problem marked) carry the last size, or the node is hidden until measured again.
  const measuredRef = useRef(new Map<string, { width: number; height: number }>());
  const removable = onRemove != null;

  const nodes = useMemo(
    () =>
      glided.map((node) => ({
        ...node,
        measured: measuredRef.current.get(node.id),
        selected: node.id === selectedId,
        deletable: removable && REMOVABLE.has(node.type),
        ariaLabel: node.data.label,
        className: problemIds?.has(node.id) ? "has-problem" : undefined,
      })),
    [glided, selectedId, problemIds, removable],
  );

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
      minZoom={MIN_ZOOM}
      maxZoom={1.6}
    >
      <Background gap={22} size={1} />
      <Controls showInteractive={false} position="bottom-left" />
    </ReactFlow>
  );
}
