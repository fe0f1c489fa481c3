/**
 * The builder's HTTP API client (same origin, session cookie, CSRF header on writes).
 *
 * Every call resolves to the payload or rejects with an `ApiError` carrying a
 * sentence the UI can show.
 */
import type { MessagePage } from "./chat/protocol";
import type { Strategy } from "./types/generated/strategy";

export interface ConversationSummary {
  id: string;
  title: string;
  updated_at: string;
}

export interface VersionSummary {
  number: number;
  created_at: string;
  current: boolean;
  summary: string;
}

export interface RestoredStrategy {
  strategy_json: Strategy;
  strategy_version: number;
}

export class ApiError extends Error {
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/** The trader's conversations, newest first. */
export async function listConversations(): Promise<ConversationSummary[]> {
  const body = await request<{ conversations: ConversationSummary[] }>("/api/conversations/");
  return body.conversations ?? [];
}

/** The conversation's newest messages older than the message `before`, oldest first. */
export function listEarlierMessages(conversationId: string, before: string): Promise<MessagePage> {
  return request<MessagePage>(
    `/api/conversations/${encodeURIComponent(conversationId)}/messages/?before=${encodeURIComponent(before)}`,
  );
}

/** The strategy versions of one conversation. */
export async function listVersions(conversationId: string): Promise<VersionSummary[]> {
  const body = await request<{ versions: VersionSummary[] }>(
    `/api/conversations/${encodeURIComponent(conversationId)}/versions/`,
  );
  return body.versions ?? [];
}

/** Make an earlier version current again; resolves to the restored strategy. */
export function restoreVersion(conversationId: string, number: number): Promise<RestoredStrategy> {
  return request<RestoredStrategy>(
    `/api/conversations/${encodeURIComponent(conversationId)}/versions/${number}/restore/`,
    { method: "POST" },
  );
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set("Accept", "application/json");
  if (init.method && init.method !== "GET") headers.set("X-CSRFToken", csrfToken());
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers, credentials: "same-origin" });
  } catch {
    throw new ApiError("The server could not be reached. Check your connection.", 0);
  }
  if (!response.ok) throw new ApiError(await errorSentence(response), response.status);
  try {
    return (await response.json()) as T;
  } catch {
    // A login page instead of JSON means the session ended.
    throw new ApiError("Your session has ended. Please reload the page and sign in.", response.status);
  }
}

async function errorSentence(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown; detail?: unknown; message?: unknown };
    const text = body.error ?? body.detail ?? body.message;
    if (typeof text === "string" && text) return text;
  } catch {
    // Not JSON: fall through to a sentence by status.
  }
  if (response.status === 403) return "You are not allowed to do that. Please reload the page.";
  if (response.status === 404) return "That strategy could not be found.";
  return "Something went wrong on the server. Please try again.";
}

/** The CSRF token from Django's cookie, or from the page's form when the cookie is HttpOnly. */
export function csrfToken(): string {
  const cookie = document.cookie
    .split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith("csrftoken="));
  if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
  const input = document.querySelector<HTMLInputElement>("input[name=csrfmiddlewaretoken]");
  return input?.value ?? "";
}
