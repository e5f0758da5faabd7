import { stripNote } from '../extract/source-note.ts';
import type { Entry } from '../types.ts';
import { foldForKey, titleKey } from './keys.ts';

/**
 * MinHash size and LSH banding: 32 bands of 6 rows. P[candidate] = 1 - (1 - J^6)^32:
 * 0.99994 at J = 0.8, 0.78 at 0.6, 0.023 at 0.3, 3e-5 at 0.1 — so the candidates of an entry
 * are its near-duplicates, not a share of the table (16 bands of 4 rows gave 0.12 at J = 0.3,
 * and the per-entry cost grew 15x from 10k to 500k items; see bench/dedupe.ts).
 */
export const MINHASH_SIZE = 192; // minhash() computes h % 192 as 64 (h / 64 mod 3) + h mod 64
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
  /**
   * The shingle set of `text` as its hashes sorted ascending, each once (computed on first
   * read, compared many times). A typed array rather than a Set<number>: hashes above 2^30 are boxed
   * heap numbers in a Set, and building ~1,000 of them per entry made garbage collection the
   * largest cost of dedupe; two sorted arrays also intersect by one merge.
   */
  shingles: Uint32Array;
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
 * Scratch buffers of the fingerprint, reused from entry to entry and grown for a longer text:
 * typed arrays allocated per entry (their backing stores live outside the JS heap) kept the
 * garbage collector busy for a fifth of dedupe's time. Nothing keeps a reference to them past
 * the call that fills them (each worker thread has its own module instance).
 */
let codeScratch = new Uint16Array(2 * MAX_TEXT);
let hashScratch = new Uint32Array(2 * MAX_TEXT);
const sigScratch = new Uint32Array(MINHASH_SIZE);
const filledScratch = new Uint8Array(MINHASH_SIZE);

/**
 * Writes the hash of every SHINGLE-character window of a folded text to `into`, in text order,
 * repeats kept (the whole text's hash when it is shorter than a shingle; none for ""), and
 * returns how many. `into` needs room for max(1, text.length - SHINGLE + 1). FNV-1a over the
 * char codes: no substring is allocated, and the codes are read once into a typed array
 * (charCodeAt SHINGLE times per window cost four times as much as the hashing).
 */
function hashWindows(text: string, into: Uint32Array): number {
  const len = text.length;
  if (len <= SHINGLE) {
    if (text) into[0] = fnv1a(text);
    return text ? 1 : 0;
  }
  if (codeScratch.length < len) codeScratch = new Uint16Array(len);
  const codes = codeScratch;
  for (let i = 0; i < len; i++) codes[i] = text.charCodeAt(i);
  const n = len - SHINGLE + 1;
  // Unrolled for SHINGLE = 5; 0x811c9dc5 | 0 is the offset basis as an int32 (the same bits).
  for (let i = 0; i < n; i++) {
    let h = Math.imul((0x811c9dc5 | 0) ^ codes[i]!, 0x01000193);
    h = Math.imul(h ^ codes[i + 1]!, 0x01000193);
    h = Math.imul(h ^ codes[i + 2]!, 0x01000193);
    h = Math.imul(h ^ codes[i + 3]!, 0x01000193);
    into[i] = Math.imul(h ^ codes[i + 4]!, 0x01000193);
  }
  return n;
}

/** Room in hashScratch for the windows of a text of `len` characters. */
function hashRoom(len: number): Uint32Array {
  if (hashScratch.length < len) hashScratch = new Uint32Array(len);
  return hashScratch;
}

/**
 * Hashed character shingles of a folded text (the whole text when it is shorter than a
 * shingle) as a set: sorted ascending, each hash once.
 */
export function shingles(text: string): Uint32Array {
  const all = new Uint32Array(Math.max(1, text.length - SHINGLE + 1));
  const count = hashWindows(text, all);
  if (count < 2) return all.subarray(0, count);
  all.sort();
  let n = 1;
  for (let i = 1; i < count; i++) if (all[i] !== all[n - 1]) all[n++] = all[i]!;
  return all.subarray(0, n);
}

/**
 * MinHash signature of a shingle set by one-permutation hashing (Li, Owen & Zhang 2012):
 * each shingle is hashed once and falls into one of MINHASH_SIZE bins, which keep their
 * minimum; empty bins borrow from the next non-empty bin (densification). One hash per
 * shingle instead of MINHASH_SIZE, with the same collision probability Jaccard.
 */
export function minhash(set: Uint32Array): Uint32Array {
  return signInto(set, set.length, new Uint32Array(MINHASH_SIZE));
}

/**
 * minhash of the first `count` values of `hashes`, written to `sig` (returned). The order of
 * the values and repeats among them do not change the signature (a bin keeps a minimum), so the
 * unsorted window hashes of a text give the signature of its shingle set.
 */
function signInto(hashes: Uint32Array, count: number, sig: Uint32Array): Uint32Array {
  sig.fill(0xffffffff);
  const filled = filledScratch.fill(0);
  for (let i = 0; i < count; i++) {
    const h = mix(hashes[i]!);
    // h % 192 without a floating-point modulus (h may exceed 2^31): h = 64q + r with r < 64,
    // so h mod 192 = 64 (q mod 3) + r, and q < 2^26 is a small integer.
    const bin = (((h >>> 6) % 3) << 6) | (h & 63);
    const v = mix(h ^ 0x9e3779b9);
    if (v < sig[bin]!) sig[bin] = v;
    filled[bin] = 1;
  }
  if (count) {
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

/**
 * Exact Jaccard similarity of two shingle sets (sorted, deduplicated hashes as `shingles`
 * returns them): the intersection is counted by one merge of the two arrays.
 */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  if (!a.length && !b.length) return 1;
  let inter = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      inter++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return inter / (a.length + b.length - inter);
}

/** The folded text that is fingerprinted: title without prefix + body without its source note. */
export function fingerprintText(title: string, body: string): string {
  return textOf(titleKey(title), body);
}

/** fingerprintText for a title whose titleKey is known. */
function textOf(tkey: string, body: string): string {
  return `${tkey} ${foldForKey(stripNote(body, null).slice(0, MAX_TEXT * 2))}`.slice(0, MAX_TEXT).trim();
}

/**
 * Builds the fingerprint of an entry or stored item. `withBands: false` skips the MinHash
 * (all a stored candidate needs for the exact comparison). `tkey`: the entry's titleKey when
 * the caller has it already (dedupe computes it once for the natural key and the fingerprint).
 */
export function fingerprint(e: Pick<Entry, 'title' | 'body' | 'date' | 'language'>, withBands = true, tkey: string = titleKey(e.title)): Fingerprint {
  const text = textOf(tkey, e.body);
  let bands: number[] = [];
  if (withBands) {
    const into = hashRoom(text.length);
    bands = lshBands(signInto(into, hashWindows(text, into), sigScratch));
  }
  // The set (hashing again and a sort) is built on first use: most entries are never compared
  // exactly (they have no candidate), and the sort was a third of an entry's fingerprint.
  let set: Uint32Array | null = null;
  return {
    titleKey: tkey,
    text,
    numbers: (tkey.match(/\d+/g) ?? []).sort().join(' '),
    date: e.date,
    language: e.language,
    bands,
    get shingles() {
      return (set ??= shingles(text));
    },
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
