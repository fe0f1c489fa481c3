/**
 * The builder editor as a hook: the editor state machine wired to the chat socket. It follows the
 * current version, claims the error frames that answer its edits (they show beside the fields, not in
 * the chat) and sends a saved draft as `edit_strategy`.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef } from "react";

import type { FrameListener } from "../hooks/useWebSocketChat";
import type { StrategyProblem } from "../types/generated/frames";
import type { Strategy } from "../types/generated/strategy";
import { versionOrigin } from "../versionCompare";
import { draftProblems } from "./checks";
import { withDefaults } from "./defaults";
import {
  canOverwrite,
  editorReducer,
  INITIAL_EDITOR_STATE,
  isEditError,
  isStale,
  saveBase,
  type EditorState,
} from "./editorState";

export interface StrategyEditor {
  state: EditorState;
  /** What the builder draws: the draft when there is one, else the current strategy (with the schema's defaults). */
  shown: Strategy | null;
  /** Why the strategy cannot be edited now, or null when it can. */
  lockedReason: string | null;
  stale: boolean;
  /** The draft equals the version it was made from. */
  unchanged: boolean;
  /** How the current version came about ("edited", "restored from v2"), or null for a reply's. */
  originLabel: string | null;
  /** The draft's own problems (the schema's bounds) and then the server's. */
  problems: StrategyProblem[];
  canSave: boolean;
  /** The server refused the draft as overtaken: "Save over vN" may now save it over the current version. */
  canOverwrite: boolean;
  change: (strategy: Strategy, touched: string | null) => void;
  select: (id: string | null) => void;
  discard: () => void;
  /** Show the current version instead of a stale draft (true), or the draft again (false). */
  review: (on: boolean) => void;
  /** Send the draft as an edit of its own base, or (`overwrite`, after a conflict) of the current version. */
  save: (overwrite?: boolean) => void;
}

interface EditorInputs {
  strategy: Strategy | null;
  version: number | null;
  connected: boolean;
  replying: boolean;
  sendEdit: (baseVersion: number, strategy: Strategy) => boolean;
  subscribe: (listener: FrameListener) => () => void;
  /** The current version's source as the version list has it (after a reload no frame has said). */
  listedOrigin: { source: string; restoredFrom: number | null } | null;
}

export function useStrategyEditor({
  strategy,
  version,
  connected,
  replying,
  sendEdit,
  subscribe,
  listedOrigin,
}: EditorInputs): StrategyEditor {
  const [state, dispatch] = useReducer(editorReducer, INITIAL_EDITOR_STATE);
  // Set as the edit goes out, before React renders: the answer may be the very next frame.
  const awaitingRef = useRef(false);

  useEffect(() => {
    awaitingRef.current = awaitingRef.current && state.saving !== null;
  }, [state.saving]);

  useEffect(() => dispatch({ kind: "current", version }), [version]);

  useEffect(() => {
    if (!connected && awaitingRef.current) {
      awaitingRef.current = false;
      dispatch({ kind: "interrupted" });
    }
  }, [connected]);

  useEffect(
    () =>
      subscribe((frame) => {
        if (frame.type === "strategy_updated") dispatch({ kind: "updated", frame });
        if (frame.type !== "error" || !isEditError(frame, awaitingRef.current)) return false;
        awaitingRef.current = false;
        dispatch({ kind: "error", frame });
        return true;
      }),
    [subscribe],
  );

  const current = useMemo(() => (strategy ? withDefaults(strategy) : null), [strategy]);
  const shown = state.reviewing ? current : (state.draft ?? current);
  const lockedReason = state.reviewing
    ? `Showing v${state.version}: go back to your edit to change it.`
    : replying
      ? "The strategist is replying: editing is paused until the reply is finished."
      : !connected
        ? "Not connected: editing resumes when the connection is back."
        : state.saving
          ? "Saving…"
          : null;
  const origin = state.origin?.version === state.version ? state.origin : listedOrigin;
  const originLabel = origin ? versionOrigin(origin.source, origin.restoredFrom) : null;
  const localProblems = useMemo(() => (state.draft ? draftProblems(state.draft) : []), [state.draft]);
  const problems = useMemo(() => [...localProblems, ...state.problems], [localProblems, state.problems]);
  const stale = isStale(state);
  // Changed and changed back: nothing to save (the server would answer `no_change`).
  const unchanged = useMemo(
    () => state.draft !== null && !stale && JSON.stringify(state.draft) === JSON.stringify(current),
    [state.draft, stale, current],
  );
  const canSave =
    state.draft !== null && !unchanged && lockedReason === null && localProblems.length === 0 && state.version !== null;

  const save = useCallback(
    (overwrite = false) => {
      const base = saveBase(state, overwrite);
      if (!canSave || !state.draft || base === null) return;
      if (!sendEdit(base, state.draft)) return;
      awaitingRef.current = true;
      dispatch({ kind: "sent", overwrite });
    },
    [canSave, sendEdit, state],
  );

  const change = useCallback(
    (next: Strategy, touched: string | null) => dispatch({ kind: "change", strategy: next, touched }),
    [],
  );
  const select = useCallback((id: string | null) => dispatch({ kind: "select", id }), []);
  const discard = useCallback(() => dispatch({ kind: "discard" }), []);
  const review = useCallback((on: boolean) => dispatch({ kind: "review", on }), []);

  return {
    state,
    shown,
    lockedReason,
    stale,
    unchanged,
    originLabel,
    problems,
    canSave,
    canOverwrite: canOverwrite(state),
    change,
    select,
    discard,
    review,
    save,
  };
}
