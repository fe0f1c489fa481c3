/**
 * Nodes that glide to a new layout instead of jumping to it.
 *
 * The positions are interpolated frame by frame (not a CSS transition on the nodes), so the edges,
 * which xyflow draws from the node positions, move with them. A node that was not drawn before
 * appears at its place at once, and so does everything for a trader who prefers reduced motion.
 */
import type { XYPosition } from "@xyflow/react";
import { useLayoutEffect, useRef, useState } from "react";

import { positionsOf } from "./livePlacement";
import type { StrategyNode } from "./types";

/** The nodes as drawn `progress` (0 to 1) of the way from the positions `from` to their own. */
export function glideFrame<N extends StrategyNode>(
  nodes: N[],
  from: ReadonlyMap<string, XYPosition>,
  progress: number,
): N[] {
  const eased = 1 - (1 - progress) ** 3;
  return nodes.map((node) => {
    const start = from.get(node.id);
    if (!start || progress >= 1) return node;
    const { x, y } = node.position;
    return { ...node, position: { x: start.x + (x - start.x) * eased, y: start.y + (y - start.y) * eased } };
  });
}

export function useGlidingNodes<N extends StrategyNode>(target: N[], durationMs: number): N[] {
  const [shown, setShown] = useState(target);
  const shownRef = useRef(shown);

  // Before paint, so a node that arrives is never drawn a frame late.
  useLayoutEffect(() => {
    const from = positionsOf(shownRef.current);
    const show = (nodes: N[]) => {
      shownRef.current = nodes;
      setShown(nodes);
    };
    const moves = target.some((node) => {
      const start = from.get(node.id);
      return start !== undefined && (start.x !== node.position.x || start.y !== node.position.y);
    });
    if (!moves || durationMs <= 0) {
      show(target);
      return;
    }
    show(glideFrame(target, from, 0));
    const begin = performance.now();
    let frame = requestAnimationFrame(function step(now: number) {
      const progress = Math.min(1, (now - begin) / durationMs);
      show(glideFrame(target, from, progress));
      if (progress < 1) frame = requestAnimationFrame(step);
    });
    return () => cancelAnimationFrame(frame);
  }, [target, durationMs]);

  return shown;
}
