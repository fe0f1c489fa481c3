/**
 * The strategy a reply is still writing, as its `strategy_progress` frames build it.
 *
 * Kept apart from the chat reducer: a pure function of the server's frames. Progress frames are
 * incremental and numbered from 1, so the preview is their sum (a repeated or older frame is
 * ignored); a socket that joins mid-reply starts from `conversation_state.in_progress.strategy`.
 * `message_complete` ends the preview whatever it carries: the validated strategy replaces it, or,
 * when the strategy was invalid, the previous one is shown again (the chat reducer keeps it).
 */
import type { Flowchart, Strategy } from "../types/generated/strategy";
import type { ServerFrame, StrategyProgress, StrategySoFar } from "../types/generated/frames";

/** The parsed, unvalidated parts of the strategy the reply `messageId` is writing. */
export interface StrategyPreview {
  messageId: string;
  /** The last progress frame applied. */
  seq: number;
  flowchart: { nodes: StrategyProgress["nodes"]; edges: Flowchart["edges"] };
  /** Null until the section is complete. */
  degenClass: Strategy["degen_class"] | null;
  strategyMetrics: Strategy["strategy_metrics"] | null;
}

export type PreviewState = StrategyPreview | null;

/** Apply one server frame to the preview. */
export function previewReducer(state: PreviewState, frame: ServerFrame): PreviewState {
  switch (frame.type) {
    case "strategy_progress":
      return withProgress(state, frame);
    case "conversation_state": {
      const inProgress = frame.in_progress;
      return inProgress && inProgress.strategy.seq > 0 ? fromSoFar(inProgress.message_id, inProgress.strategy) : null;
    }
    case "message_start":
      return state?.messageId === frame.message_id ? state : null;
    case "message_complete":
      return state?.messageId === frame.message_id ? null : state;
    default:
      return state;
  }
}

function fromSoFar(messageId: string, soFar: StrategySoFar): StrategyPreview {
  return {
    messageId,
    seq: soFar.seq,
    flowchart: { nodes: soFar.nodes, edges: soFar.edges },
    degenClass: soFar.degen_class,
    strategyMetrics: soFar.strategy_metrics,
  };
}

function withProgress(state: PreviewState, frame: StrategyProgress): PreviewState {
  const current = state?.messageId === frame.message_id ? state : null;
  if (current && frame.seq <= current.seq) return current;
  return {
    messageId: frame.message_id,
    seq: frame.seq,
    flowchart: {
      nodes: [...(current?.flowchart.nodes ?? []), ...frame.nodes],
      edges: [...(current?.flowchart.edges ?? []), ...frame.edges],
    },
    degenClass: frame.degen_class ?? current?.degenClass ?? null,
    strategyMetrics: frame.strategy_metrics ?? current?.strategyMetrics ?? null,
  };
}
