/** Rules the sidebar applies before it asks the server to name a strategy (the server applies them again). */

/** The longest name a strategy may have (`MAX_LABEL_CHARS` on the server). */
export const MAX_NAME_CHARS = 200;

/** A typed name as the server stores it: outer spaces trimmed, inner runs of spaces made one. */
export function cleanName(draft: string): string {
  return draft.split(/\s+/).filter(Boolean).join(" ");
}

/** Why a typed name cannot be used, or null when it can. */
export function nameProblem(draft: string): string | null {
  const name = cleanName(draft);
  if (!name) return "The name must not be empty.";
  if (name.length > MAX_NAME_CHARS) return `The name may be at most ${MAX_NAME_CHARS} characters long.`;
  return null;
}
