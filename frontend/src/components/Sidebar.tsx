/** Navigation: the trader's conversations, a new or imported strategy, and this strategy's versions. */
import type { ConversationSummary, VersionSummary } from "../api";
import { builderPath } from "../bootstrap";
import type { LibraryState } from "../hooks/useLibrary";
import { ConversationItem, ImportStrategy, LibraryError, VersionPorting } from "./StrategyLibrary";
import { VersionHistory } from "./VersionHistory";

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
        <VersionHistory
          conversationId={conversationId}
          versions={versions}
          error={props.versionsError}
          restoring={props.restoring}
          restoreDisabled={props.restoreDisabled}
          onRestore={props.onRestore}
          versionTools={(number) => <VersionPorting conversationId={conversationId} number={number} library={library} />}
        />
      )}
    </aside>
  );
}
