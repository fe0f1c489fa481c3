/** The data Django renders into the page (`json_script` id `builder-bootstrap`). */

export interface Bootstrap {
  conversationId: string | null;
  username: string;
  logoutUrl: string;
  /** The longest message the server takes (`CHAT_MAX_MESSAGE_CHARS`), if the page says. */
  maxMessageChars?: number;
}

/** Read the bootstrap data, with safe defaults when the element is missing (e.g. the Vite dev page). */
export function readBootstrap(doc: Document = document): Bootstrap {
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(doc.getElementById("builder-bootstrap")?.textContent ?? "{}") as Record<string, unknown>;
  } catch {
    raw = {};
  }
  return {
    conversationId: typeof raw.conversation_id === "string" && raw.conversation_id ? raw.conversation_id : null,
    username: typeof raw.username === "string" ? raw.username : "",
    logoutUrl: typeof raw.logout_url === "string" ? raw.logout_url : "/accounts/logout/",
    maxMessageChars:
      typeof raw.max_message_chars === "number" && raw.max_message_chars > 0 ? raw.max_message_chars : undefined,
  };
}

/** The builder's URL for a conversation, or for a new one. */
export function builderPath(conversationId: string | null): string {
  return conversationId ? `/builder/${conversationId}/` : "/builder/";
}
