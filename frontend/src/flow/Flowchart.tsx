/** The read-only strategy flowchart: the layouted graph in a pannable, zoomable canvas. */
import { Background, Controls, ReactFlow, ReactFlowProvider, useReactFlow } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useEffect, useRef } from "react";

import type { Flowchart } from "../types/generated/strategy";
import { nodeTypes } from "./nodeTypes";
import type { StrategyNode } from "./types";
import { useLayoutedGraph } from "./useLayoutedGraph";

const FIT_VIEW_OPTIONS = { padding: 0.12, maxZoom: 1.1 };

export function Flowchart({ flowchart }: { flowchart: Flowchart | null | undefined }) {
  return (
    <div className="flowchart" data-testid="flowchart">
      <ReactFlowProvider>
        <FlowCanvas flowchart={flowchart} />
      </ReactFlowProvider>
    </div>
  );
}

function FlowCanvas({ flowchart }: { flowchart: Flowchart | null | undefined }) {
  const { nodes, edges } = useLayoutedGraph(flowchart);
  const { fitView } = useReactFlow<StrategyNode>();
  const wrapperRef = useRef<HTMLDivElement>(null);

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
  }, [nodes, fitView]);

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
      elementsSelectable={false}
      minZoom={0.3}
      maxZoom={1.6}
    >
      <Background gap={22} size={1} />
      <Controls showInteractive={false} position="bottom-left" />
    </ReactFlow>
  );
}
