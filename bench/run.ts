/**
 * End-to-end benchmark: generates a seeded corpus of digest pages, ingests it into a fresh
 * database, and prints entries/s, MB/s, peak RSS, the per-stage breakdown, each stage's solo
 * throughput measured in the same process, and the ratio end-to-end / slowest stage; then
 * re-ingests the unchanged corpus and prints its time as a share of the first run.
 *
 *   npm run bench                                   # 10k entries into PGlite (in memory)
 *   npm run bench -- --entries 100000               # 100k
 *   DATABASE_URL=postgres://… npm run bench -- --entries 100000
 *   npm run bench -- --entries 1000000 --db-dir /tmp/bench-pglite   # 1M (opt-in)
 *   npm run bench -- --workers 0                    # every stage in the main thread
 *
 * The end-to-end run uses `--workers` parse threads (default: one per core beyond the first)
 * while the main thread loads, and sums the time of each load step (`load steps`). The solo
 * rates are each stage alone on one thread, measured after the end-to-end run (so they do not
 * count in its peak RSS): the CPU stages over the first 20k entries; the load over the whole
 * corpus again, into the emptied database, each document parsed first (untimed) and then
 * loaded (timed), so the table sizes are those of the run (`--skip-solo-load` skips it; it
 * takes about as long as the run). The slowest stage is named twice: among the CPU stages,
 * and among all stages with the load.
 *
 * Results go to stdout as a table and to bench/out/results-<entries>-<db>.json.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { createDb } from '../src/db/client.ts';
import { dedupe, newDedupeState } from '../src/dedupe/dedupe.ts';
import { extract } from '../src/extract/extract.ts';
import { detectLanguage } from '../src/language/language.ts';
import { createContext } from '../src/pipeline/context.ts';
import { defaultParseWorkers } from '../src/pipeline/pool.ts';
import { runIngest } from '../src/pipeline/run.ts';
import { parseRead } from '../src/pipeline/prepare.ts';
import { readInput } from '../src/read/files.ts';
import { LOAD_STEPS, type LoadTimings, loadDocument, retireAndFinish, startRun } from '../src/load/load.ts';
import { checkQuality } from '../src/quality/quality.ts';
import { toBlocks } from '../src/read/blocks.ts';
import { decodeBytes } from '../src/read/decode.ts';
import { segment } from '../src/segment/segment.ts';
import type { Entry, EntryDraft, ExtractedEntry, RawDocument } from '../src/types.ts';
import { genPage } from './generate.ts';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '10000' },
    'per-file': { type: 'string', default: '500' },
    seed: { type: 'string', default: '42' },
    'db-dir': { type: 'string' },
    'skip-solo': { type: 'boolean' },
    'skip-solo-load': { type: 'boolean' },
    workers: { type: 'string' },
  },
});
const WORKERS = values.workers != null ? Number(values.workers) : defaultParseWorkers();
const N = Number(values.entries);
const PER_FILE = Number(values['per-file']);
const SEED = Number(values.seed);
const ctx = createContext({ now: new Date('2024-01-01T00:00:00Z') });

// 1. The corpus (reused when it already exists for these parameters).
const dir = join('bench', 'out', `corpus-${N}-${PER_FILE}-${SEED}`);
if (!(() => { try { return readdirSync(dir).length === Math.ceil(N / PER_FILE); } catch { return false; } })()) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (let f = 0, start = 0; start < N; f++, start += PER_FILE) {
    writeFileSync(join(dir, `page-${String(f).padStart(5, '0')}.txt`), genPage(SEED, start, Math.min(PER_FILE, N - start)));
  }
}
const files = readdirSync(dir).sort().map((f) => join(dir, f));
const bytes = files.reduce((s, f) => s + statSync(f).size, 0);

function rate(count: number, ms: number) {
  return Math.round((count / ms) * 1000);
}

// 2. Each stage alone, on one thread, over (up to) the first 20k entries (run after step 3).
const solo: Record<string, number> = {};
function measureSolo(): void {
  const sample = files.slice(0, Math.max(1, Math.ceil(Math.min(N, 20000) / PER_FILE)));
  const time = <T>(name: string, count: () => number, fn: () => T): T => {
    const t = performance.now();
    const out = fn();
    solo[name] = rate(count(), performance.now() - t);
    return out;
  };
  const raw = sample.map((f) => readFileSync(f));
  let t = performance.now();
  const docs = raw.map((b, i) => (decodeBytes(sample[i]!, b) as { ok: true; doc: RawDocument }).doc);
  const readMs = performance.now() - t;
  t = performance.now();
  const blocks = docs.map((d) => toBlocks(d));
  const blocksMs = performance.now() - t;
  t = performance.now();
  const drafts: EntryDraft[] = blocks.flatMap((b) => segment(b, ctx).entries);
  const segmentMs = performance.now() - t;
  const n = drafts.length;
  solo.read = rate(n, readMs);
  solo.blocks = rate(n, blocksMs);
  solo.segment = rate(n, segmentMs);
  const extracted: ExtractedEntry[] = time('extract', () => n, () => drafts.map((d) => extract(d, ctx)));
  const langs = time('language', () => n, () => extracted.map((e) => detectLanguage(e, ctx)));
  const entries: Entry[] = time('quality', () => n, () => extracted.map((e, i) => checkQuality(e, langs[i]!.language, langs[i]!.diagnostics)));
  // Dedupe as the pipeline runs it: within each document (across documents, the loader matches
  // against the database).
  const byDoc = new Map<string, Entry[]>();
  for (const e of entries) (byDoc.get(e.file) ?? byDoc.set(e.file, []).get(e.file)!).push(e);
  time('dedupe', () => n, () => [...byDoc.values()].map((list) => dedupe(list, newDedupeState(), ctx)));
}

/**
 * The load alone: the whole corpus again into an emptied database, one document at a time on
 * this thread, each parsed first (not timed) and then loaded (timed, with the retiring step):
 * the rate the loader reaches with nothing else running, at the same table sizes as the run.
 */
