/**
 * The builder editor's state machine: the trader's draft of the next version, what was sent, and the
 * server's verdict on it. Pure, so every path (saved, refused, conflict, busy, no change) is tested
 * without a socket.
 *
 * An edit is applied on an explicit "Save as vN+1", never per keystroke: the draft is the whole edited
 * strategy, made from version `draftBase`. A draft whose base is no longer current is stale (someone
 * else saved first) and is kept, so the trader can review the new version and save over it or discard.
 */
import type { ErrorFrame, StrategyProblem, StrategyUpdated } from "../types/generated/frames";
import type { Strategy } from "../types/generated/strategy";
import { nodeTarget, withoutProblemsUnder } from "./problems";

/** The error codes only an edit gets (chat/edits.py). */
const EDIT_ERROR_CODES = new Set(["invalid_strategy", "version_conflict", "no_change"]);
/**
 * The codes an edit shares with other requests (chat/edits.py, chat/frames.py, chat/consumers.py): the
 * editor's only while it awaits an answer, so a backtest's refusal stays the backtest's.
 */
const SHARED_EDIT_ERROR_CODES = new Set([
  "reply_in_progress",
  "no_strategy",
  "rate_limited",
  "frame_too_large",
  "invalid_frame",
  "server_error",
]);

export type Notice =
  | { kind: "saved"; version: number }
  | { kind: "conflict" }
  | { kind: "busy" }
  | { kind: "no_change"; message: string }
  | { kind: "refused"; message: string };

export interface VersionOrigin {
  version: number;
  source: StrategyUpdated["source"];
  restoredFrom: number | null;
}

export interface SentEdit {
  strategy: Strategy;
  base: number;
}

export interface EditorState {
  /** The current version on the server, as the socket last told. */
  version: number | null;
  draft: Strategy | null;
  draftBase: number | null;
  /** The edit sent and not answered yet. */
  saving: SentEdit | null;
  /** The last edit sent, kept until its verdict is known for sure (a conflict may follow a new version). */
  sent: SentEdit | null;
  selectedId: string | null;
  /** The server's problems with the draft, by JSON path. */
  problems: StrategyProblem[];
  notice: Notice | null;
  /** How the newest version not made by a reply came about, for its label. */
  origin: VersionOrigin | null;
  /** A stale draft is set aside for a moment to look at the version that replaced its base. */
  reviewing: boolean;
}

export type EditorEvent =
  | { kind: "current"; version: number | null }
  | { kind: "updated"; frame: StrategyUpdated }
  | { kind: "select"; id: string | null }
  | { kind: "change"; strategy: Strategy; touched: string | null }
  | { kind: "discard" }
  | { kind: "review"; on: boolean }
  /** `overwrite`: the trader chose "Save over vN" after the server's version_conflict. */
  | { kind: "sent"; overwrite: boolean }
  | { kind: "interrupted" }
  | { kind: "error"; frame: ErrorFrame };

export const INITIAL_EDITOR_STATE: EditorState = {
  version: null,
  draft: null,
  draftBase: null,
  saving: null,
  sent: null,
  selectedId: null,
  problems: [],
  notice: null,
  origin: null,
  reviewing: false,
};

/** Whether an error frame answers the trader's edit (and so is the editor's to show, not the chat's). */
export function isEditError(frame: ErrorFrame, awaitingEdit: boolean): boolean {
  return EDIT_ERROR_CODES.has(frame.code) || (awaitingEdit && SHARED_EDIT_ERROR_CODES.has(frame.code));
}

/** Whether the server refused the stale draft as overtaken, so the trader may choose to save it over. */
export function canOverwrite(state: EditorState): boolean {
  return state.notice?.kind === "conflict" && isStale(state);
}

/**
 * The `base_version` a save sends: the draft's own base, so the server refuses a stale draft
 * (`version_conflict`); the current version only for a deliberate "Save over vN" after that refusal.
 */
