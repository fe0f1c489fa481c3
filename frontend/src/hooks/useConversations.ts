/** The trader's conversations, reloaded whenever `refreshKey` changes (e.g. a reply completed). */
import { useEffect, useState } from "react";

import { listConversations, type ConversationSummary } from "../api";

export interface ConversationsState {
  conversations: ConversationSummary[];
  error: string | null;
}

export function useConversations(refreshKey: unknown): ConversationsState {
  const [state, setState] = useState<ConversationsState>({ conversations: [], error: null });

  useEffect(() => {
    let current = true;
    listConversations().then(
      (conversations) => current && setState({ conversations, error: null }),
      (error: Error) => current && setState((s) => ({ ...s, error: error.message })),
    );
    return () => {
      current = false;
    };
  }, [refreshKey]);

  return state;
}
