/**
 * Keeps the whole flowchart in view: smoothly when the graph grows or is laid out again, at once when
 * the canvas is resized, and without motion for a trader who prefers reduced motion.
 *
 * The view is fitted to where the nodes are going (their laid-out positions, the newest with an
 * estimated height until measured), not to where a gliding node happens to be on this frame.
 */
import { getViewportForBounds, useReactFlow, type Rect } from "@xyflow/react";
import { useEffect, type RefObject } from "react";

import { estimateNodeHeight, NODE_WIDTH } from "./layout";
import type { StrategyNode } from "./types";

export const FIT_PADDING = 0.12;
export const FIT_MAX_ZOOM = 1.1;
export const MIN_ZOOM = 0.3;
/** How long nodes and the view take to follow a graph that grew or was laid out again. */
const MOVE_MS = 400;

/** How long a move takes: none for a trader who prefers reduced motion. */
export function moveMs(): number {
  return window.matchMedia("(prefers-reduced-motion: reduce)").matches ? 0 : MOVE_MS;
}

function boundsOf(nodes: StrategyNode[], measuredHeight: (id: string) => number | undefined): Rect {
  const boxes = nodes.map((node) => ({
    ...node.position,
    height: measuredHeight(node.id) ?? estimateNodeHeight(node),
  }));
  const left = Math.min(...boxes.map((box) => box.x));
  const top = Math.min(...boxes.map((box) => box.y));
  const right = Math.max(...boxes.map((box) => box.x + NODE_WIDTH));
  const bottom = Math.max(...boxes.map((box) => box.y + box.height));
  return { x: left, y: top, width: right - left, height: bottom - top };
}

export function useFollowingView(canvasRef: RefObject<HTMLDivElement | null>, laidOut: StrategyNode[]): void {
  const { setViewport, getInternalNode } = useReactFlow<StrategyNode>();

  useEffect(() => {
    const fit = (duration: number) => {
      const canvas = canvasRef.current;
      if (!canvas || laidOut.length === 0) return;
      const bounds = boundsOf(laidOut, (id) => getInternalNode(id)?.measured.height);
      const { clientWidth, clientHeight } = canvas;
      void setViewport(getViewportForBounds(bounds, clientWidth, clientHeight, MIN_ZOOM, FIT_MAX_ZOOM, FIT_PADDING), {
        duration,
      });
    };
    let frame = requestAnimationFrame(() => fit(moveMs()));
    let size: string | null = null;
    const observer = new ResizeObserver(([entry]) => {
      const before = size;
      size = `${entry?.contentRect.width}x${entry?.contentRect.height}`;
      // The first call only reports the size the canvas already has: the graph is being fitted above.
      if (before === null || before === size) return;
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => fit(0));
    });
    if (canvasRef.current) observer.observe(canvasRef.current);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
    };
  }, [canvasRef, laidOut, setViewport, getInternalNode]);
}
