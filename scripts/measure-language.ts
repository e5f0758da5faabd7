/**
 * Measures franc, restricted to the configured languages, against the gold language of the
 * fixture corpus (tests/fixtures/corpus) and the seed page (../shared/seeds, when present):
 * 1. entries (title + prose, as the language stage sees them) over a grid of
 *    languageMaxChars x languageMinLength x languageMargin;
 * 2. titles alone, by length in letters: how often franc names the entry's language.
 * The README "Language" subsection reports its output; pipelines/digest-pages.ts holds the
 * chosen settings.
 *
 * Run: node --import tsx scripts/measure-language.ts [--quick]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alignTitles } from '../src/eval/align.ts';
import { parseGold } from '../src/eval/gold.ts';
import type { GoldEntry, GoldValue } from '../src/eval/types.ts';
import { extract } from '../src/extract/extract.ts';
import { functionWordLanguage, LANGUAGE_RULES, languageOfText, languageText, letterCount, proseOnly } from '../src/language/language.ts';
import { createContext } from '../src/pipeline/context.ts';
import { toBlocks } from '../src/read/blocks.ts';
import { decodeBytes } from '../src/read/decode.ts';
import { titleWithoutPrefix } from '../src/quality/quality.ts';
import { segment } from '../src/segment/segment.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ctx = createContext({ now: new Date('2024-01-01T00:00:00Z') });
const FRANC_ONLY = LANGUAGE_RULES.filter((r) => !r.id.startsWith('language/function-words'));

interface Sample {
  set: string;
  gold: GoldValue;
  /** The gold language when it is one definite language (not `und`), else null. */
  definite: string | null;
  title: string;
  text: string;
}

function pairs(): Array<{ set: string; txt: string; gold: string }> {
  const out: Array<{ set: string; txt: string; gold: string }> = [];
  const dir = join(ROOT, 'tests/fixtures/corpus');
  for (const f of readdirSync(dir).sort()) {
    if (f.endsWith('.txt')) out.push({ set: 'corpus', txt: join(dir, f), gold: join(dir, f.replace(/\.txt$/, '.gold.jsonl')) });
  }
  const seed = join(ROOT, '../shared/seeds/digest-2022-09.txt');
  if (existsSync(seed)) out.push({ set: 'seed', txt: seed, gold: seed.replace(/\.txt$/, '.gold.jsonl') });
  return out;
}

function samples(): Sample[] {
  const out: Sample[] = [];
  for (const p of pairs()) {
    const read = decodeBytes(p.txt, readFileSync(p.txt));
    if (!read.ok) continue;
    const drafts = segment(toBlocks(read.doc), ctx).entries;
    const gold: GoldEntry[] = parseGold(readFileSync(p.gold, 'utf8'), p.gold).filter((g) => g.file === basename(p.txt));
    for (const [i, j] of alignTitles(drafts.map((d) => d.title), gold.map((g) => g.title))) {
      const ex = extract(drafts[i]!, ctx);
      const g = gold[j]!.language;
      const definite = typeof g === 'string' && g !== 'und' ? g : null;
      out.push({ set: p.set, gold: g, definite, title: drafts[i]!.title, text: languageText(ex, 100_000) });
    }
  }
  return out;
}

/** The language stage's answer under one setting (src/language/language.ts, these rules). */
function decide(text: string, maxChars: number, minLength: number, margin: number, rules = LANGUAGE_RULES): string {
  const config = { ...ctx.config, languageMaxChars: maxChars, languageMinLength: minLength, languageMargin: margin };
  return languageOfText(text.slice(0, maxChars), config, rules).value;
}

