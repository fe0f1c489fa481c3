/**
 * Placing a flowchart that arrives node by node, so nothing already drawn moves.
 *
 * While a reply writes its strategy, the nodes come in the order the model writes them (and the
 * edges only after them), so each new node goes under the one before it, and an exit that follows
 * an exit goes beside it (alternatives, as `branches.ts` draws them). When the validated strategy
 * replaces the preview it is laid out properly, shifted so its first node stays where it was drawn.
 */
import { Position, type XYPosition } from "@xyflow/react";

import { isExit } from "./branches";
import { estimateNodeHeight, NODE_SEP, NODE_WIDTH, RANK_SEP } from "./layout";
import type { StrategyNode } from "./types";

/** The nodes with the positions already drawn kept and each new one placed after its predecessor. */
export function placeArrivals<N extends StrategyNode>(nodes: N[], drawn: ReadonlyMap<string, XYPosition>): N[] {
  let bottom = -RANK_SEP;
  let previous: { x: number; y: number; exit: boolean } | null = null;
  let row: { left: number; right: number } | null = null;
  return nodes.map((node) => {
    const exit = isExit(node.type);
    let position = drawn.get(node.id);
    if (!position) {
      if (exit && previous?.exit) {
        position = { x: previous.x + NODE_WIDTH + NODE_SEP, y: previous.y };
      } else {
        // Under the predecessor, or under the middle of the row of exits it ends.
        const x = row ? (row.left + row.right - NODE_WIDTH) / 2 : (previous?.x ?? 0);
        position = { x, y: bottom + RANK_SEP };
      }
    }
    row = exit
      ? {
          left: Math.min(row?.left ?? Infinity, position.x),
          right: Math.max(row?.right ?? -Infinity, position.x + NODE_WIDTH),
        }
      : null;
    bottom = Math.max(bottom, position.y + estimateNodeHeight(node));
    previous = { ...position, exit };
    return { ...node, position, targetPosition: Position.Top, sourcePosition: Position.Bottom };
  });
}

/** The nodes shifted together so the first of them already drawn keeps its drawn position. */
export function alignWith<N extends StrategyNode>(nodes: N[], drawn: ReadonlyMap<string, XYPosition>): N[] {
  const anchor = nodes.find((node) => drawn.has(node.id));
  if (!anchor) return nodes;
  const target = drawn.get(anchor.id)!;
  const dx = target.x - anchor.position.x;
  const dy = target.y - anchor.position.y;
  if (dx === 0 && dy === 0) return nodes;
  return nodes.map((node) => ({ ...node, position: { x: node.position.x + dx, y: node.position.y + dy } }));
}

/** Each node's position by id. */
export function positionsOf(nodes: StrategyNode[]): Map<string, XYPosition> {
  return new Map(nodes.map((node) => [node.id, node.position]));
}
