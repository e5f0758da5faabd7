/**
 * Benchmark: what the near-duplicate bucket index costs the server per item, apart from
 * everything else the loader does. It answers "how fast could a load be at best, while every
 * item stays findable by its LSH buckets?" with figures instead of guesses.
 *
 *   DATABASE_URL=postgres://… npm run bench:band-index
 *   DATABASE_URL=postgres://… npm run bench:band-index -- --base 100000 --batch 10000 --repeat 3
 *
 * In a scratch schema of the database (dropped at the end), for each layout below it inserts
 * `--base` rows, then times inserting `--batch` more (the median of `--repeat` batches), each
 * row with BANDS random bucket keys (LSH bucket keys are hashes: uniform, so random keys cost
 * what real ones cost) and a ~600-byte text column like an item:
 *
 *   no-index      the rows alone (what an item row costs without its buckets)
 *   gin-int8      bigint[] with a GIN index, fastupdate off (entries.bands' index up to
 *                 migrations/0001)
 *   gin-int4      int[] keys (band in the top bits), same index: do narrower keys help?
 *   side-btree    one (bucket, item) row per key in a side table with a btree index (what
 *                 entry_buckets became, there inserted per statement in bucket order)
 *
 * and then `gin-build`: CREATE INDEX over all rows of gin-int8 at once (the bulk path a
 * back-fill could take), per row; and `probe`: the loader's bounded lookup of BANDS buckets
 * (at most BUCKET_ROWS items each) for `--batch` new rows against the GIN index, per row.
 * Prints a table and writes bench/out/band-index-BASE.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { BANDS, BUCKET_ROWS } from '../src/dedupe/similarity.ts';

const { values } = parseArgs({
  options: {
    base: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '10000' },
    repeat: { type: 'string', default: '3' },
  },
});
const BASE = Number(values.base);
const BATCH = Number(values.batch);
const REPEAT = Math.max(1, Number(values.repeat));
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('bench:band-index measures the PostgreSQL server: set DATABASE_URL (PGlite is not what this question is about).');
  process.exit(2);
}

const schema = `bench_band_index_${process.pid}`;
const pg = postgres(url, { max: 1, onnotice: () => {} });

/** SQL for `n` rows' worth of keys: BANDS per row, band number in the high bits. */
const int8Keys = `(select array_agg((b::bigint << 32) + floor(random() * 4294967296)::bigint + 0 * g) from generate_series(0, ${BANDS - 1}) b)`;
const int4Keys = `(select array_agg((b << 26) | floor(random() * 67108864)::int + 0 * g) from generate_series(0, ${BANDS - 1}) b)`;
const PAD = `repeat('x', 600)`;

interface Layout {
  name: string;
  setup: string[];
  /** Inserts `n` rows numbered from `from`. */
  insert: (from: number, n: number) => string;
}

