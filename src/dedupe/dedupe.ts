import { diag } from '../diagnostics.ts';
import { isRejected } from '../quality/quality.ts';
import type { DedupedEntry, Entry, RunContext } from '../types.ts';
import { contentHash, naturalKey } from './keys.ts';
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
  /** LSH bucket -> items in it. */
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
  const shared = new Map<string, BucketCandidate>();
  for (const b of fp.bands) {
    for (const cand of state.buckets.get(b) ?? []) {
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
    const key = naturalKey(e);
    const ref = `${e.file}#${e.n}`;
    const fp = fingerprint(e);
    const titleOnly = isTitleOnly(e);
    const base = { ...e, key, contentHash: contentHash(e), titleKey: fp.titleKey, bands: fp.bands, titleOnly };
    if (isRejected(e)) {
      // A rejected entry is not loaded, so it can be no item's first occurrence.
      out.push({ ...base, itemKey: key, duplicateOf: null, match: null });
      continue;
    }
    const exact = state.byKey.get(key);
    if (exact) {
      out.push({ ...base, itemKey: exact.itemKey, duplicateOf: exact.ref, match: { rule: 'exact-key', similarity: 1, of: exact.ref } });
      continue;
    }
    const fuzzy = !state.noFuzzy.has(key);
    const sameTitle = fuzzy && titleOnly && fp.titleKey ? state.byTitle.get(fp.titleKey) : undefined;
    if (sameTitle) {
      const d = diag('dedupe/repeated-title', { file: e.file, n: e.n, line: e.titleLine }, `A repeated title line; merged into ${sameTitle.ref}.`, { excerpt: e.title });
      out.push({ ...base, diagnostics: [...e.diagnostics, d], itemKey: sameTitle.itemKey, duplicateOf: sameTitle.ref, match: { rule: 'repeated-title', similarity: 1, of: sameTitle.ref } });
      continue;
    }
    const near = fuzzy && !titleOnly ? nearest(state, fp, threshold) : null;
    if (near) {
      const sim = Math.round(near.similarity * 1000) / 1000;
      const d = diag('dedupe/near-duplicate', { file: e.file, n: e.n, line: e.titleLine }, `Merged into ${near.ref} by similarity ${sim}.`, { excerpt: e.title, data: { similarity: sim, of: near.ref } });
      state.byKey.set(key, { ref: near.ref, itemKey: near.itemKey });
      out.push({ ...base, diagnostics: [...e.diagnostics, d], itemKey: near.itemKey, duplicateOf: near.ref, match: { rule: 'near-duplicate', similarity: sim, of: near.ref } });
      continue;
    }
    const seen: Seen = { ref, itemKey: key };
    state.byKey.set(key, seen);
    if (fp.titleKey && (!titleOnly || !state.byTitle.has(fp.titleKey))) state.byTitle.set(fp.titleKey, seen);
    if (!titleOnly) {
      for (const b of fp.bands) {
        const list = state.buckets.get(b);
        if (!list) state.buckets.set(b, [{ ...seen, fp }]);
        else {
          list.push({ ...seen, fp });
          if (list.length > BUCKET_ROWS) list.shift();
        }
      }
    }
    out.push({ ...base, itemKey: key, duplicateOf: null, match: null });
  }
  return out;
}
