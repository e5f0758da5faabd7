import { diag } from '../diagnostics.ts';
import { isRejected } from '../quality/quality.ts';
import type { DedupedEntry, Entry, MatchDecision, RunContext } from '../types.ts';
import { contentHash, naturalKey, titleKey } from './keys.ts';
import { BUCKET_ROWS, type Fingerprint, fingerprint, MAX_CANDIDATES, MIN_SHARED_BANDS, nearSimilarity } from './similarity.ts';

interface Seen {
  ref: string;
  itemKey: string;
}

/** What the deduper remembers across the entries (and documents) it has seen. */
export interface DedupeState {
  /** natural key -> the first occurrence (`FILE#n`) and its item key. */
  byKey: Map<string, Seen>;
  /** folded title -> the most recent full entry with that title. */
  byTitle: Map<string, Seen>;
  /** LSH bucket -> items in it (one object per item, shared by all its buckets). */
  buckets: Map<number, Array<Seen & { fp: Fingerprint }>>;
  /** Keys a person split off (`digest split`): never matched by a fuzzy rule. */
  noFuzzy: ReadonlySet<string>;
}

/** A fresh state. `noFuzzy`: natural keys that must keep an item of their own. */
export function newDedupeState(noFuzzy: ReadonlySet<string> = new Set()): DedupeState {
  return { byKey: new Map(), byTitle: new Map(), buckets: new Map(), noFuzzy };
}

/** True for an entry that is only a title line: no body, no source, no date. */
export function isTitleOnly(e: Pick<Entry, 'body' | 'source' | 'date'>): boolean {
  return !e.body.trim() && !e.source && !e.date;
}

/** An earlier item in an entry's LSH buckets, and how many of the entry's buckets hold it. */
export interface BucketCandidate {
  cand: Seen & { fp: Fingerprint };
  shared: number;
}

/**
 * The items an entry is compared with: of those in its LSH buckets (each bucket keeps its
 * BUCKET_ROWS most recent items), the ones in at least MIN_SHARED_BANDS of them, the
 * MAX_CANDIDATES in most first (ties in the order they were met).
 */
export function bucketCandidates(state: DedupeState, fp: Fingerprint): BucketCandidate[] {
  const lists: Array<Array<Seen & { fp: Fingerprint }>> = [];
  for (const b of fp.bands) {
    const list = state.buckets.get(b);
    if (list) lists.push(list);
  }
  // Most entries have no earlier near-duplicate: fewer than MIN_SHARED_BANDS of their buckets
  // hold anything, and no item can be in enough of them.
  if (lists.length < MIN_SHARED_BANDS) return [];
  const shared = new Map<string, BucketCandidate>();
  for (const list of lists) {
    for (const cand of list) {
      const hit = shared.get(cand.ref);
      if (hit) hit.shared++;
      else shared.set(cand.ref, { cand, shared: 1 });
    }
  }
  return [...shared.values()].filter((c) => c.shared >= MIN_SHARED_BANDS).sort((a, b) => b.shared - a.shared).slice(0, MAX_CANDIDATES);
}

/** The best near-duplicate of `fp` at or above `threshold` among its bucket candidates. */
function nearest(state: DedupeState, fp: Fingerprint, threshold: number): (Seen & { similarity: number }) | null {
  const ranked = bucketCandidates(state, fp);
  let best: (Seen & { similarity: number }) | null = null;
  for (const { cand } of ranked) {
    const sim = nearSimilarity(fp, cand.fp);
    if (sim != null && sim >= threshold && (!best || sim > best.similarity)) best = { ref: cand.ref, itemKey: cand.itemKey, similarity: sim };
  }
  return best;
}

/** What dedupe adds to an entry. */
type DedupeFields = Omit<DedupedEntry, keyof Entry>;

/**
 * The deduped entry: the entry's fields (with `diagnostics`), then `add`, in the order
 * `{ ...e, diagnostics, ...add }` gives for an entry from checkQuality. Written out field by
 * field: V8 copied a spread entry and then added nine keys at ~15 µs per entry, the written-out
 * literal takes ~0.1 µs. A field added to Entry must be added here (the type check says so).
 */
