/** The editor's bar above the flowchart: the unsaved draft with Save / Discard, and the server's verdict. */
import type { Notice } from "../edit/editorState";
import { generalProblems } from "../edit/problems";
import type { StrategyEditor } from "../edit/useStrategyEditor";

const CONFLICT_TEXT = (version: number) =>
  `Someone (another tab or the strategist) changed the strategy — your edit was not saved; review v${version}.`;

function noticeText(notice: Notice, version: number): string {
  switch (notice.kind) {
    case "saved":
      return `Saved as v${notice.version}.`;
    case "conflict":
      return CONFLICT_TEXT(version);
    case "busy":
      return "The strategist is replying — your edit was not saved. Save again when the reply has finished.";
    case "no_change":
    case "refused":
      return notice.message;
  }
}

/** A stale draft is saved as an edit of its own base (the server refuses it) until the trader chooses to save over. */
function saveLabel(editor: StrategyEditor, version: number): string {
  if (editor.canOverwrite) return `Save over v${version} as v${version + 1}`;
  if (editor.stale) return `Save my edit of v${editor.state.draftBase}`;
  return `Save as v${version + 1}`;
}

export function EditBar({ editor }: { editor: StrategyEditor }) {
  const { state, stale, problems, canSave } = editor;
  const version = state.version ?? 0;
  // A conflict answer can come before the new version does: it is at least the one after the draft's base.
  const reviewVersion = Math.max(version, (state.draftBase ?? 0) + 1);
  const notice: Notice | null = stale && state.notice?.kind !== "conflict" ? { kind: "conflict" } : state.notice;
  const general = generalProblems(problems, editor.shown?.flowchart.nodes.length ?? 0);
  if (!state.draft && !notice && !state.saving) return null;

  const tone = notice?.kind === "saved" || notice?.kind === "no_change" ? "info" : "warning";
  return (
    <div
      className={`edit-bar edit-bar--${state.draft ? "draft" : tone}`}
      data-testid="edit-bar"
      role="region"
      aria-label="Your edit"
    >
      <div className="edit-bar__text">
        {state.draft && !state.saving && (
          <strong>
            {stale
              ? `Your unsaved edit of v${state.draftBase}`
              : editor.unchanged
                ? `No change from v${state.draftBase}`
                : `Unsaved edit of v${state.draftBase}`}
          </strong>
        )}
        {state.draft && !state.saving && !stale && (
          <span className="muted small">The server checks the guardrails again when you save.</span>
        )}
        {state.saving && <strong>Saving as v{state.saving.base + 1}…</strong>}
        {notice && (
          <p className={`edit-bar__notice is-${tone}`} data-testid="edit-notice" data-kind={notice.kind} role="status">
            {noticeText(notice, reviewVersion)}
          </p>
        )}
        {general.length > 0 && (
          <ul className="field__problems" data-testid="general-problems">
            {general.map((problem) => (
              <li key={`${problem.path}:${problem.message}`}>{problem.message}</li>
            ))}
          </ul>
        )}
      </div>
      {state.draft && !state.saving && (
        <div className="edit-bar__actions">
          {stale && (
            <button
              type="button"
              className="button button--ghost button--small"
              aria-pressed={state.reviewing}
              onClick={() => editor.review(!state.reviewing)}
              data-testid="review-current"
            >
              {state.reviewing ? "Back to my edit" : `Show v${version}`}
            </button>
          )}
          <button
            type="button"
            className="button button--ghost button--small"
            onClick={editor.discard}
            data-testid="discard-edit"
          >
            Discard
          </button>
          <button
            type="button"
            className="button button--primary button--small"
            disabled={!canSave}
            onClick={() => editor.save(editor.canOverwrite)}
            data-testid="save-edit"
            title={problems.length > 0 ? "Fix the problems marked in red first." : undefined}
          >
            {saveLabel(editor, version)}
          </button>
        </div>
      )}
    </div>
  );
}

/** "edited" / "restored from vN" / "imported" beside the version number, for a version not made by a reply. */
export function VersionOrigin({ editor }: { editor: StrategyEditor }) {
  if (!editor.originLabel) return null;
  return (
    <span className="chip" data-testid="strategy-version-origin">
      {editor.originLabel}
    </span>
  );
}
