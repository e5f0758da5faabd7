import { stripNote } from '../extract/source-note.ts';
import type { Entry } from '../types.ts';
import { foldForKey, titleKey } from './keys.ts';

/**
 * MinHash size and LSH banding: 32 bands of 6 rows. P[candidate] = 1 - (1 - J^6)^32:
 * 0.99994 at J = 0.8, 0.78 at 0.6, 0.023 at 0.3, 3e-5 at 0.1 — so the candidates of an entry
 * are its near-duplicates, not a share of the table (16 bands of 4 rows gave 0.12 at J = 0.3,
 * and the per-entry cost grew 15x from 10k to 500k items; see bench/dedupe.ts).
 */
export const MINHASH_SIZE = 192;
export const BANDS = 32;
const ROWS = MINHASH_SIZE / BANDS;

/**
 * An earlier item is a near-duplicate candidate of an entry only when the two share at least
 * this many of their BANDS buckets. One shared bucket is what boilerplate gives unrelated
 * entries (a journal line, an author list, "doi: 10.1016/j.drugpo"): such buckets fill up
 * with every entry that carries it, and counting them made the candidates of an entry grow
 * with the table. A pair at Jaccard >= 0.8 shares far more: in ~18,500 edited copies of the
 * seed page's and the bench generator's entries at Jaccard 0.78 and above (whole entries and
 * bare titles), the fewest was 3 and the median 9 to 28 by similarity; independent bands would
 * give P[fewer than 2] = 7e-4 at exactly 0.8 and 5e-6 at 0.85.
 * tests/unit/dedupe/candidates.test.ts checks it on edited copies of the corpus fixtures.
 */
export const MIN_SHARED_BANDS = 2;
/** Candidates compared exactly per entry: those sharing the most buckets with it. */
export const MAX_CANDIDATES = 20;
/**
 * Items read per bucket of an entry: in memory the most recent ones; in the database the first
 * ones in the table's physical order (the oldest, for a table that is mostly appended to; the
 * same ones for the same table, though a dump and restore may change which). A bucket that
 * boilerplate has filled contributes this many at most, so an entry's cost stays bounded
 * whatever the table holds, and its real near-duplicates are still found through the buckets
 * they share that the boilerplate does not fill.
 */
export const BUCKET_ROWS = 64;
/** Shingle length in characters of the folded text. */
const SHINGLE = 5;
/** Characters of folded text that are fingerprinted (title + start of the body). */
const MAX_TEXT = 1000;

/** What near-duplicate matching compares. Built from an entry, or from a stored item. */
export interface Fingerprint {
  /** Folded title without country prefix. */
  titleKey: string;
  /** Folded title + body prefix: the shingled text. */
  text: string;
  /** Numbers written in the title, sorted ("Episode 4" vs "Episode 6" never match). */
  numbers: string;
  date: string | null;
  language: string;
  /** LSH buckets (band * 2^32 + band hash). */
  bands: number[];
  /** The shingle set of `text` (computed once, compared many times). */
  shingles: Set<number>;
}


function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Hashed character shingles of a folded text (the whole text when it is shorter than a
 * shingle). A polynomial hash over the char codes: no substring is allocated.
 */
export function shingles(text: string): Set<number> {
  const out = new Set<number>();
  if (text.length <= SHINGLE) {
    if (text) out.add(fnv1a(text));
    return out;
  }
  for (let i = 0; i + SHINGLE <= text.length; i++) {
    let h = 0x811c9dc5;
    for (let k = 0; k < SHINGLE; k++) h = Math.imul(h ^ text.charCodeAt(i + k), 0x01000193);
    out.add(h >>> 0);
  }
  return out;
}

/**
 * MinHash signature of a shingle set by one-permutation hashing (Li, Owen & Zhang 2012):
 * each shingle is hashed once and falls into one of MINHASH_SIZE bins, which keep their
 * minimum; empty bins borrow from the next non-empty bin (densification). One hash per
 * shingle instead of MINHASH_SIZE, with the same collision probability Jaccard.
 */
export function minhash(set: Set<number>): Uint32Array {
  const sig = new Uint32Array(MINHASH_SIZE).fill(0xffffffff);
  const filled = new Uint8Array(MINHASH_SIZE);
  for (const s of set) {
    const h = mix(s);
    const bin = h % MINHASH_SIZE;
    const v = mix(h ^ 0x9e3779b9);
    if (v < sig[bin]!) sig[bin] = v;
    filled[bin] = 1;
  }
  if (set.size) {
    for (let i = 0; i < MINHASH_SIZE; i++) {
      if (filled[i]) continue;
      let j = (i + 1) % MINHASH_SIZE;
      let steps = 1;
      while (!filled[j]) {
        j = (j + 1) % MINHASH_SIZE;
        steps++;
      }
      sig[i] = mix(sig[j]! + steps);
    }
  }
  return sig;
}

/** LSH buckets of a signature: one number per band, unique across bands. */
export function lshBands(sig: Uint32Array): number[] {
  const out: number[] = [];
  for (let b = 0; b < BANDS; b++) {
    let h = 0x811c9dc5 ^ b;
    for (let r = 0; r < ROWS; r++) h = Math.imul(h ^ sig[b * ROWS + r]!, 0x01000193);
    out.push(b * 2 ** 32 + (h >>> 0));
  }
  return out;
}

/** Exact Jaccard similarity of two shingle sets. */
export function jaccard(a: Set<number>, b: Set<number>): number {
  if (!a.size && !b.size) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let inter = 0;
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** The folded text that is fingerprinted: title without prefix + body without its source note. */
export function fingerprintText(title: string, body: string): string {
  return `${titleKey(title)} ${foldForKey(stripNote(body, null).slice(0, MAX_TEXT * 2))}`.slice(0, MAX_TEXT).trim();
}

/**
 * Builds the fingerprint of an entry or stored item. `withBands: false` skips the MinHash
 * (all a stored candidate needs for the exact comparison).
 */
export function fingerprint(e: Pick<Entry, 'title' | 'body' | 'date' | 'language'>, withBands = true): Fingerprint {
  const text = fingerprintText(e.title, e.body);
  const tkey = titleKey(e.title);
  const set = shingles(text);
  return {
    titleKey: tkey,
    text,
    numbers: (tkey.match(/\d+/g) ?? []).sort().join(' '),
    date: e.date,
    language: e.language,
    bands: withBands ? lshBands(minhash(set)) : [],
    shingles: set,
  };
}

/** Two dates agree when equal at their common precision, or when one is missing. */
function datesAgree(a: string | null, b: string | null): boolean {
  if (!a || !b) return true;
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) === b.slice(0, n);
}

/**
 * Similarity of two fingerprints for the near-duplicate rule, or null when a guard says they
 * are different items whatever the text: different numbers in the titles (episode 4 vs 6,
 * report 2021 vs 2022), dates that disagree, or two different determined languages (a review
 * and the German news release about it).
 */
export function nearSimilarity(a: Fingerprint, b: Fingerprint): number | null {
  if (a.numbers !== b.numbers) return null;
  if (!datesAgree(a.date, b.date)) return null;
  if (a.language !== b.language && a.language !== 'und' && b.language !== 'und') return null;
  return jaccard(a.shingles, b.shingles);
}
