/** One strategy version in the sidebar: its number, how it came to be, what changed, compare and restore. */
import { useState, type ReactNode } from "react";

import type { VersionSummary } from "../api";
import { formatWhen } from "../format";
import { useVersionDiff } from "../hooks/useVersionDiff";
import { versionOrigin } from "../versionCompare";
import { DiffLines } from "./VersionDiff";

interface VersionItemProps {
  conversationId: string;
  version: VersionSummary;
  /** The version listed before this one: "What changed" compares with it. */
  previous: number | null;
  compared: boolean;
  onToggleCompared: () => void;
  restoring: boolean;
  restoreDisabled: boolean;
  onRestore: () => void;
  children?: ReactNode;
}

export function VersionItem(props: VersionItemProps) {
  const { conversationId, version, previous } = props;
  const [showChanges, setShowChanges] = useState(false);
  const changes = useVersionDiff(conversationId, showChanges ? previous : null, showChanges ? version.number : null);
  const origin = versionOrigin(version.source, version.restored_from);
  const changesId = `version-${version.number}-changes`;

  return (
    <li
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
            onClick={props.onRestore}
            disabled={props.restoreDisabled}
            data-testid="restore-button"
          >
            {props.restoring ? "Restoring…" : "Restore"}
          </button>
        )}
      </div>
      {origin && (
        <span className="chip version__origin" data-testid="version-origin">
          {origin}
        </span>
      )}
      {version.summary && <p className="version__summary">{version.summary}</p>}
      <div className="version__row">
        <span className="version__meta">{formatWhen(version.created_at)}</span>
        <label className="version__compare">
          <input
            type="checkbox"
            checked={props.compared}
            onChange={props.onToggleCompared}
            aria-label={`Compare v${version.number}`}
            data-testid="compare-checkbox"
          />
          Compare
        </label>
        {previous !== null && (
          <button
            type="button"
            className="link-button"
            aria-expanded={showChanges}
            aria-controls={changesId}
            onClick={() => setShowChanges((shown) => !shown)}
            data-testid="what-changed"
          >
            What changed
          </button>
        )}
      </div>
      {showChanges && (
        <div className="version__changes" id={changesId} data-testid="version-changes">
          <DiffLines {...changes} />
        </div>
      )}
      {props.children}
    </li>
  );
}
