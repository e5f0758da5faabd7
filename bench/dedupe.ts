/**
 * Benchmark: the cost of deduplicating (matching) 10k new entries against 10k and against
 * 500k items already in the database. Prints the per-entry time for each size and the ratio.
 *
 *   npm run bench:dedupe                      # PGlite in memory
 *   DATABASE_URL=postgres://… npm run bench:dedupe -- --sizes 10000,500000
 *
 * Matching is what `digest ingest` does per entry before writing: one indexed lookup of its
 * natural keys (entry_keys), then, for entries without an exact key, the title-key index
 * (bare title lines) or the LSH buckets (the entry_buckets btree, at most BUCKET_ROWS items read
 * per bucket) and exact Jaccard on the few candidates sharing >= MIN_SHARED_BANDS buckets.
 * Half of the new entries are edited copies of existing items (a typo in the title), so the
 * near-duplicate path is exercised; the other half are unseen. Besides the time, it prints
 * how many edited copies were matched (the accuracy the speed must not cost) and the
 * candidates per entry (rows sharing any bucket, and those compared).
 *
 * Seeding is not what is measured: by default the items go in with one multi-row INSERT per
 * 5,000 and the bucket index (entry_buckets' primary key) is built afterwards, the same
 * definition as the migration, instead of being maintained row by row (with the GIN index this
 * replaced, 500k items took 9-11 minutes to seed here at load average 7-9, mostly computing
 * fingerprints; ~18 minutes with the index kept);
 * `--seed-index incremental` keeps the index while inserting, as a loader would. Both sizes are seeded the same way, and
 * `VACUUM ANALYZE` runs before each measurement. `--repeat N` measures each size N times, each
 * time with other new entries (edits of other items, other unseen ones), and takes the median:
 * other work on the machine moves single figures. The 1-minute load average is printed with
 * each figure. `--reuse` with one size measures against the items an earlier run left in the
 * database, when it holds exactly that many, without seeding again: so two databases (one per
 * size) can be measured in turns, under the same conditions, instead of ten minutes apart.
 *
 *   DATABASE_URL=…/small npm run bench:dedupe -- --sizes 10000     # seeds, measures
 *   DATABASE_URL=…/large npm run bench:dedupe -- --sizes 500000    # seeds, measures
 *   DATABASE_URL=…/small npm run bench:dedupe -- --sizes 10000 --reuse    # then in turns
 *   DATABASE_URL=…/large npm run bench:dedupe -- --sizes 500000 --reuse
 * (`--rep-from N` makes a later turn take other new entries than the turns before it.)
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { createDb, type Db, rowsOf } from '../src/db/client.ts';
import { runs } from '../src/db/schema.ts';
import { dedupe, newDedupeState } from '../src/dedupe/dedupe.ts';
import { lookupKeys, matchBatch, nearCandidates } from '../src/load/load.ts';
import { createContext } from '../src/pipeline/context.ts';
import type { Entry } from '../src/types.ts';
import { genEntry } from './generate.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,500000' },
    new: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '7' },
    'seed-index': { type: 'string', default: 'bulk' },
    repeat: { type: 'string', default: '1' },
    reuse: { type: 'boolean', default: false },
    'rep-from': { type: 'string', default: '0' },
  },
});
const REPEAT = Math.max(1, Number(values.repeat));
/** The first repetition's number: which new entries it takes (runs in turns take other ones). */
const REP_FROM = Number(values['rep-from']);
if (!['bulk', 'incremental'].includes(values['seed-index']!)) throw new Error('--seed-index is bulk or incremental');
const BULK = values['seed-index'] === 'bulk';
const sizes = values.sizes!.split(',').map(Number);
if (values.reuse && sizes.length !== 1) throw new Error('--reuse takes one size');
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

/** The bucket index, as migrations/0001_entry_buckets.sql defines it. */
const BANDS_INDEX = sql`alter table "entry_buckets" add constraint "entry_buckets_pkey" primary key ("bucket", "entry_id")`;

async function seedItems(db: Db, runId: number, from: number, to: number) {
  const BATCH = 5000;
  if (from >= to) return;
  if (BULK) await db.execute(sql`alter table "entry_buckets" drop constraint if exists "entry_buckets_pkey"`);
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
  if (BULK) await db.execute(BANDS_INDEX);
}

