/** The views a phone shows one at a time (the sidebar's strategies, the chat, the builder), and when the builder has news. */

export type ScreenView = "strategies" | "chat" | "builder";

export const SCREEN_VIEWS: { view: ScreenView; label: string }[] = [
  { view: "strategies", label: "My strategies" },
  { view: "chat", label: "Chat" },
  { view: "builder", label: "Builder" },
];

/** What the builder tab compares: the strategy version shown and how many replies have completed. */
export interface StrategyMark {
  version: number | null;
  completedReplies: number;
}

/**
 * Whether a reply (not the page's first state, nor a reconnect's) changed the strategy between two marks:
 * that is news to signal on the builder tab while another view is shown.
 */
export function replyChangedStrategy(before: StrategyMark, after: StrategyMark): boolean {
  return after.version !== before.version && after.completedReplies !== before.completedReplies;
}
