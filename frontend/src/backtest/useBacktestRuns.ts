/**
 * The stored runs of one strategy version, over HTTP, reloaded when `refreshKey` changes. A server
 * without the listing (404) shows no history rather than an error.
 */
import { useEffect, useState } from "react";

import { ApiError, listBacktests, type BacktestRunSummary } from "../api";

export interface BacktestRuns {
  runs: BacktestRunSummary[];
  error: string | null;
}

export function useBacktestRuns(conversationId: string | null, version: number | null, refreshKey: unknown): BacktestRuns {
  const [runs, setRuns] = useState<BacktestRunSummary[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setRuns([]);
    setError(null);
    if (!conversationId || version === null) return;
    let current = true;
    listBacktests(conversationId, version).then(
      (list) => current && setRuns(list),
      (reason: Error) => {
        if (current && !(reason instanceof ApiError && reason.status === 404)) setError(reason.message);
      },
    );
    return () => {
      current = false;
    };
  }, [conversationId, version, refreshKey]);

  return { runs, error };
}
