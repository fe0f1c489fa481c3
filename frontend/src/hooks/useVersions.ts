/** A conversation's strategy versions, reloaded when `refreshKey` changes, and restoring one. */
import { useCallback, useEffect, useState } from "react";

import { listVersions, restoreVersion, type RestoredStrategy, type VersionSummary } from "../api";

export interface VersionsState {
  versions: VersionSummary[];
  error: string | null;
  restoring: number | null;
  restore: (number: number) => Promise<void>;
}

export function useVersions(
  conversationId: string | null,
  refreshKey: unknown,
  onRestored: (restored: RestoredStrategy) => void,
): VersionsState {
  const [versions, setVersions] = useState<VersionSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [restoring, setRestoring] = useState<number | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    if (!conversationId) {
      setVersions([]);
      return;
    }
    let current = true;
    listVersions(conversationId).then(
      (list) => {
        if (!current) return;
        setVersions(list);
        setError(null);
      },
      (reason: Error) => current && setError(reason.message),
    );
    return () => {
      current = false;
    };
  }, [conversationId, refreshKey, reloads]);

  const restore = useCallback(
    async (number: number) => {
      if (!conversationId) return;
      setRestoring(number);
      try {
        onRestored(await restoreVersion(conversationId, number));
        setError(null);
      } catch (reason) {
        setError((reason as Error).message);
      } finally {
        setRestoring(null);
        setReloads((n) => n + 1);
      }
    },
    [conversationId, onRestored],
  );

  return { versions, error, restoring, restore };
}
