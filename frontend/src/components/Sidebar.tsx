/** Navigation: the trader's conversations, a new or imported strategy, and this strategy's versions. */
import type { ConversationSummary, VersionSummary } from "../api";
import { builderPath } from "../bootstrap";
import { formatWhen } from "../format";
import type { LibraryState } from "../hooks/useLibrary";
import { ConversationItem, ImportStrategy, LibraryError, VersionPorting } from "./StrategyLibrary";

interface SidebarProps {
  conversationId: string | null;
  conversations: ConversationSummary[];
  conversationsError: string | null;
  versions: VersionSummary[];
  versionsError: string | null;
  restoring: number | null;
  restoreDisabled: boolean;
  onRestore: (number: number) => void;
  library: LibraryState;
}

export function Sidebar(props: SidebarProps) {
  const { conversationId, conversations, versions, library } = props;
  return (
    <aside className="panel sidebar" aria-label="Strategies">
      <a className="button button--primary sidebar__new" href={builderPath(null)} data-testid="new-strategy">
        + New strategy
      </a>
      <ImportStrategy library={library} />
      <LibraryError library={library} />

      <section className="sidebar__section">
        <div className="sidebar__heading">
          <h2 className="section-title">My strategies</h2>
          <label className="small muted sidebar__toggle">
            <input
              type="checkbox"
              checked={library.showArchived}
              onChange={(event) => library.setShowArchived(event.target.checked)}
              data-testid="show-archived"
            />{" "}
            Show archived
          </label>
        </div>
        {props.conversationsError && <p className="inline-error">{props.conversationsError}</p>}
        {conversations.length === 0 && !props.conversationsError ? (
          <p className="muted small">Your strategies will appear here.</p>
        ) : (
          <ul className="nav-list">
            {conversations.map((conversation) => (
              <li key={conversation.id}>
                <ConversationItem
                  conversation={conversation}
                  active={conversation.id === conversationId}
                  library={library}
                />
              </li>
            ))}
          </ul>
        )}
      </section>

      {conversationId && (
        <section className="sidebar__section">
          <h2 className="section-title">Versions</h2>
          {props.versionsError && <p className="inline-error">{props.versionsError}</p>}
          {versions.length === 0 ? (
            <p className="muted small">Each strategy the strategist builds is saved as a version.</p>
          ) : (
            <ul className="version-list">
              {versions.map((version) => (
                <li
                  key={version.number}
                  className={`version${version.current ? " is-current" : ""}`}
                  data-testid="version-item"
                  data-current={version.current ? "true" : "false"}
                  data-number={version.number}
                >
                  <div className="version__head">
                    <span className="version__number">v{version.number}</span>
                    {version.current ? (
                      <span className="chip chip--accent">Current</span>
                    ) : (
                      <button
                        type="button"
                        className="button button--ghost button--small"
                        onClick={() => props.onRestore(version.number)}
                        disabled={props.restoreDisabled || props.restoring !== null}
                        data-testid="restore-button"
                      >
                        {props.restoring === version.number ? "Restoring…" : "Restore"}
                      </button>
                    )}
                  </div>
                  {version.summary && <p className="version__summary">{version.summary}</p>}
                  <span className="version__meta">{formatWhen(version.created_at)}</span>
                  <VersionPorting conversationId={conversationId} number={version.number} library={library} />
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </aside>
  );
}
