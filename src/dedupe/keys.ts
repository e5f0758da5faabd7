import { createHash } from 'node:crypto';
import { titleWithoutPrefix } from '../quality/quality.ts';
import type { Entry } from '../types.ts';

/**
 * Folds text for keys: NFC, lower case, accents kept, typographic quotes/dashes folded,
 * punctuation dropped, white space (incl. U+00A0) collapsed.
 */
export function foldForKey(text: string): string {
  if (LATIN1_LETTERS_ONLY.test(text)) return foldLatin(text);
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2010-\u2015\u2212-]/g, ' ')
    .replace(/['\u2018\u2019\u201a\u201b\u2032`´"\u201c\u201d\u201e\u201f\u00ab\u00bb]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Text of ASCII and the Latin-1 letters U+00C0-U+00FF only (the common case: English and German
 * entries). NFKC leaves such text as it is (no compatibility forms, no combining marks to
 * compose), lower case stays in the range, and of the folded characters only the ASCII quotes
 * and hyphen occur, so foldLatin gives what the general path gives, with regexes on explicit
 * ranges (\p{L} ones were 3-4x slower). U+0080-U+00BF (NBSP, «», ª, ², ´, ...) take the general
 * path. tests/unit/dedupe/fold-fast-path.test.ts compares the two.
 */
const LATIN1_LETTERS_ONLY = /^[\u0000-\u007f\u00c0-\u00ff]*$/;

/**
 * A run of characters that are not letters or digits (after lower case, within U+00FF), unless
 * it is one plain space: a space with more such characters after it, or another such character
 * with what follows it. Replacing each such run by a space gives what replacing every run does
 * (a lone space stays a space), without a match and a new piece of string per word.
 */
const LATIN_SEPARATORS = / [^a-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]+|[^ a-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff][^a-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]*/g;

/** foldForKey for text that LATIN1_LETTERS_ONLY accepts. */
function foldLatin(text: string): string {
  return text.toLowerCase().replace(/['`"]/g, '').replace(LATIN_SEPARATORS, ' ').trim();
}

/** Keys longer than this many characters keep their start and a hash of the whole. */
export const MAX_KEY_CHARS = 400;

/**
 * `key` itself when it has at most MAX_KEY_CHARS characters; else its first characters, `~`
 * and 16 hex digits of its sha256, MAX_KEY_CHARS in all. Keys are indexed, and a btree entry
 * holds at most 2,704 bytes: a 5,000-character title that does not compress would make the
 * document's load fail. Equal keys stay equal, different ones stay different (to 64 bits).
 */
export function boundKey(key: string): string {
  if (key.length <= MAX_KEY_CHARS) return key; // no more code points than UTF-16 units
  const chars = Array.from(key); // code points: never cut a surrogate pair
  if (chars.length <= MAX_KEY_CHARS) return key;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return `${chars.slice(0, MAX_KEY_CHARS - 17).join('')}~${hash}`;
}

/** The folded title without a country prefix: "Kanada. Foo – Bar!" -> "foo bar" (bounded). */
export function titleKey(title: string): string {
  return boundKey(foldForKey(titleWithoutPrefix(title)));
}

/**
 * The natural key of an entry's content: folded title (no country prefix) + folded source +
 * date. Two entries with the same key are the same item; the title alone over-merges.
 * `tkey`: the entry's titleKey when the caller has it already (it is the costly part).
 */
export function naturalKey(e: Pick<Entry, 'title' | 'source' | 'date'>, tkey: string = titleKey(e.title)): string {
  return `${tkey}|${boundKey(foldForKey(e.source ?? ''))}|${e.date ?? ''}`;
}

/** sha256 over every value a user sees; changes when any of them changes. */
export function contentHash(e: Entry): string {
  const values = [e.title, e.body, e.source, e.country, e.date, e.datePrecision, e.dateFlag, e.doi, e.pmid, e.pmcid, e.language];
  return createHash('sha256').update(JSON.stringify(values)).digest('hex');
}
