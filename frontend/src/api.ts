/**
 * The builder's HTTP API client (same origin, session cookie, CSRF header on writes).
 *
 * Every call resolves to the payload or rejects with an `ApiError` carrying a
 * sentence the UI can show.
 */
import type { MessagePage } from "./chat/protocol";
import type { StrategyDiff } from "./types/generated/diff";
import type { BacktestReport } from "./types/generated/frames";
import type { Strategy } from "./types/generated/strategy";

export interface ConversationSummary {
  id: string;
  title: string;
  updated_at: string;
  /** When the trader archived its strategy; null for one in the list. */
  archived_at: string | null;
}

/** One reason the server refused something, at a JSON path (e.g. `strategy.flowchart.nodes[2].meta.stop_pct`). */
export interface Problem {
  path: string;
  message: string;
}

/** A conversation the server just started (an import, a duplicate). */
export interface CreatedConversation {
  conversation_id: string;
  title: string;
  strategy_version: number;
}

export interface VersionSummary {
  number: number;
  created_at: string;
  source: string;
  /** For a restore: the number of the version it restored. */
  restored_from: number | null;
  current: boolean;
  summary: string;
}

export interface RestoredStrategy {
  strategy_json: Strategy;
  strategy_version: number;
}

/** A stored run as the version's backtest listing has it: the report, its curves and trades optional. */
export type BacktestRunSummary = Omit<BacktestReport, "equity_curve" | "price_curve" | "trades"> &
  Partial<Pick<BacktestReport, "equity_curve" | "price_curve" | "trades">>;

export class ApiError extends Error {
  readonly status: number;
  readonly problems: Problem[];

  constructor(message: string, status: number, problems: Problem[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problems = problems;
  }
}

/** The trader's conversations, newest first; archived ones too when `archived`. */
export async function listConversations(archived = false): Promise<ConversationSummary[]> {
  const body = await request<{ conversations: ConversationSummary[] }>(
    archived ? "/api/conversations/?archived=1" : "/api/conversations/",
  );
  return body.conversations ?? [];
}

/** Rename a conversation and its strategy; resolves to the title the server stored. */
export async function renameConversation(conversationId: string, name: string): Promise<string> {
  const body = await request<{ title: string }>(`${conversationPath(conversationId)}rename/`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name }),
  });
  return body.title;
}

/** Archive a conversation's strategy, or bring it back. */
export async function setArchived(conversationId: string, archived: boolean): Promise<void> {
  await request(`${conversationPath(conversationId)}${archived ? "archive" : "unarchive"}/`, { method: "POST" });
}

/** Where one version downloads as an export file. */
export function exportPath(conversationId: string, number: number): string {
  return `${conversationPath(conversationId)}versions/${number}/export/`;
}

/** Start a new conversation whose strategy begins at this version. */
export function duplicateVersion(conversationId: string, number: number): Promise<CreatedConversation> {
  return request<CreatedConversation>(`${conversationPath(conversationId)}versions/${number}/duplicate/`, {
    method: "POST",
  });
}

/** Import an exported strategy file as a new conversation; a refusal's `ApiError` lists the problems. */
export function importStrategy(file: File): Promise<CreatedConversation> {
  const form = new FormData();
  form.append("file", file);
  return request<CreatedConversation>("/api/strategies/import/", { method: "POST", body: form });
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

/** What changed from version `from` to version `to` of one conversation's strategy. */
export function versionDiff(conversationId: string, from: number, to: number): Promise<StrategyDiff> {
  return request<StrategyDiff>(`/api/conversations/${encodeURIComponent(conversationId)}/versions/${from}/diff/${to}/`);
}

/** Make an earlier version current again; resolves to the restored strategy. */
export function restoreVersion(conversationId: string, number: number): Promise<RestoredStrategy> {
  return request<RestoredStrategy>(
    `/api/conversations/${encodeURIComponent(conversationId)}/versions/${number}/restore/`,
    { method: "POST" },
  );
}

/** The stored backtests of one strategy version. */
export async function listBacktests(conversationId: string, version: number): Promise<BacktestRunSummary[]> {
  const body = await request<{ backtests?: BacktestRunSummary[] }>(
    `${conversationPath(conversationId)}versions/${version}/backtests/`,
  );
  return body.backtests ?? [];
}

function conversationPath(conversationId: string): string {
  return `/api/conversations/${encodeURIComponent(conversationId)}/`;
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
  if (!response.ok) {
    const refusal = await refusalOf(response);
    throw new ApiError(refusal.message, response.status, refusal.problems);
  }
  try {
    return (await response.json()) as T;
  } catch {
    // A login page instead of JSON means the session ended.
    throw new ApiError("Your session has ended. Please reload the page and sign in.", response.status);
  }
}

async function refusalOf(response: Response): Promise<{ message: string; problems: Problem[] }> {
  try {
    const body = (await response.json()) as Record<"error" | "detail" | "message" | "problems", unknown>;
    const text = body.error ?? body.detail ?? body.message;
    if (typeof text === "string" && text) return { message: text, problems: problemsOf(body.problems) };
  } catch {
    // Not JSON: fall through to a sentence by status.
  }
  return { message: sentenceForStatus(response.status), problems: [] };
}

function sentenceForStatus(status: number): string {
  if (status === 403) return "You are not allowed to do that. Please reload the page.";
  if (status === 404) return "That strategy could not be found.";
  if (status === 413) return "The file is too large to import.";
  return "Something went wrong on the server. Please try again.";
}

/** The well-formed entries of a refusal's `problems`, whatever else the body holds. */
export function problemsOf(value: unknown): Problem[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is Problem =>
      typeof item === "object" && item !== null && typeof item.path === "string" && typeof item.message === "string",
  );
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
