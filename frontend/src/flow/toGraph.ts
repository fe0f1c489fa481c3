/**
 * Strategy JSON → xyflow graph, as a pure function.
 *
 * The JSON comes from an LLM (validated by the server, but the UI stays defensive):
 * nodes without an id or with a repeated id are skipped, and an edge reaches the
 * graph only when both of its ends are nodes of the graph.
 */
import { MarkerType, type Edge } from "@xyflow/react";

import type { Flowchart } from "../types/generated/strategy";
import { conditionText } from "./conditionText";
import type { StrategyGraph, StrategyNode } from "./types";

/** A node as read here: the server's `Flowchart` nodes, or anything loosely like them. */
interface LooseNode {
  id?: unknown;
  type?: unknown;
  label?: unknown;
  meta?: unknown;
}

/** What `toGraph` accepts: the server's `Flowchart`, and (defensively) any loosely similar shape. */
export type LooseFlowchart = Flowchart | { nodes?: (LooseNode | null)[]; edges?: unknown[] };

const ORIGIN = { x: 0, y: 0 };

/** Map a strategy's `flowchart` to typed nodes (unpositioned) and valid edges. */
export function toGraph(flowchart: LooseFlowchart | null | undefined): StrategyGraph {
  const nodes: StrategyNode[] = [];
  const ids = new Set<string>();
  for (const raw of flowchart?.nodes ?? []) {
    const id = raw?.id;
    if (!raw || typeof id !== "string" || id === "" || ids.has(id)) continue;
    ids.add(id);
    nodes.push(toNode(raw, id));
  }

  const edges: Edge[] = [];
  const edgeIds = new Set<string>();
  for (const raw of flowchart?.edges ?? []) {
    const ends = edgeEnds(raw);
    if (!ends) continue;
    const [source, target] = ends;
    const id = `${source}->${target}`;
    if (!ids.has(source) || !ids.has(target) || edgeIds.has(id)) continue;
    edgeIds.add(id);
    edges.push({ id, source, target, markerEnd: { type: MarkerType.ArrowClosed } });
  }
  return { nodes, edges };
}

/** The label without the seed's trailing "Label: " punctuation. */
export function cleanLabel(label: unknown, fallback: string): string {
  const text = typeof label === "string" ? label.trim().replace(/:$/, "").trim() : "";
  return text || fallback;
}

function toNode(raw: LooseNode, id: string): StrategyNode {
  const meta: Record<string, unknown> = raw.meta && typeof raw.meta === "object" ? { ...raw.meta } : {};
  const base = { id, position: ORIGIN };
  switch (raw.type) {
    case "start":
      return { ...base, type: "start", data: { label: cleanLabel(raw.label, "Start") } };
    case "end":
      return { ...base, type: "end", data: { label: cleanLabel(raw.label, "End") } };
    case "category":
      return {
        ...base,
        type: "category",
        data: { label: cleanLabel(raw.label, "Crypto category"), category: asText(meta.category) },
      };
    case "entry_condition":
      return {
        ...base,
        type: "entry_condition",
        data: {
          label: cleanLabel(raw.label, "Entry condition"),
          mode: asText(meta.mode),
          rules: textList(meta.rules),
          conditions: Array.isArray(meta.conditions)
            ? meta.conditions.map(conditionText).filter((text): text is string => text !== null)
            : [],
        },
      };
    case "take_profit":
      return {
        ...base,
        type: "take_profit",
        data: { label: cleanLabel(raw.label, "Profit target"), targetPct: asNumber(meta.target_pct) },
      };
    case "stop_loss":
      return {
        ...base,
        type: "stop_loss",
        data: {
          label: cleanLabel(raw.label, "Stop loss"),
          stopPct: asNumber(meta.stop_pct),
          added: meta.added === true,
        },
      };
    case "exit_condition":
      return {
        ...base,
        type: "exit_condition",
        data: { label: cleanLabel(raw.label, "Exit condition"), rules: textList(meta.rules) },
      };
    case "position_size":
      return {
        ...base,
        type: "position_size",
        data: { label: cleanLabel(raw.label, "Position size"), allocationPct: asNumber(meta.allocation_pct) },
      };
    default:
      return {
        ...base,
        type: "step",
        data: { label: cleanLabel(raw.label, String(raw.type ?? "Step")), kind: String(raw.type ?? ""), details: scalarDetails(meta) },
      };
  }
}

function edgeEnds(raw: unknown): [string, string] | null {
  let ends: unknown[] = [];
  if (Array.isArray(raw)) ends = raw;
  else if (raw && typeof raw === "object") {
    const edge = raw as Record<string, unknown>;
    ends = "source" in edge ? [edge.source, edge.target] : "from" in edge ? [edge.from, edge.to] : [];
  }
  const [source, target] = ends;
  return typeof source === "string" && typeof target === "string" ? [source, target] : null;
}

function asText(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

function textList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function asNumber(value: unknown): number | null {
  const number = typeof value === "string" ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) ? number : null;
}

function scalarDetails(meta: Record<string, unknown>): [string, string][] {
  return Object.entries(meta)
    .filter(([, value]) => ["string", "number", "boolean"].includes(typeof value))
    .map(([key, value]) => [key.replace(/_/g, " "), String(value)]);
}
