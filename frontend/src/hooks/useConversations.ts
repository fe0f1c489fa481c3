/** The trader's conversations, reloaded whenever `refreshKey` changes (e.g. a reply completed). */
import { useEffect, useState } from "react";

import { listConversations, type ConversationSummary } from "../api";

export interface ConversationsState {
  conversations: ConversationSummary[];
  loading: boolean;
  error: string | null;
}

export function useConversations(refreshKey: unknown): ConversationsState {
  const [state, setState] = useState<ConversationsState>({ conversations: [], loading: true, error: null });

  useEffect(() => {
    let current = true;
    listConversations().then(
      (conversations) => current && setState({ conversations, loading: false, error: null }),
      (error: Error) => current && setState((s) => ({ ...s, loading: false, error: error.message })),
    );
    return () => {
      current = false;
    };
  }, [refreshKey]);

  return state;
}
