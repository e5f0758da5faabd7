import { createHash } from 'node:crypto';
import { titleWithoutPrefix } from '../quality/quality.ts';
import type { Entry } from '../types.ts';

/**
 * Folds text for keys: NFC, lower case, accents kept, typographic quotes/dashes folded,
 * punctuation dropped, white space (incl. U+00A0) collapsed.
 */
export function foldForKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2010-\u2015\u2212-]/g, ' ')
    .replace(/['\u2018\u2019\u201a\u201b\u2032`´"\u201c\u201d\u201e\u201f\u00ab\u00bb]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The folded title without a country prefix: "Kanada. Foo – Bar!" -> "foo bar". */
export function titleKey(title: string): string {
  return foldForKey(titleWithoutPrefix(title));
}

/**
 * The natural key of an entry's content: folded title (no country prefix) + folded source +
 * date. Two entries with the same key are the same item; the title alone over-merges.
 */
export function naturalKey(e: Pick<Entry, 'title' | 'source' | 'date'>): string {
  return `${titleKey(e.title)}|${foldForKey(e.source ?? '')}|${e.date ?? ''}`;
}

/** sha256 over every value a user sees; changes when any of them changes. */
export function contentHash(e: Entry): string {
  const values = [e.title, e.body, e.source, e.country, e.date, e.datePrecision, e.dateFlag, e.doi, e.pmid, e.pmcid, e.language];
  return createHash('sha256').update(JSON.stringify(values)).digest('hex');
}
