/**
 * Entries per second of each CPU stage alone, on one thread, over N generated entries, timed
 * as bench/run.ts measureSolo() times them (segment over all documents, then extract, language,
 * quality, and dedupe within each document), so before/after figures of a speed change are
 * reproducible without a database. Each stage runs `--rounds` times over the same input; the
 * first round (cold, what bench/run.ts reports) and the best round are printed, by wall time
 * and by the process's CPU time (user + system: on a busy 2-core machine the wall time also
 * counts the time other processes held the core, the CPU time much less so).
 *
 *   node --import tsx scripts/bench-stages.ts [--entries 20000] [--per-file 500] [--seed 42] [--rounds 5] [--json]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { genPage } from '../bench/generate.ts';
import { dedupe, newDedupeState } from '../src/dedupe/dedupe.ts';
import { extract } from '../src/extract/extract.ts';
import { detectLanguage } from '../src/language/language.ts';
import { createContext } from '../src/pipeline/context.ts';
import { checkQuality } from '../src/quality/quality.ts';
import { toBlocks } from '../src/read/blocks.ts';
import { decodeBytes } from '../src/read/decode.ts';
import { segment } from '../src/segment/segment.ts';
import type { Entry, RawDocument } from '../src/types.ts';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '20000' },
    'per-file': { type: 'string', default: '500' },
    seed: { type: 'string', default: '42' },
    rounds: { type: 'string', default: '5' },
    json: { type: 'boolean' },
  },
});
const N = Number(values.entries);
const PER_FILE = Number(values['per-file']);
const SEED = Number(values.seed);
const ROUNDS = Math.max(1, Number(values.rounds));
const ctx = createContext({ now: new Date('2024-01-01T00:00:00Z') });

const docs: RawDocument[] = [];
for (let f = 0, start = 0; start < N; f++, start += PER_FILE) {
  const text = genPage(SEED, start, Math.min(PER_FILE, N - start));
  const read = decodeBytes(`page-${String(f).padStart(5, '0')}.txt`, Buffer.from(text));
  if (!read.ok) throw new Error(read.rejected.reason.message);
  docs.push(read.doc);
}
const blocks = docs.map((d) => toBlocks(d));

/** Runs `fn` ROUNDS times; returns its last output and the first and best wall and CPU times in ms. */
function timed<T>(fn: () => T): { out: T; first: number; best: number; bestCpu: number } {
  let out!: T;
  let first = 0;
  let best = Infinity;
  let bestCpu = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    const c = process.cpuUsage();
    out = fn();
    const ms = performance.now() - t;
    const cu = process.cpuUsage(c);
    if (r === 0) first = ms;
    best = Math.min(best, ms);
    bestCpu = Math.min(bestCpu, (cu.user + cu.system) / 1000);
  }
  return { out, first, best, bestCpu };
}

const seg = timed(() => blocks.flatMap((b) => segment(b, ctx).entries));
const drafts = seg.out;
const n = drafts.length;
const ext = timed(() => drafts.map((d) => extract(d, ctx)));
const lang = timed(() => ext.out.map((e) => detectLanguage(e, ctx)));
const qual = timed(() => ext.out.map((e, i) => checkQuality(e, lang.out[i]!.language, lang.out[i]!.diagnostics)));
const byDoc = new Map<string, Entry[]>();
for (const e of qual.out) (byDoc.get(e.file) ?? byDoc.set(e.file, []).get(e.file)!).push(e);
const lists = [...byDoc.values()];
const ded = timed(() => lists.map((list) => dedupe(list, newDedupeState(), ctx)));

const rate = (ms: number) => Math.round((n / ms) * 1000);
const stages = { segment: seg, extract: ext, language: lang, quality: qual, dedupe: ded };
const result = Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, { first: rate(v.first), best: rate(v.best), bestCpu: rate(v.bestCpu), usPerEntryBest: +((v.best * 1000) / n).toFixed(2) }]));
if (values.json) console.log(JSON.stringify({ entries: n, files: docs.length, rounds: ROUNDS, stages: result }));
else {
  console.log(`${n} entries in ${docs.length} documents (seed ${SEED}), ${ROUNDS} rounds, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('entries/s: first round (wall) / best round (wall) / best round (CPU time)  µs per entry (best wall)');
  for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(9)} ${String(v.first).padStart(8)} / ${String(v.best).padStart(8)} / ${String(v.bestCpu).padStart(8)}  ${v.usPerEntryBest} µs`);
}
