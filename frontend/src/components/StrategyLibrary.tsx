/** The sidebar's strategy tools: one conversation's row (rename, archive), import, and a version's export/duplicate. */
import { useId, useRef, useState, type FormEvent } from "react";

import { exportPath, type ConversationSummary } from "../api";
import { builderPath } from "../bootstrap";
import { formatWhen } from "../format";
import type { LibraryState } from "../hooks/useLibrary";
import { cleanName, MAX_NAME_CHARS, nameProblem } from "../library";

interface ConversationItemProps {
  conversation: ConversationSummary;
  active: boolean;
  library: LibraryState;
}

/** A conversation in "My strategies": its link, and renaming (inline) and archiving it. */
export function ConversationItem({ conversation, active, library }: ConversationItemProps) {
  const [draft, setDraft] = useState<string | null>(null);
  const inputId = useId();
  const title = conversation.title || "Untitled strategy";
  const archived = conversation.archived_at !== null;
  const busy = library.busy !== null;
  const problem = draft === null ? null : nameProblem(draft);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (draft === null || problem) return;
    if (await library.rename(conversation.id, cleanName(draft))) setDraft(null);
  }

  if (draft !== null) {
    return (
      <form className="nav-rename" onSubmit={(event) => void save(event)} data-testid="rename-form">
        <label className="visually-hidden" htmlFor={inputId}>
          New name for {title}
        </label>
        <input
          id={inputId}
          className="nav-rename__input"
          value={draft}
          maxLength={MAX_NAME_CHARS + 20}
          autoFocus
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={(event) => event.key === "Escape" && setDraft(null)}
          aria-invalid={problem ? true : undefined}
          data-testid="rename-input"
        />
        {problem && <p className="inline-error small">{problem}</p>}
        <div className="nav-rename__buttons">
          <button type="submit" className="button button--primary button--small" disabled={busy || problem !== null}>
            Save
          </button>
          <button type="button" className="button button--ghost button--small" onClick={() => setDraft(null)}>
            Cancel
          </button>
        </div>
      </form>
    );
  }

  return (
    <div className={`nav-row${archived ? " is-archived" : ""}`}>
      <a
        className={`nav-item${active ? " is-active" : ""}`}
        href={builderPath(conversation.id)}
        aria-current={active ? "page" : undefined}
        data-testid="conversation-item"
        data-id={conversation.id}
      >
        <span className="nav-item__title">{title}</span>
        <span className="nav-item__meta">
          {archived && <span className="chip">Archived</span>} {formatWhen(conversation.updated_at)}
        </span>
      </a>
      <div className="nav-row__tools">
        <button
          type="button"
          className="button button--ghost button--small"
          onClick={() => setDraft(title)}
          disabled={busy}
          aria-label={`Rename ${title}`}
          data-testid="rename-button"
        >
          Rename
        </button>
        <button
          type="button"
          className="button button--ghost button--small"
          onClick={() => void library.archive(conversation.id, !archived)}
          disabled={busy}
          aria-label={`${archived ? "Unarchive" : "Archive"} ${title}`}
          data-testid="archive-button"
        >
          {archived ? "Unarchive" : "Archive"}
        </button>
      </div>
    </div>
  );
}

/** "Import strategy": a button that opens a file picker; the new conversation opens on success. */
export function ImportStrategy({ library }: { library: LibraryState }) {
  const input = useRef<HTMLInputElement>(null);

  return (
    <>
      <button
        type="button"
        className="button button--ghost sidebar__new"
        onClick={() => input.current?.click()}
        disabled={library.busy !== null}
        data-testid="import-button"
      >
        {library.busy === "import" ? "Importing…" : "Import strategy"}
      </button>
      <input
        ref={input}
        type="file"
        accept="application/json,.json"
        hidden
        aria-label="Strategy file to import"
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = ""; // the same file may be picked again once fixed
          if (file) void library.importFile(file);
        }}
        data-testid="import-input"
      />
    </>
  );
}

/** What the last sidebar action was refused for: the sentence, then each problem by its JSON path. */
export function LibraryError({ library }: { library: LibraryState }) {
  if (!library.error) return null;
  return (
    <div className="inline-error" role="alert" data-testid="library-error">
      <p>{library.error}</p>
      {library.problems.length > 0 && (
        <ul className="problem-list">
          {library.problems.map((problem) => (
            <li key={`${problem.path}:${problem.message}`}>
              <code>{problem.path}</code> {problem.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface VersionPortingProps {
  conversationId: string;
  number: number;
  library: LibraryState;
}

/** A version's Export (download) and "Duplicate as new strategy". */
export function VersionPorting({ conversationId, number, library }: VersionPortingProps) {
  return (
    <div className="version__tools">
      <a
        className="button button--ghost button--small"
        href={exportPath(conversationId, number)}
        download
        aria-label={`Export version ${number}`}
        data-testid="export-link"
      >
        Export
      </a>
      <button
        type="button"
        className="button button--ghost button--small"
        onClick={() => void library.duplicate(conversationId, number)}
        disabled={library.busy !== null}
        aria-label={`Duplicate version ${number} as new strategy`}
        data-testid="duplicate-button"
      >
        {library.busy === `duplicate:${number}` ? "Duplicating…" : "Duplicate as new strategy"}
      </button>
    </div>
  );
}
