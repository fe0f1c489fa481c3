/** The diff between two versions of a conversation's strategy, loaded while both numbers are given. */
import { useEffect, useState } from "react";

import { versionDiff } from "../api";
import type { StrategyDiff } from "../types/generated/diff";

export interface VersionDiffState {
  diff: StrategyDiff | null;
  error: string | null;
}

export function useVersionDiff(conversationId: string | null, from: number | null, to: number | null): VersionDiffState {
  const [state, setState] = useState<VersionDiffState>({ diff: null, error: null });

  useEffect(() => {
    setState({ diff: null, error: null });
    if (!conversationId || from === null || to === null) return;
    let current = true;
    versionDiff(conversationId, from, to).then(
      (diff) => current && setState({ diff, error: null }),
      (reason: Error) => current && setState({ diff: null, error: reason.message }),
    );
    return () => {
      current = false;
    };
  }, [conversationId, from, to]);

  return state;
}
