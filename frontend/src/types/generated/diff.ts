/* Generated from diff.schema.json by `npm run types`: do not edit. */

/**
 * Everything that differs from the old strategy to the new one; `lines` says it in words (empty: no change).
 */
export interface StrategyDiff {
  nodes_added: NodeRef[];
  nodes_removed: NodeRef[];
  nodes_changed: NodeChange[];
  edges_added: [string, string][];
  edges_removed: [string, string][];
  fields: ValueChange[];
  lines: string[];
}
/**
 * A flowchart step named by id, type and label.
 */
export interface NodeRef {
  id: string;
  type: string;
  label: string;
}
/**
 * A step present in both strategies whose parameters differ.
 */
export interface NodeChange {
  id: string;
  type: string;
  label: string;
  changes: ValueChange[];
}
/**
 * One value that differs: where (a dotted path) and what it was and is (None: absent).
 */
export interface ValueChange {
  path: string;
  old: unknown;
  new: unknown;
}
