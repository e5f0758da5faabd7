/**
 * Dumps everything the CPU stages produce, so that a speed change can be shown to change no
 * output: for every file of tests/fixtures/corpus/, the seed page (../shared/seeds, when present)
 * and 20 generated bench pages, one JSONL file per input with
 *   - the document-level diagnostics and every segmented draft (boundaries, links),
 *   - every extracted entry (fields with provenance, diagnostics),
 *   - every deduped entry, all fields (key, itemKey, contentHash, titleKey, bands, duplicateOf,
 *     match, language, diagnostics), deduped within the document as the pipeline does,
 *   - each entry's fingerprint (bands and shingle count) and its exact nearSimilarity to the
 *     eight entries before it, printed with full float precision (bands and similarities are
 *     stored in databases and must stay bit-identical);
 * plus all.jsonl: every input deduped against one shared state, as `digest parse` does, and
 * edited.jsonl: the entries of the corpus, the seed page and two generated pages, each followed
 * by copies with a few words replaced, dropped or inserted, deduped as one list (so the
 * near-duplicate rule, its candidates and their ranking are exercised, not only exact keys).
 *
 *   node --import tsx scripts/parse-snapshot.ts /tmp/cpu-before
 *   node --import tsx scripts/parse-snapshot.ts /tmp/cpu-after && diff -r /tmp/cpu-before /tmp/cpu-after
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { genPage, rng } from '../bench/generate.ts';
import { dedupe, newDedupeState } from '../src/dedupe/dedupe.ts';
import { fingerprint, nearSimilarity } from '../src/dedupe/similarity.ts';
import { extract } from '../src/extract/extract.ts';
import { createContext } from '../src/pipeline/context.ts';
import { parseDocument } from '../src/pipeline/parse.ts';
import { toBlocks } from '../src/read/blocks.ts';
import { decodeBytes } from '../src/read/decode.ts';
import { segment } from '../src/segment/segment.ts';
import type { Entry, RawDocument } from '../src/types.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const out = process.argv[2];
if (!out) throw new Error('usage: parse-snapshot.ts OUT_DIR');
mkdirSync(out, { recursive: true });
const ctx = createContext({ now: new Date('2024-01-01T00:00:00Z') });

const inputs: Array<{ name: string; path: string; bytes: Uint8Array }> = [];
const corpus = join(ROOT, 'tests/fixtures/corpus');
for (const f of readdirSync(corpus).sort()) if (f.endsWith('.txt')) inputs.push({ name: f, path: `corpus/${f}`, bytes: readFileSync(join(corpus, f)) });
const seed = join(ROOT, '../shared/seeds/digest-2022-09.txt');
const seedPath = existsSync(seed) ? seed : '/work/shared/seeds/digest-2022-09.txt';
inputs.push({ name: basename(seedPath), path: 'seeds/digest-2022-09.txt', bytes: readFileSync(seedPath) });
// 20 generated pages: 16 consecutive ones of the bench corpus (seed 42, 500 entries each) and
// 4 of other seeds and sizes.
for (let f = 0; f < 16; f++) inputs.push({ name: `gen-42-${f}.txt`, path: `gen/page-${f}.txt`, bytes: Buffer.from(genPage(42, f * 500, 500)) });
for (const [s, start, count] of [[1, 0, 300], [7, 1000, 800], [99, 50, 50], [2024, 0, 1500]] as const) {
  inputs.push({ name: `gen-${s}-${start}-${count}.txt`, path: `gen/s${s}-${start}.txt`, bytes: Buffer.from(genPage(s, start, count)) });
}

/** JSON with numbers written so that any change of a double shows (JSON.stringify already
 * round-trips doubles; this makes it explicit and keeps bigint-like band values exact). */
const line = (v: unknown) => `${JSON.stringify(v)}\n`;
const shingleCount = (s: unknown) => (s instanceof Set ? s.size : (s as ArrayLike<number>).length);

/** `text` with `edits` seeded word replacements, deletions and insertions. */
function edit(text: string, edits: number, r: () => number): string {
  const words = text.split(' ');
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(r() * words.length);
    const op = r();
    // Letters only: a number in an edited title would make the titles' numbers differ.
    if (op < 0.4) words[at] = `xq${Math.floor(r() * 1e6).toString(26).replace(/\d/g, (d) => 'ghijklmnop'[+d]!)}`;
    else if (op < 0.7) words.splice(at, 1);
    else words.splice(at, 0, `zy${Math.floor(r() * 1e6).toString(26).replace(/\d/g, (d) => 'ghijklmnop'[+d]!)}`);
  }
  return words.join(' ');
}