function deduped(e: Entry, diagnostics: Entry['diagnostics'], add: DedupeFields): DedupedEntry {
  return {
    file: e.file,
    n: e.n,
    title: e.title,
    body: e.body,
    source: e.source,
    country: e.country,
    date: e.date,
    datePrecision: e.datePrecision,
    dateFlag: e.dateFlag,
    doi: e.doi,
    pmid: e.pmid,
    pmcid: e.pmcid,
    language: e.language,
    titleLine: e.titleLine,
    endLine: e.endLine,
    provenance: e.provenance,
    diagnostics,
    key: add.key,
    contentHash: add.contentHash,
    titleKey: add.titleKey,
    bands: add.bands,
    titleOnly: add.titleOnly,
    itemKey: add.itemKey,
    duplicateOf: add.duplicateOf,
    match: add.match,
  };
}

/**
 * The `dedupe` stage: assigns every entry to an item, in order.
 * 1. exact-key: the same natural key (title without prefix + source + date) as an earlier
 *    entry -> the same item.
 * 2. repeated-title: a bare title line whose folded title equals an earlier entry's -> that
 *    entry's item (the stray repeated title line of the pages).
 * 3. near-duplicate: MinHash/LSH candidates, then exact Jaccard of character 5-grams of title
 *    + body >= `ctx.config.nearDuplicateThreshold`, unless a guard separates them (different
 *    numbers in the titles, disagreeing dates, different languages). The similarity is kept.
 * Entries are compared with those seen before in `state` (this document, or this run).
 */
export function dedupe(entries: readonly Entry[], state: DedupeState, ctx: RunContext): DedupedEntry[] {
  const threshold = ctx.config.nearDuplicateThreshold;
  const out: DedupedEntry[] = [];
  for (const e of entries) {
    // The folded title is the costly part of the key and of the fingerprint: fold it once.
    const tkey = titleKey(e.title);
    const key = naturalKey(e, tkey);
    const ref = `${e.file}#${e.n}`;
    const fp = fingerprint(e, true, tkey);
    const titleOnly = isTitleOnly(e);
    const hash = contentHash(e);
    const row = (itemKey: string, duplicateOf: string | null, match: MatchDecision | null, diagnostics = e.diagnostics): DedupedEntry =>
      deduped(e, diagnostics, { key, contentHash: hash, titleKey: fp.titleKey, bands: fp.bands, titleOnly, itemKey, duplicateOf, match });
    if (isRejected(e)) {
      // A rejected entry is not loaded, so it can be no item's first occurrence.
      out.push(row(key, null, null));
      continue;
    }
    const exact = state.byKey.get(key);
    if (exact) {
      out.push(row(exact.itemKey, exact.ref, { rule: 'exact-key', similarity: 1, of: exact.ref }));
      continue;
    }
    const fuzzy = !state.noFuzzy.has(key);
    const sameTitle = fuzzy && titleOnly && fp.titleKey ? state.byTitle.get(fp.titleKey) : undefined;
    if (sameTitle) {
      const d = diag('dedupe/repeated-title', { file: e.file, n: e.n, line: e.titleLine }, `A repeated title line; merged into ${sameTitle.ref}.`, { excerpt: e.title });
      out.push(row(sameTitle.itemKey, sameTitle.ref, { rule: 'repeated-title', similarity: 1, of: sameTitle.ref }, [...e.diagnostics, d]));
      continue;
    }
    const near = fuzzy && !titleOnly ? nearest(state, fp, threshold) : null;
    if (near) {
      const sim = Math.round(near.similarity * 1000) / 1000;
      const d = diag('dedupe/near-duplicate', { file: e.file, n: e.n, line: e.titleLine }, `Merged into ${near.ref} by similarity ${sim}.`, { excerpt: e.title, data: { similarity: sim, of: near.ref } });
      state.byKey.set(key, { ref: near.ref, itemKey: near.itemKey });
      out.push(row(near.itemKey, near.ref, { rule: 'near-duplicate', similarity: sim, of: near.ref }, [...e.diagnostics, d]));
      continue;
    }
    const seen: Seen = { ref, itemKey: key };
    state.byKey.set(key, seen);
    if (fp.titleKey && (!titleOnly || !state.byTitle.has(fp.titleKey))) state.byTitle.set(fp.titleKey, seen);
    if (!titleOnly) {
      // One object in all of the item's buckets (it is never changed), not a copy per bucket.
      const item = { ref, itemKey: key, fp };
      for (const b of fp.bands) {
        const list = state.buckets.get(b);
        if (!list) state.buckets.set(b, [item]);
        else {
          list.push(item);
          if (list.length > BUCKET_ROWS) list.shift();
        }
      }
    }
    out.push(row(key, null, null));
  }
  return out;
}