function ok(got: string, gold: GoldValue): boolean {
  return (Array.isArray(gold) ? gold : [gold]).includes(got);
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');

const all = samples();
console.log(`entries: ${all.length} (${all.filter((s) => s.set === 'corpus').length} corpus, ${all.filter((s) => s.set === 'seed').length} seed); languages: ${ctx.config.languages.join(', ')}`);

// 1. Entries over the grid.
const quick = process.argv.includes('--quick');
const maxCharsGrid = quick ? [400] : [100, 200, 400, 800, 100_000];
const minGrid = [0, 20, 30, 40, 50, 60, 80, 100];
const marginGrid = [0, 0.02, 0.05, 0.1];
for (const [name, rules] of [['franc only', FRANC_ONLY], ['function words + franc', LANGUAGE_RULES]] as const) {
console.log(`\n1. entries, ${name}: accuracy against gold (list values: any element), und answers`);
console.log('maxChars  minLength  margin  accuracy  und  wrong-language');
for (const maxChars of maxCharsGrid) {
  for (const minLength of minGrid) {
    for (const margin of marginGrid) {
      let right = 0, und = 0, wrong = 0;
      for (const s of all) {
        const got = decide(s.text, maxChars, minLength, margin, rules);
        if (ok(got, s.gold)) right++;
        if (got === 'und') und++;
        else if (!ok(got, s.gold)) wrong++;
      }
      console.log(`${String(maxChars === 100_000 ? 'all' : maxChars).padStart(8)}  ${String(minLength).padStart(9)}  ${margin.toFixed(2).padStart(6)}  ${pct(right, all.length).padStart(8)}  ${String(und).padStart(3)}  ${String(wrong).padStart(14)}`);
    }
  }
}
}

// 2. Titles alone, for entries whose gold names one language, by letters in the title.
console.log('\n2. titles alone (entries with one definite gold language), by letters in the title');
console.log('franc: no length floor, margin 0 / 0.02; fw: function words alone (decisive or silent)');
console.log('letters   titles  franc m=0 right  wrong  franc m=.02 right  und  wrong  fw right  silent  wrong');
const bins: Array<[number, number]> = [[0, 20], [20, 30], [30, 40], [40, 60], [60, 100], [100, 10_000]];
const titles = all.filter((s) => s.definite).map((s) => ({ ...s, title: proseOnly(titleWithoutPrefix(s.title)) }));
for (const [lo, hi] of bins) {
  const inBin = titles.filter((s) => letterCount(s.title) >= lo && letterCount(s.title) < hi);
  let r0 = 0, w0 = 0, r2 = 0, u2 = 0, w2 = 0, rf = 0, sf = 0, wf = 0;
  for (const s of inBin) {
    const a = decide(s.title, 100_000, 0, 0, FRANC_ONLY);
    if (a === s.definite) r0++; else w0++;
    const b = decide(s.title, 100_000, 0, 0.02, FRANC_ONLY);
    if (b === s.definite) r2++; else if (b === 'und') u2++; else w2++;
    const f = functionWordLanguage(s.title, ctx.config.languages)?.language;
    if (f === s.definite) rf++; else if (!f) sf++; else wf++;
  }
  const row = [`${lo}-${hi === 10_000 ? '' : hi - 1}`.padEnd(8), String(inBin.length).padStart(6), pct(r0, inBin.length).padStart(15), String(w0).padStart(5),
    pct(r2, inBin.length).padStart(17), String(u2).padStart(4), String(w2).padStart(5), pct(rf, inBin.length).padStart(8), String(sf).padStart(6), String(wf).padStart(5)];
  console.log(row.join('  '));
}

// 3. Speed of franc (7 languages) by languageMaxChars, over the corpus texts of >= 50 letters.
console.log('\n3. franc speed by languageMaxChars (entries of >= 50 letters, 20 rounds)');
const long = all.filter((s) => letterCount(s.text) >= 50);
for (const maxChars of [100, 200, 400, 800]) {
  const t0 = performance.now();
  for (let k = 0; k < 20; k++) for (const s of long) decide(s.text, maxChars, 0, 0.02, FRANC_ONLY);
  const perEntry = (performance.now() - t0) / (20 * long.length);
  console.log(`${String(maxChars).padStart(4)} chars: ${(perEntry * 1000).toFixed(0)} us/entry, ${Math.round(1000 / perEntry)} entries/s`);
}
