import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.ts';
import { dedupe, newDedupeState } from '../../src/dedupe/dedupe.ts';
import { BUCKET_ROWS, MAX_CANDIDATES, MIN_SHARED_BANDS } from '../../src/dedupe/similarity.ts';
import { findItem, lookupKeys, matchBatch, nearCandidates } from '../../src/load/load.ts';
import { createContext } from '../../src/pipeline/context.ts';
import type { DedupedEntry, Entry } from '../../src/types.ts';
import { dbTargets, insertItems, openWithRun, type TestItem } from '../helpers/db.ts';
import { NOW } from '../helpers/paths.ts';

const ctx = createContext({ now: NOW });
const opts = { nearThreshold: ctx.config.nearDuplicateThreshold, noFuzzy: new Set<string>() };

/**
 * Buckets made up for a test: `n` values from `base` on, far from real ones. The tests give
 * items and probes chosen buckets, so what they share is known exactly.
 */
const buckets = (base: number, n: number) => Array.from({ length: n }, (_, k) => 900_000_000_000 + base * 1000 + k);

const TEXT = 'Peers open a new harm reduction centre in the north of the city';
const BODY = 'The centre offers naloxone training, drug checking, a quiet room and a kitchen run by volunteers who use drugs themselves.';

/** An entry as the loader gets it, with the given buckets instead of its own. */
function probe(title: string, body: string, bands: number[], n = 1): DedupedEntry {
  const none = { rule: 'test', line: 1, text: '' };
  const e: Entry = {
    file: 'probe.txt', n, title, body, source: null, country: null, date: null, datePrecision: null, dateFlag: null,
    doi: null, pmid: null, pmcid: null, language: 'en', titleLine: 1, endLine: 1,
    provenance: { title: none, country: null, source: null, date: null, doi: null, pmid: null, pmcid: null, language: null }, diagnostics: [],
  };
  return { ...dedupe([e], newDedupeState(), ctx)[0]!, bands };
}

describe.each(dbTargets())('near-duplicate candidates on $name', (target) => {
  let handle: DbHandle;
  let runId: number;
  let close: () => Promise<void>;

  const addItems = (items: TestItem[]) => insertItems(handle.db, runId, items);

  beforeAll(async () => {
    ({ handle, runId, close } = await openWithRun(target));
  });
  afterAll(async () => {
    await close?.();
  });

  it('finds a near-duplicate that shares exactly MIN_SHARED_BANDS buckets, and not one that shares fewer', async () => {
    const [item] = await addItems([{ key: 'few-buckets', title: TEXT, body: BODY, bands: buckets(1, 32) }]);
    const mine = buckets(1, 32);
    const two = probe(`${TEXT}!`, `${BODY} Open daily.`, [...mine.slice(0, MIN_SHARED_BANDS), ...buckets(2, 32 - MIN_SHARED_BANDS)]);
    const one = probe(`${TEXT}!`, `${BODY} Open daily.`, [...mine.slice(0, MIN_SHARED_BANDS - 1), ...buckets(3, 33 - MIN_SHARED_BANDS)], 2);
    const cands = await nearCandidates(handle.db, [{ i: 0, bands: two.bands }, { i: 1, bands: one.bands }]);
    expect(cands.get(0)?.map((c) => [c.id, c.shared])).toEqual([[item, MIN_SHARED_BANDS]]);
    expect(cands.get(1)).toBeUndefined();
    const found = await matchBatch(handle.db, [two, one], new Map(), opts);
    expect(found.get(0)).toMatchObject({ id: item, rule: 'near-duplicate' });
    expect(found.get(0)!.similarity).toBeGreaterThanOrEqual(0.8);
    expect(found.has(1)).toBe(false);
    // The single-entry path (replay) takes the same decision.
    expect(await findItem(handle.db, two, new Map(), opts)).toMatchObject({ id: item, rule: 'near-duplicate' });
  });

  it('reads at most BUCKET_ROWS items of a bucket that boilerplate filled, and still finds the near-duplicate added after them', async () => {
    // 5 * BUCKET_ROWS items that share two buckets (a journal line, an author list) and
    // nothing else, then the item the probe is an edited copy of: it shares those two
    // buckets too, and four more with the probe.
    const common = buckets(10, 2);
    const crowd = Array.from({ length: 5 * BUCKET_ROWS }, (_, k) => ({
      key: `crowd-${k}`, title: `Unrelated report number ${k} on a different subject`, body: 'Meyer A, Novak B, Okoro C. Int J Drug Policy. 2021;90:103115.', bands: [...common, ...buckets(100 + k, 30)],
    }));
    const crowdIds = await addItems(crowd);
    const [late] = await addItems([{ key: 'late', title: `USA. ${TEXT}`, body: BODY, bands: [...common, ...buckets(20, 30)] }]);
    expect(late).toBeGreaterThan(Math.max(...crowdIds));

    const copy = probe(`USA. ${TEXT}`, `${BODY} Open daily.`, [...common, ...buckets(20, 4), ...buckets(21, 26)]);
    const cands = (await nearCandidates(handle.db, [{ i: 0, bands: copy.bands }])).get(0)!;
    expect(cands.length).toBeLessThanOrEqual(MAX_CANDIDATES);
    // It ranks first on the buckets the boilerplate does not fill. It is counted in 4 buckets,
    // not 6: the filled ones were read only up to their first BUCKET_ROWS items (the crowd's,
    // which came first), so they cost BUCKET_ROWS rows each, not 5 * BUCKET_ROWS.
    expect(cands[0]).toMatchObject({ id: late, shared: 4 });
    expect(cands.slice(1).every((c) => c.shared === 2 && crowdIds.includes(c.id))).toBe(true);
    expect(await matchBatch(handle.db, [copy], new Map(), opts)).toEqual(new Map([[0, expect.objectContaining({ id: late, rule: 'near-duplicate' })]]));

    // A probe with one of the filled buckets and nothing else in common has no candidate.
    const onlyBoilerplate = [common[0]!, ...buckets(30, 31)];
    expect((await nearCandidates(handle.db, [{ i: 0, bands: onlyBoilerplate }])).size).toBe(0);
  });

  it('looks natural keys up in one statement, however many', async () => {
    await addItems([{ key: 'k-a', title: 'a', body: 'a', bands: buckets(40, 32) }]);
    await handle.db.execute(sql`insert into entry_keys (key, entry_id, rule) select key, id, 'first' from entries where key in ('k-a', 'late')`);
    const keys = [...Array.from({ length: 3000 }, (_, k) => `missing-${k}`), 'k-a', 'late', 'k-a'];
    const found = await lookupKeys(handle.db, keys);
    expect([...found.keys()].sort()).toEqual(['k-a', 'late']);
    expect(found.get('late')).toMatchObject({ contentHash: 'late', lastRunId: runId });
    expect((await lookupKeys(handle.db, [])).size).toBe(0);
  });
});
