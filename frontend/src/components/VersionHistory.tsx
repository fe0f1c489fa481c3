/** The sidebar's version list: each version, comparing two of them, and restoring one after a confirmation. */
import { useEffect, useRef, useState, type ReactNode } from "react";

import type { VersionSummary } from "../api";
import { comparedPair, previousVersion, toggleCompared } from "../versionCompare";
import { Dialog } from "./Dialog";
import { VersionDiff } from "./VersionDiff";
import { VersionItem } from "./VersionItem";

interface VersionHistoryProps {
  conversationId: string;
  versions: VersionSummary[];
  error: string | null;
  restoring: number | null;
  restoreDisabled: boolean;
  onRestore: (number: number) => void;
  /** More buttons for one version (export, duplicate), drawn at the end of its item. */
  versionTools?: (number: number) => ReactNode;
}

export function VersionHistory(props: VersionHistoryProps) {
  const { conversationId, versions } = props;
  const [compared, setCompared] = useState<number[]>([]);
  const [comparing, setComparing] = useState<[number, number] | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const numbers = versions.map((version) => version.number);
  const pair = comparedPair(compared);
  const latest = numbers[numbers.length - 1] ?? 0;
  const current = versions.find((version) => version.current)?.number;
  const listRef = useRef<HTMLUListElement>(null);

  // A long history would leave the current version below the sidebar's fold: bring it into the sidebar's view.
  useEffect(() => {
    listRef.current?.querySelector("[data-current=true]")?.scrollIntoView({ block: "nearest" });
  }, [current]);

  return (
    <section className="sidebar__section">
      <h2 className="section-title">Versions</h2>
      {props.error && <p className="inline-error">{props.error}</p>}
      {versions.length === 0 ? (
        <p className="muted small">Each strategy the strategist builds is saved as a version.</p>
      ) : (
        <>
          {compared.length > 0 && (
            <div className="version-compare" data-testid="compare-bar">
              {pair ? (
                <button
                  type="button"
                  className="button button--primary button--small"
                  onClick={() => setComparing(pair)}
                  data-testid="compare-button"
                >
                  Compare v{pair[0]} and v{pair[1]}
                </button>
              ) : (
                <span className="muted small">Select one more version to compare.</span>
              )}
              <button type="button" className="link-button" onClick={() => setCompared([])}>
                Clear
              </button>
            </div>
          )}
          <ul className="version-list" ref={listRef}>
            {versions.map((version) => (
              <VersionItem
                key={version.number}
                conversationId={conversationId}
                version={version}
                previous={previousVersion(numbers, version.number)}
                compared={compared.includes(version.number)}
                onToggleCompared={() => setCompared((selected) => toggleCompared(selected, version.number))}
                restoring={props.restoring === version.number}
                restoreDisabled={props.restoreDisabled || props.restoring !== null}
                onRestore={() => setConfirming(version.number)}
              >
                {props.versionTools?.(version.number)}
              </VersionItem>
            ))}
          </ul>
        </>
      )}
      {comparing && (
        <VersionDiff conversationId={conversationId} from={comparing[0]} to={comparing[1]} onClose={() => setComparing(null)} />
      )}
      {confirming !== null && (
        <Dialog
          title={`Restore v${confirming}?`}
          onClose={() => setConfirming(null)}
          testId="restore-dialog"
          actions={
            <>
              <button type="button" className="button button--ghost" onClick={() => setConfirming(null)} autoFocus>
                Cancel
              </button>
              <button
                type="button"
                className="button button--primary"
                onClick={() => {
                  props.onRestore(confirming);
                  setConfirming(null);
                }}
                data-testid="confirm-restore"
              >
                Restore v{confirming}
              </button>
            </>
          }
        >
          <p>
            v{confirming}'s strategy becomes current again as a new version, v{latest + 1}. Every version stays in the
            history.
          </p>
        </Dialog>
      )}
    </section>
  );
}
