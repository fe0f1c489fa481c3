/** Older messages of a long conversation, fetched a page at a time for the "Load earlier messages" control. */
import { useCallback, useState } from "react";

import { listEarlierMessages } from "../api";
import type { MessagePage } from "../chat/protocol";

export interface EarlierMessages {
  loading: boolean;
  error: string | null;
  /** Fetch the page before `cursor` and hand it to `onLoaded`. */
  load: () => Promise<void>;
}

export function useEarlierMessages(
  conversationId: string | null,
  cursor: string | null,
  onLoaded: (cursor: string, page: MessagePage) => void,
): EarlierMessages {
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    if (!conversationId || !cursor) return;
    setLoading(true);
    try {
      onLoaded(cursor, await listEarlierMessages(conversationId, cursor));
      setError(null);
    } catch (reason) {
      setError((reason as Error).message);
    } finally {
      setLoading(false);
    }
  }, [conversationId, cursor, onLoaded]);

  return { loading, error, load };
}
