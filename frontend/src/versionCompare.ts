/** Which two versions the sidebar compares: a pure selection rule, kept apart from the components. */

/** Toggle `number` in the selection; a third pick replaces the earliest pick, so at most two stay selected. */
export function toggleCompared(selected: readonly number[], number: number): number[] {
  if (selected.includes(number)) return selected.filter((n) => n !== number);
  return [...selected, number].slice(-2);
}

/** The selected pair as (older, newer), or null until two versions are selected. */
export function comparedPair(selected: readonly number[]): [number, number] | null {
  const [a, b] = selected;
  if (selected.length !== 2 || a === undefined || b === undefined) return null;
  return a < b ? [a, b] : [b, a];
}

/** The number of the version listed before `number` (versions are listed oldest first), or null for the first. */
export function previousVersion(numbers: readonly number[], number: number): number | null {
  const index = numbers.indexOf(number);
  return index > 0 ? (numbers[index - 1] ?? null) : null;
}

/** How a version came to be, for its label: "restored from v2", "edited", "imported", or null for a reply. */
export function versionOrigin(source: string, restoredFrom: number | null): string | null {
  if (source === "restore") return restoredFrom === null ? "restored" : `restored from v${restoredFrom}`;
  if (source === "edit") return "edited";
  if (source === "import") return "imported";
  return null;
}