export function saveBase(state: EditorState, overwrite: boolean): number | null {
  return overwrite && canOverwrite(state) ? state.version : state.draftBase;
}

/** Whether the draft was made from a version that is no longer current. */
export function isStale(state: EditorState): boolean {
  return state.draft !== null && state.draftBase !== state.version;
}

/** Apply one event to the editor state. */
export function editorReducer(state: EditorState, event: EditorEvent): EditorState {
  switch (event.kind) {
    case "current":
      return applyCurrent(state, event.version);
    case "updated":
      return {
        ...state,
        origin: {
          version: event.frame.strategy_version,
          source: event.frame.source,
          restoredFrom: event.frame.restored_from,
        },
      };
    case "select":
      return { ...state, selectedId: event.id };
    case "change":
      return {
        ...state,
        draft: event.strategy,
        draftBase: state.draft ? state.draftBase : state.version,
        problems: event.touched === null ? [] : withoutProblemsUnder(state.problems, event.touched),
        notice: state.notice?.kind === "conflict" ? state.notice : null,
      };
    case "discard":
      return { ...state, draft: null, draftBase: null, problems: [], notice: null, reviewing: false };
    case "review":
      return { ...state, reviewing: event.on && isStale(state) };
    case "sent": {
      const base = saveBase(state, event.overwrite);
      if (!state.draft || base === null) return state;
      return {
        ...state,
        saving: { strategy: state.draft, base },
        problems: [],
        notice: null,
        reviewing: false,
      };
    }
    case "interrupted":
      return state.saving
        ? restoreDraft(state, {
            kind: "refused",
            message: "The connection dropped before the server answered. Check the latest version, then save again.",
          })
        : state;
    case "error":
      return applyError(state, event.frame);
  }
}

function applyCurrent(state: EditorState, version: number | null): EditorState {
  if (version === state.version) return state;
  if (!state.saving || version === state.saving.base) {
    // "Saved as v4" or "No change from v4" speaks of a version that is no longer the one shown.
    const outdated = state.notice?.kind === "saved" || state.notice?.kind === "no_change";
    return { ...state, version, notice: outdated ? null : state.notice };
  }
  // A new version while our edit is out: taken as ours; a `version_conflict` that follows brings the draft back.
  const ours = state.origin?.version === version && state.origin.source === "edit";
  return {
    ...state,
    version,
    draft: null,
    draftBase: null,
    sent: state.saving,
    saving: null,
    notice: ours && version !== null ? { kind: "saved", version } : null,
  };
}

function applyError(state: EditorState, frame: ErrorFrame): EditorState {
  switch (frame.code) {
    case "no_change":
      return {
        ...state,
        draft: null,
        draftBase: null,
        saving: null,
        sent: null,
        notice: { kind: "no_change", message: frame.message },
      };
    case "version_conflict":
      return restoreDraft(state, { kind: "conflict" });
    case "reply_in_progress":
      return restoreDraft(state, { kind: "busy" });
    case "invalid_strategy": {
      const restored = restoreDraft(state, { kind: "refused", message: frame.message });
      return {
        ...restored,
        problems: frame.problems ?? [],
        selectedId: restored.selectedId ?? firstProblemNode(restored, frame.problems ?? []),
      };
    }
    default:
      return restoreDraft(state, { kind: "refused", message: frame.message });
  }
}

/** Bring back the edit that was sent as the draft (it was not saved), with a notice saying why. */
function restoreDraft(state: EditorState, notice: Notice): EditorState {
  const edit = state.saving ?? state.sent;
  return {
    ...state,
    draft: edit?.strategy ?? state.draft,
    draftBase: edit?.base ?? state.draftBase,
    saving: null,
    sent: null,
    notice,
  };
}

function firstProblemNode(state: EditorState, problems: StrategyProblem[]): string | null {
  for (const problem of problems) {
    const target = nodeTarget(problem.path);
    const node = target && state.draft?.flowchart.nodes[target.index];
    if (node) return node.id;
  }
  return null;
}