/** Candidates per probe after the timed run: rows sharing any bucket (all of them, counted), and those compared. */
async function candidateCounts(db: Db, list: ReturnType<typeof dedupe>) {
  const probes = list.filter((e) => !e.titleOnly).map((e, i) => ({ i, bands: e.bands }));
  const sharing: number[] = [];
  let compared = 0;
  let comparedMax = 0;
  for (let start = 0; start < probes.length; start += 500) {
    const part = probes.slice(start, start + 500);
    const rows = rowsOf<{ n: number }>(await db.execute(sql`select (select count(distinct s.entry_id) from entry_buckets s where s.bucket = any(q.bands))::int as n
      from jsonb_to_recordset(${JSON.stringify(part)}::jsonb) as q(i int, bands bigint[])`));
    for (const r of rows) sharing.push(r.n);
    for (const c of (await nearCandidates(db, part)).values()) {
      compared += c.length;
      comparedMax = Math.max(comparedMax, c.length);
    }
  }
  sharing.sort((a, b) => a - b);
  const avg = sharing.reduce((a, b) => a + b, 0) / sharing.length;
  return { sharingAvg: Math.round(avg * 10) / 10, sharingP99: sharing[Math.floor(sharing.length * 0.99)]!, sharingMax: sharing[sharing.length - 1]!, comparedAvg: Math.round((compared / probes.length) * 100) / 100, comparedMax };
}

async function measure(db: Db, existing: number, rep: number) {
  // New entries: even ones edit an existing item's title (near-duplicate path), odd ones are
  // unseen. Each repetition edits other items and brings other unseen entries.
  const fresh = Array.from({ length: NEW }, (_, k) =>
    k % 2 === 0 ? asEntry((Math.floor((k / NEW) * existing) + rep * 7919) % existing, true) : asEntry(existing + 1_000_000 + rep * NEW + k),
  );
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
  const edited = deduped.filter((e, k) => k % 2 === 0 && !e.titleOnly).length;
  const load = loadavg()[0]!;
  return { ms, perEntryUs: (ms * 1000) / NEW, matched, edited, load, candidates: await candidateCounts(db, deduped) };
}

const url = process.env.DATABASE_URL;
const handle = await createDb(url ? { url } : { dir: 'memory://' });
try {
  const held = rowsOf<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from entries`))[0]!.n;
  const reuse = values.reuse && held === sizes[0];
  if (values.reuse && !reuse) console.log(`--reuse: the database holds ${held} items, not ${sizes[0]}: seeding`);
  if (!reuse) await handle.db.execute(sql`truncate entry_keys, entries, runs restart identity cascade`);
  const [run] = await handle.db.insert(runs).values({ pipeline: 'bench', paths: [] }).returning({ id: runs.id });
  type Rep = Awaited<ReturnType<typeof measure>>;
  const results: Array<{ existing: number; seedSeconds: number; perEntryUs: number; reps: Rep[] }> = [];
  let have = reuse ? held : 0;
  for (const size of sizes.sort((a, b) => a - b)) {
    const t = Date.now();
    await seedItems(handle.db, run!.id, have, size);
    have = size;
    await handle.db.execute(sql`vacuum analyze entries`);
    await handle.db.execute(sql`vacuum analyze entry_keys`);
    const seedSeconds = (Date.now() - t) / 1000;
    console.log(`existing ${String(size).padStart(7)}  (${reuse ? 'reused from an earlier run' : `seeding took ${seedSeconds.toFixed(1)} s, index ${values['seed-index']}`})`);
    const reps: Rep[] = [];
    for (let rep = 0; rep < REPEAT; rep++) {
      const r = await measure(handle.db, size, REP_FROM + rep);
      reps.push(r);
      const c = r.candidates;
      console.log(`  new ${NEW}  match ${r.ms.toFixed(0).padStart(6)} ms  ${r.perEntryUs.toFixed(1).padStart(7)} us/entry  matched ${r.matched} (edited copies ${r.edited})  load ${r.load.toFixed(2)}`);
      console.log(`    candidates per entry: sharing a bucket avg ${c.sharingAvg}, p99 ${c.sharingP99}, max ${c.sharingMax}; compared avg ${c.comparedAvg}, max ${c.comparedMax}`);
    }
    const sorted = reps.map((r) => r.perEntryUs).sort((a, b) => a - b);
    const median = sorted.length % 2 ? sorted[sorted.length >> 1]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    if (REPEAT > 1) console.log(`  median ${median.toFixed(1)} us/entry over ${REPEAT}`);
    results.push({ existing: size, seedSeconds, perEntryUs: median, reps });
  }
  const first = results[0]!;
  const last = results[results.length - 1]!;
  if (results.length > 1) console.log(`ratio per-entry time ${last.existing} / ${first.existing} existing: ${(last.perEntryUs / first.perEntryUs).toFixed(2)}x  (${handle.describe})`);
  console.log(JSON.stringify({ bench: 'dedupe', database: handle.kind, new: NEW, results }));
} finally {
  await handle.close();
}