const shared = newDedupeState();
const forEdits: Entry[] = [];
let all = '';
for (const input of inputs) {
  const read = decodeBytes(input.path, input.bytes);
  if (!read.ok) throw new Error(`${input.path}: ${read.rejected.reason.message}`);
  const doc: RawDocument = read.doc;
  let s = '';
  const blocks = toBlocks(doc);
  const seg = segment(blocks, ctx);
  s += line({ kind: 'doc', diagnostics: [...doc.diagnostics, ...blocks.diagnostics, ...seg.diagnostics] });
  for (const d of seg.entries) s += line({ kind: 'draft', ...d });
  for (const d of seg.entries) {
    const ex = extract(d, ctx);
    s += line({ kind: 'extracted', n: d.n, body: ex.body, sourceNote: ex.sourceNote, fields: ex.fields, diagnostics: ex.diagnostics });
  }
  const parsed = parseDocument(doc, ctx);
  s += line({ kind: 'parsed-doc', diagnostics: parsed.diagnostics });
  const deduped = dedupe(parsed.entries, newDedupeState(), ctx);
  for (const e of deduped) s += line({ kind: 'entry', ...e });
  const fps = parsed.entries.map((e) => fingerprint(e));
  const fpsNoBands = parsed.entries.map((e) => fingerprint(e, false));
  fps.forEach((fp, i) => {
    const nb = fpsNoBands[i]!;
    const sims: Array<number | null> = [];
    for (let j = Math.max(0, i - 8); j < i; j++) sims.push(nearSimilarity(fp, fps[j]!), nearSimilarity(nb, fpsNoBands[j]!));
    s += line({ kind: 'fp', n: i + 1, titleKey: fp.titleKey, text: fp.text, numbers: fp.numbers, date: fp.date, language: fp.language, bands: fp.bands, shingles: shingleCount(fp.shingles), noBands: [nb.titleKey === fp.titleKey, nb.text === fp.text, nb.bands.length, shingleCount(nb.shingles)], self: nearSimilarity(fp, fp), sims });
  });
  writeFileSync(join(out, `${input.name}.jsonl`), s);
  if (!input.path.startsWith('gen/') || input.path === 'gen/page-0.txt' || input.path === 'gen/s1-0.txt') forEdits.push(...parsed.entries);
  for (const e of dedupe(parsed.entries, shared, ctx)) all += line({ file: e.file, n: e.n, itemKey: e.itemKey, duplicateOf: e.duplicateOf, match: e.match, issues: e.diagnostics.map((d) => d.code) });
}
writeFileSync(join(out, 'all.jsonl'), all);

const r = rng(11);
const edited: Entry[] = [];
for (const e of forEdits) {
  edited.push({ ...e, file: 'edited.txt', n: edited.length + 1 });
  for (let c = 0; c < 3; c++) {
    const words = `${e.title} ${e.body}`.split(' ').length;
    const k = 1 + Math.floor(r() * Math.max(1, words / 8));
    const onTitle = r() < 0.3;
    // Another source: a different natural key, so only the near-duplicate rule can merge it.
    const source = r() < 0.8 ? `${e.source ?? 'Copy'} ${'abc'[c]}` : e.source;
    edited.push({ ...e, file: 'edited.txt', n: edited.length + 1, source, title: onTitle ? edit(e.title, k, r) : e.title, body: onTitle ? e.body : edit(e.body, k, r) });
  }
}
let ed = '';
for (const e of dedupe(edited, newDedupeState(), ctx)) ed += line({ n: e.n, key: e.key, itemKey: e.itemKey, titleKey: e.titleKey, bands: e.bands, contentHash: e.contentHash, duplicateOf: e.duplicateOf, match: e.match, diagnostics: e.diagnostics });
const efps = edited.map((e) => fingerprint(e));
efps.forEach((fp, i) => {
  const sims: Array<number | null> = [];
  for (let j = Math.max(0, i - 4); j < i; j++) sims.push(nearSimilarity(fp, efps[j]!));
  ed += line({ n: i + 1, sims });
});
writeFileSync(join(out, 'edited.jsonl'), ed);
console.log(`${inputs.length} inputs written to ${out}`);