async function measureSoloLoad(h: Awaited<ReturnType<typeof createDb>>): Promise<number> {
  await truncateAll(h);
  const runId = await startRun(h.db, ctx.config.name, files);
  const noFuzzy = new Set<string>();
  let loaded = 0;
  let ms = 0;
  for (const f of files) {
    const read = await readInput(f, ctx.config.maxFileBytes);
    if (!read.ok) continue;
    const p = parseRead(read.doc, { ...ctx, runId }, noFuzzy, Date.now());
    if (p.kind !== 'parsed') continue;
    const t = performance.now();
    await loadDocument(h.db, runId, p.doc, p.entries, p.diagnostics, { nearThreshold: ctx.config.nearDuplicateThreshold, noFuzzy });
    ms += performance.now() - t;
    loaded += p.entries.length;
  }
  const t = performance.now();
  await retireAndFinish(h.db, runId);
  ms += performance.now() - t;
  return rate(loaded, ms);
}

async function truncateAll(h: Awaited<ReturnType<typeof createDb>>): Promise<void> {
  await h.db.execute(sql`truncate runs, documents, entries, entry_keys, entry_versions, occurrences, diagnostics, dedupe_overrides restart identity cascade`);
}

// 3. End to end into a fresh database, then the unchanged re-run.
const url = process.env.DATABASE_URL;
const dbDir = values['db-dir'];
if (dbDir) rmSync(dbDir, { recursive: true, force: true });
const handle = await createDb(url ? { url } : { dir: dbDir ?? 'memory://' });
try {
  if (url) await truncateAll(handle);
  const loadTimings: LoadTimings = {};
  const t0 = performance.now();
  const first = await runIngest(handle, files, ctx, () => {}, { workers: WORKERS, loadTimings });
  const e2eMs = performance.now() - t0;
  const rss = process.resourceUsage().maxRSS * 1024;
  const stages = (await handle.db.execute(sql`select coalesce(sum(parse_ms),0)::float8 as parse, coalesce(sum(load_ms),0)::float8 as load from documents`)) as unknown;
  const st = (Array.isArray(stages) ? stages[0] : (stages as { rows: unknown[] }).rows[0]) as { parse: number; load: number };
  const t1 = performance.now();
  const second = await runIngest(handle, files, ctx, () => {}, { workers: WORKERS });
  const rerunMs = performance.now() - t1;
  if (!values['skip-solo']) measureSolo();
  const e2eRate = rate(first.counts.entriesRead, e2eMs);
  const slowest = Object.entries(solo).sort((a, b) => a[1] - b[1])[0];
  const loadRate = st.load > 0 ? rate(first.counts.entriesRead, st.load) : null;
  if (!values['skip-solo'] && !values['skip-solo-load']) solo.load = await measureSoloLoad(handle);
  const slowestWithLoad = solo.load != null && (!slowest || solo.load < slowest[1]) ? ['load', solo.load] as const : slowest;
  const steps = LOAD_STEPS.filter((k) => loadTimings[k] != null).map((k) => [k, Math.round(loadTimings[k]!)] as const);
  const stepsTotal = steps.reduce((a, [, v]) => a + v, 0);
  const result = {
    entries: first.counts.entriesRead, files: files.length, megabytes: +(bytes / 1e6).toFixed(1), database: handle.kind, workers: WORKERS,
    e2eSeconds: +(e2eMs / 1000).toFixed(2), entriesPerSecond: e2eRate, mbPerSecond: +((bytes / 1e6) / (e2eMs / 1000)).toFixed(2),
    peakRssMb: Math.round(rss / 1e6), breakdownMs: { parse: Math.round(st.parse), load: Math.round(st.load) },
    soloEntriesPerSecond: solo, slowestStage: slowest?.[0] ?? null,
    ratioEndToEndToSlowest: slowest ? +(e2eRate / slowest[1]).toFixed(2) : null,
    loadEntriesPerSecondInRun: loadRate, loadStepsMs: Object.fromEntries(steps), slowestIncludingLoad: slowestWithLoad?.[0] ?? null,
    ratioEndToEndToSlowestIncludingLoad: slowestWithLoad ? +(e2eRate / slowestWithLoad[1]).toFixed(2) : null,
    loadAverage: (await import('node:os')).loadavg().map((x) => +x.toFixed(2)),
    rerunSeconds: +(rerunMs / 1000).toFixed(3), rerunShareOfFirst: +(rerunMs / e2eMs).toFixed(4),
    rerunAllUnchanged: second.counts.entriesUnchanged === second.counts.entriesRead,
    counts: first.counts,
  };
  console.log(`corpus      ${result.entries} entries in ${result.files} files, ${result.megabytes} MB (${handle.describe}), ${WORKERS} parse worker(s), load average ${result.loadAverage.join(' ')}`);
  console.log(`end to end  ${result.e2eSeconds} s  ${result.entriesPerSecond} entries/s  ${result.mbPerSecond} MB/s  peak RSS ${result.peakRssMb} MB`);
  console.log(`breakdown   parse ${result.breakdownMs.parse} ms, load ${result.breakdownMs.load} ms (summed over documents; with workers they overlap) = load ${loadRate ?? '?'} entries/s`);
  console.log(`load steps  ${steps.map(([k, v]) => `${k} ${v} ms (${Math.round((v / stepsTotal) * 100)}%)`).join(', ')}`);
  console.log(`solo        ${Object.entries(solo).map(([k, v]) => `${k} ${v}/s`).join(', ')}`);
  console.log(`ratio       end-to-end / slowest CPU stage solo (${result.slowestStage} ${slowest?.[1] ?? '?'}/s) = ${result.ratioEndToEndToSlowest}`);
  console.log(`ratio       end-to-end / slowest stage incl. the load solo (${result.slowestIncludingLoad} ${slowestWithLoad?.[1] ?? '?'}/s) = ${result.ratioEndToEndToSlowestIncludingLoad}`);
  console.log(`re-run      ${result.rerunSeconds} s = ${(result.rerunShareOfFirst * 100).toFixed(2)}% of the first run (all unchanged: ${result.rerunAllUnchanged})`);
  mkdirSync(join('bench', 'out'), { recursive: true });
  writeFileSync(join('bench', 'out', `results-${N}-${handle.kind}.json`), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await handle.close();
}
