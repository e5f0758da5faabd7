/**
 * Benchmark: the cost of deduplicating (matching) 10k new entries against 10k and against
 * 500k items already in the database. Prints the per-entry time for each size and the ratio.
 *
 *   npm run bench:dedupe                      # PGlite in memory
 *   DATABASE_URL=postgres://… npm run bench:dedupe -- --sizes 10000,500000
 *
 * Matching is what `digest ingest` does per entry before writing: one indexed lookup of its
 * natural keys (entry_keys), then, for entries without an exact key, the title-key index
 * (bare title lines) or the LSH buckets (GIN on entries.bands) and exact Jaccard on the
 * few candidates. Half of the new entries are edited copies of existing items (a typo in
 * the title), so the near-duplicate path is exercised; the other half are unseen.
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { createDb, type Db } from '../src/db/client.ts';
import { runs } from '../src/db/schema.ts';
import { dedupe, newDedupeState } from '../src/dedupe/dedupe.ts';
import { lookupKeys, matchBatch } from '../src/load/load.ts';
import { createContext } from '../src/pipeline/context.ts';
import type { Entry } from '../src/types.ts';
import { genEntry } from './generate.ts';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '10000,500000' }, new: { type: 'string', default: '10000' }, seed: { type: 'string', default: '7' } } });
const sizes = values.sizes!.split(',').map(Number);
const NEW = Number(values.new);
const SEED = Number(values.seed);
const ctx = createContext({ now: new Date('2024-01-01T00:00:00Z') });

function asEntry(i: number, edit = false): Entry {
  const g = genEntry(SEED, i);
  const title = edit ? g.title.replace(/([a-zäöü]{5,})/, (w) => `${w.slice(0, -1)}${w.slice(-1) === 'e' ? 'a' : 'e'}`) : g.title;
  const none = { rule: 'bench', line: 1, text: '' };
  return {
    file: 'bench', n: i, title, body: g.body, source: null, country: null, date: null, datePrecision: null, dateFlag: null,
    doi: null, pmid: null, pmcid: null, language: g.lang, titleLine: 1, endLine: 1,
    provenance: { title: none, country: null, source: null, date: null, doi: null, pmid: null, pmcid: null, language: null }, diagnostics: [],
  };
}

async function seedItems(db: Db, runId: number, from: number, to: number) {
  const BATCH = 2000;
  for (let start = from; start < to; start += BATCH) {
    const batch = dedupe(Array.from({ length: Math.min(BATCH, to - start) }, (_, k) => asEntry(start + k)), newDedupeState(), ctx);
    const rows = batch.map((e) => ({ key: e.key, title_key: e.titleKey, bands: e.bands, title: e.title, body: e.body, language: e.language, content_hash: e.contentHash }));
    await db.execute(sql`with ins as (
        insert into entries (key, title_key, bands, title, body, language, content_hash, provenance, issues, first_run_id, last_run_id)
        select key, title_key, bands, title, body, language, content_hash, '{}'::jsonb, '[]'::jsonb, ${runId}, ${runId}
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(key text, title_key text, bands bigint[], title text, body text, language text, content_hash text)
        on conflict (key) do nothing returning id, key)
      insert into entry_keys (key, entry_id, rule) select key, id, 'first' from ins on conflict do nothing`);
  }
}

async function measure(db: Db, existing: number) {
  // New entries: even ones edit an existing item's title (near-duplicate path), odd ones are unseen.
  const fresh = Array.from({ length: NEW }, (_, k) => (k % 2 === 0 ? asEntry(Math.floor((k / NEW) * existing), true) : asEntry(existing + 1_000_000 + k)));
  const deduped = dedupe(fresh, newDedupeState(), ctx);
  const opts = { nearThreshold: ctx.config.nearDuplicateThreshold, noFuzzy: new Set<string>() };
  let matched = 0;
  const t0 = process.hrtime.bigint();
  // As the loader does per document: one key lookup and one fuzzy query per batch of 500.
  for (let start = 0; start < deduped.length; start += 500) {
    const batch = deduped.slice(start, start + 500);
    await db.transaction(async (tx) => {
      const byKey = await lookupKeys(tx as unknown as Db, batch.flatMap((e) => [e.itemKey, e.key]));
      matched += (await matchBatch(tx as unknown as Db, batch, byKey, opts)).size;
    });
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, perEntryUs: (ms * 1000) / NEW, matched };
}

const url = process.env.DATABASE_URL;
const handle = await createDb(url ? { url } : { dir: 'memory://' });
try {
  await handle.db.execute(sql`truncate entry_keys, entries, runs restart identity cascade`);
  const [run] = await handle.db.insert(runs).values({ pipeline: 'bench', paths: [] }).returning({ id: runs.id });
  const results: Array<{ existing: number; ms: number; perEntryUs: number; matched: number; seedSeconds: number }> = [];
  let have = 0;
  for (const size of sizes.sort((a, b) => a - b)) {
    const t = Date.now();
    await seedItems(handle.db, run!.id, have, size);
    have = size;
    await handle.db.execute(sql`analyze entries`);
    await handle.db.execute(sql`analyze entry_keys`);
    const seedSeconds = (Date.now() - t) / 1000;
    const r = await measure(handle.db, size);
    results.push({ existing: size, ...r, seedSeconds });
    console.log(`existing ${String(size).padStart(7)}  new ${NEW}  match ${r.ms.toFixed(0).padStart(6)} ms  ${r.perEntryUs.toFixed(1).padStart(7)} us/entry  matched ${r.matched}  (seeding took ${seedSeconds.toFixed(1)} s)`);
  }
  const first = results[0]!;
  const last = results[results.length - 1]!;
  console.log(`ratio per-entry time ${last.existing} / ${first.existing} existing: ${(last.perEntryUs / first.perEntryUs).toFixed(2)}x  (${handle.describe})`);
  console.log(JSON.stringify({ bench: 'dedupe', database: handle.kind, new: NEW, results }));
} finally {
  await handle.close();
}