const layouts: Layout[] = [
  {
    name: 'no-index',
    setup: ['create table plain (id int primary key, bands bigint[] not null, body text not null)'],
    insert: (from, n) => `insert into plain select g, ${int8Keys}, ${PAD} from generate_series(${from}, ${from + n - 1}) g`,
  },
  {
    name: 'gin-int8',
    setup: [
      'create table gin8 (id int primary key, bands bigint[] not null, body text not null)',
      'create index gin8_bands on gin8 using gin (bands) with (fastupdate = off)',
    ],
    insert: (from, n) => `insert into gin8 select g, ${int8Keys}, ${PAD} from generate_series(${from}, ${from + n - 1}) g`,
  },
  {
    name: 'gin-int4',
    setup: [
      'create table gin4 (id int primary key, bands int[] not null, body text not null)',
      'create index gin4_bands on gin4 using gin (bands) with (fastupdate = off)',
    ],
    insert: (from, n) => `insert into gin4 select g, ${int4Keys}, ${PAD} from generate_series(${from}, ${from + n - 1}) g`,
  },
  {
    name: 'side-btree',
    setup: [
      'create table side (id int primary key, body text not null)',
      'create table side_keys (bucket bigint not null, item int not null)',
      'create index side_keys_bucket on side_keys (bucket)',
    ],
    insert: (from, n) => `with i as (insert into side select g, ${PAD} from generate_series(${from}, ${from + n - 1}) g returning id)
      insert into side_keys select (b::bigint << 32) + floor(random() * 4294967296)::bigint, i.id from i, generate_series(0, ${BANDS - 1}) b`,
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(q: string): Promise<number> {
  const t = performance.now();
  await pg.unsafe(q);
  return performance.now() - t;
}

const results: Array<{ layout: string; usPerRow: number; samplesMs: number[] }> = [];
try {
  await pg.unsafe(`create schema ${schema}`);
  await pg.unsafe(`set search_path = ${schema}`);
  await pg.unsafe(`select setseed(0.42)`);
  for (const l of layouts) {
    for (const s of l.setup) await pg.unsafe(s);
    // The base in chunks, so one statement never holds 3M generated keys in memory at once.
    for (let from = 1; from <= BASE; from += 20000) await pg.unsafe(l.insert(from, Math.min(20000, BASE - from + 1)));
    await pg.unsafe('checkpoint').catch(() => {}); // needs superuser or pg_checkpoint; optional
    const samples: number[] = [];
    for (let r = 0; r < REPEAT; r++) samples.push(await timed(l.insert(BASE + 1 + r * BATCH, BATCH)));
    const us = (median(samples) * 1000) / BATCH;
    results.push({ layout: l.name, usPerRow: us, samplesMs: samples.map((x) => Math.round(x)) });
    console.log(`${l.name.padEnd(12)} ${us.toFixed(1).padStart(7)} µs/row  (batches of ${BATCH}: ${samples.map((x) => `${Math.round(x)} ms`).join(', ')})`);
  }

  // The bulk path: the same GIN index built at once over every row gin-int8 holds.
  const rows = BASE + REPEAT * BATCH;
  await pg.unsafe('drop index gin8_bands');
  const buildMs = await timed('create index gin8_bands on gin8 using gin (bands) with (fastupdate = off)');
  results.push({ layout: 'gin-build', usPerRow: (buildMs * 1000) / rows, samplesMs: [Math.round(buildMs)] });
  console.log(`${'gin-build'.padEnd(12)} ${((buildMs * 1000) / rows).toFixed(1).padStart(7)} µs/row  (CREATE INDEX over ${rows} rows: ${Math.round(buildMs)} ms)`);

  // The loader's probe (see nearCandidates in src/load/load.ts): per new row, its BANDS
  // buckets, at most BUCKET_ROWS items each, counted.
  await pg.unsafe('analyze gin8');
  const probeMs = await timed(`select q.g, count(*) from (select g, ${int8Keys} as bands from generate_series(1, ${BATCH}) g) q
    cross join lateral unnest(q.bands) as b(band)
    cross join lateral (select e.id from gin8 e where e.bands @> array[b.band] limit ${BUCKET_ROWS}) c
    group by q.g`);
  results.push({ layout: 'probe', usPerRow: (probeMs * 1000) / BATCH, samplesMs: [Math.round(probeMs)] });
  console.log(`${'probe'.padEnd(12)} ${((probeMs * 1000) / BATCH).toFixed(1).padStart(7)} µs/row  (${BANDS} bucket lookups for each of ${BATCH} rows: ${Math.round(probeMs)} ms)`);
  console.log(`base ${BASE} rows, ${BANDS} keys per row, load average ${loadavg()[0]!.toFixed(2)}`);
  mkdirSync('bench/out', { recursive: true });
  const file = `bench/out/band-index-${BASE}.json`;
  writeFileSync(file, `${JSON.stringify({ base: BASE, batch: BATCH, repeat: REPEAT, bands: BANDS, loadavg: loadavg()[0], results }, null, 2)}\n`);
  console.log(`written ${file}`);
} finally {
  await pg.unsafe(`drop schema if exists ${schema} cascade`);
  await pg.end();
}
