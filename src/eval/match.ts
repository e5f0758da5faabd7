import type { EvalField, GoldValue } from './types.ts';

/** Brings a value to the form it is compared in, per field. */
function canonical(field: EvalField, value: string | null): string | null {
  if (value === null) return null;
  const text = value.normalize('NFC');
  if (field === 'source') return text.replace(/\s+/gu, ' ').trim();
  if (field === 'doi') return text.trim().toLowerCase();
  return text;
}

/**
 * Whether a predicted field value is acceptable: it equals the gold value, or any element of
 * a gold list (`null` is a value: it matches a gold `null` or a list holding `null`). Strings
 * are compared in NFC; `source` after trimming and collapsing white space; `doi` ignoring case.
 */
export function fieldMatches(field: EvalField, got: string | null, expected: GoldValue): boolean {
  const want = Array.isArray(expected) ? expected : [expected];
  const have = canonical(field, got);
  return want.some((value) => canonical(field, value) === have);
}
