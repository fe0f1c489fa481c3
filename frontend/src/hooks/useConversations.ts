/** The trader's conversations (archived ones too when `archived`), reloaded whenever `refreshKey` changes. */
import { useEffect, useState } from "react";

import { listConversations, type ConversationSummary } from "../api";

export interface ConversationsState {
  conversations: ConversationSummary[];
  error: string | null;
}

export function useConversations(refreshKey: unknown, archived = false): ConversationsState {
  const [state, setState] = useState<ConversationsState>({ conversations: [], error: null });

  useEffect(() => {
    let current = true;
    listConversations(archived).then(
      (conversations) => current && setState({ conversations, error: null }),
      (error: Error) => current && setState((s) => ({ ...s, error: error.message })),
    );
    return () => {
      current = false;
    };
  }, [refreshKey, archived]);

  return state;
}
