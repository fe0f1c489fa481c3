/** What changed between two versions, in the lines the server writes ("Stop loss 5% → 4%"). */
import { useVersionDiff, type VersionDiffState } from "../hooks/useVersionDiff";
import { Dialog } from "./Dialog";

/** The diff's lines, or why there are none. */
export function DiffLines({ diff, error }: VersionDiffState) {
  if (error) return <p className="inline-error">{error}</p>;
  if (!diff) return <p className="muted small">Loading…</p>;
  if (diff.lines.length === 0) return <p className="muted small">No changes.</p>;
  return (
    <ul className="diff-lines" data-testid="diff-lines">
      {diff.lines.map((line, index) => (
        <li key={index}>{line}</li>
      ))}
    </ul>
  );
}

interface VersionDiffProps {
  conversationId: string;
  from: number;
  to: number;
  onClose: () => void;
}

/** Two versions compared, in a dialog. */
export function VersionDiff({ conversationId, from, to, onClose }: VersionDiffProps) {
  const state = useVersionDiff(conversationId, from, to);
  return (
    <Dialog
      title={`Changes from v${from} to v${to}`}
      onClose={onClose}
      testId="version-diff"
      actions={
        <button type="button" className="button button--ghost" onClick={onClose} autoFocus>
          Close
        </button>
      }
    >
      <DiffLines {...state} />
    </Dialog>
  );
}
