import type { EntryDraft, Found, Line, SourceNote } from '../types.ts';

/** What every field rule sees: the entry, its body lines and its source note. */
export interface RuleInput {
  draft: EntryDraft;
  /** Body lines in order (title excluded). */
  lines: Line[];
  /** The entry's source parenthetical, if it ends in one. */
  note: SourceNote | null;
}

/** A field rule: a small function that finds one value (with its span) or nothing. */
export interface FieldRule<T> {
  /** Rule id, e.g. `country/title-prefix`; recorded as the value's provenance. */
  id: string;
  find(input: RuleInput): Omit<Found<T>, 'rule'> | null;
}

/** Runs an ordered rule list and returns the first value found, stamped with its rule id. */
export function firstMatch<T>(rules: readonly FieldRule<T>[], input: RuleInput): Found<T> | null {
  for (const rule of rules) {
    const hit = rule.find(input);
    if (hit) return { ...hit, rule: rule.id };
  }
  return null;
}
