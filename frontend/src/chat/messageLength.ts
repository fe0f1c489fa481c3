/** How long a draft is against the server's message limit, and what the composer says about it. */

/** The counter shows once a draft reaches this share of the limit (3,600 of 4,000). */
export const COUNTER_FROM_SHARE = 0.9;

export interface LengthNotice {
  /** What the counter says, e.g. "3,650 / 4,000" or "120 characters over the 4,000 limit". */
  text: string;
  over: boolean;
}

/** The length the server counts: Unicode code points (Python's `len`) of the text that is sent (trimmed). */
export function messageLength(draft: string): number {
  let length = 0;
  for (const _ of draft.trim()) length += 1;
  return length;
}

/** The counter for a draft, or null while it is well under the limit (or there is none). */
export function lengthNotice(draft: string, limit: number | undefined): LengthNotice | null {
  // Drafts this short cannot be near the limit, whatever their characters: no count needed.
  if (!limit || draft.length < limit * COUNTER_FROM_SHARE) return null;
  const length = messageLength(draft);
  if (length > limit) {
    const over = length - limit;
    return { text: `${over.toLocaleString("en-US")} ${over === 1 ? "character" : "characters"} over the ${limit.toLocaleString("en-US")} limit`, over: true };
  }
  if (length < limit * COUNTER_FROM_SHARE) return null;
  return { text: `${length.toLocaleString("en-US")} / ${limit.toLocaleString("en-US")}`, over: false };
}
