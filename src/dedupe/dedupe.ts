import { diag } from '../diagnostics.ts';
import type { DedupedEntry, Entry, RunContext } from '../types.ts';
import { contentHash, naturalKey, titleKey } from './keys.ts';

/** What the deduper remembers across the documents of one run. */
export interface DedupeState {
  /** natural key -> the first occurrence (`FILE#n`) and its item key. */
  byKey: Map<string, { ref: string; itemKey: string }>;
  /** folded title -> the most recent occurrence with that title. */
  byTitle: Map<string, { ref: string; itemKey: string }>;
}

/** A fresh state for a run. */
export function newDedupeState(): DedupeState {
  return { byKey: new Map(), byTitle: new Map() };
}

/** True for an entry that is only a title line: no body, no source, no date. */
function titleOnly(e: Entry): boolean {
  return !e.body.trim() && !e.source && !e.date;
}

/**
 * The `dedupe` stage (within a run): assigns every entry to an item.
 * 1. exact-key: the same natural key (title without prefix + source + date) as an earlier
 *    entry of this run -> the same item.
 * 2. repeated-title: a bare title line (no body, source or date) whose folded title equals an
 *    earlier entry's -> that entry's item (the stray repeated title line of the pages).
 * Entries are visited in order; `state` carries what was seen across documents.
 */
export function dedupe(entries: readonly Entry[], state: DedupeState, _ctx: RunContext): DedupedEntry[] {
  const out: DedupedEntry[] = [];
  for (const e of entries) {
    const key = naturalKey(e);
    const ref = `${e.file}#${e.n}`;
    const base = { ...e, key, contentHash: contentHash(e) };
    const tkey = titleKey(e.title);
    const exact = state.byKey.get(key);
    if (exact) {
      out.push({ ...base, itemKey: exact.itemKey, duplicateOf: exact.ref, match: { rule: 'exact-key', similarity: 1, of: exact.ref } });
      continue;
    }
    const sameTitle = tkey ? state.byTitle.get(tkey) : undefined;
    if (sameTitle && titleOnly(e)) {
      const d = diag('dedupe/repeated-title', { file: e.file, n: e.n, line: e.titleLine }, `A repeated title line; merged into ${sameTitle.ref}.`, { excerpt: e.title });
      out.push({ ...base, diagnostics: [...e.diagnostics, d], itemKey: sameTitle.itemKey, duplicateOf: sameTitle.ref, match: { rule: 'repeated-title', similarity: 1, of: sameTitle.ref } });
      continue;
    }
    state.byKey.set(key, { ref, itemKey: key });
    if (tkey && !titleOnly(e)) state.byTitle.set(tkey, { ref, itemKey: key });
    else if (tkey && !state.byTitle.has(tkey)) state.byTitle.set(tkey, { ref, itemKey: key });
    out.push({ ...base, itemKey: key, duplicateOf: null, match: null });
  }
  return out;
}
