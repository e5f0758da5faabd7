import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { genEntry } from '../../../bench/generate.ts';
import { rng } from '../../../bench/generate.ts';

/**
 * A generated corpus of digest pages in two versions, for the crash harness: `v1/pages/*` and
 * `v2/pages/*` (the same names; v2 changes a few pages and adds one). Ingested from a working
 * folder as the relative path `pages`, so every database stores the same paths.
 *
 * What v2 changes, so that every kind of load is exercised after a crash:
 * - page 1: five entries get a new first sentence (same natural key: `updated`);
 * - page 2: its first ten entries are gone (their items leave the latest version);
 * - page 3: ten new entries at the end;
 * - page 4: a typo fixed in five titles (a new key matched by similarity, or a new item);
 * - page 5: the same entries in reverse order (new positions);
 * - `page-new.txt`: a page that only v2 has.
 * Every page after the first ends with two entries of the page before (duplicates across
 * documents); `~5%` of entries repeat within their page; one entry per page has no usable
 * title (rejected as `entry/empty-title`); `zz-picture.txt` is a PNG (rejected `read/binary`).
 */
export interface Corpus {
  root: string;
  v1: string;
  v2: string;
  files: number;
  perFile: number;
  /** Entries in all v1 pages (rejected ones included). */
  entriesV1: number;
  /** Pages v2 changes or adds (file names). */
  changedInV2: string[];
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

function page(texts: string[]): string {
  return `${['A- A A+', ...texts].join('\n\n\n')}\n`;
}

const name = (f: number) => `page-${String(f).padStart(3, '0')}.txt`;

/** Builds the corpus under `root` (deterministic for `seed`). */
export function buildCorpus(root: string, opts: { seed: number; files: number; perFile: number }): Corpus {
  const { seed, files, perFile } = opts;
  if (files < 6) throw new Error('the corpus needs at least 6 pages');
  const r = rng(seed);
  const v1 = join(root, 'v1/pages');
  const v2 = join(root, 'v2/pages');
  mkdirSync(v1, { recursive: true });
  mkdirSync(v2, { recursive: true });
  const pages: string[][] = [];
  let entriesV1 = 0;
  for (let f = 0; f < files; f++) {
    const texts: string[] = [];
    for (let i = 0; i < perFile; i++) {
      // ~5% repeat an earlier entry of the same page (as the real pages do).
      const idx = i > 5 && r() < 0.05 ? f * perFile + Math.floor(r() * i) : f * perFile + i;
      texts.push(genEntry(seed, idx).text);
    }
    // Two entries of the page before, at the end (v2 below changes none of them: an item two
    // pages carry, changed on one of them, is the subject of its own test).
    if (f > 0) texts.push(genEntry(seed, (f - 1) * perFile + 1).text, genEntry(seed, (f - 1) * perFile + 2).text);
    texts.splice(3, 0, `— — —\n\nA paragraph without a usable title on page ${f}.`);
    pages.push(texts);
    entriesV1 += texts.length;
    writeFileSync(join(v1, name(f)), page(texts));
  }
  writeFileSync(join(v1, 'zz-picture.txt'), PNG);

  const v2Pages = pages.map((t) => [...t]);
  // page 1: a new first sentence in five entries (same title, source and date).
  v2Pages[1] = v2Pages[1]!.map((t, i) => (i >= 5 && i < 10 && t.includes('\n\n') ? t.replace('\n\n', '\n\nA correction was published later. ') : t));
  // page 2: the first ten entries removed (the chrome line stays).
  v2Pages[2] = v2Pages[2]!.slice(10);
  // page 3: ten entries added at the end.
  v2Pages[3] = [...v2Pages[3]!, ...Array.from({ length: 10 }, (_, k) => genEntry(seed, 900_000 + k).text)];
  // page 4: a typo fixed in five titles (the title's last word, which holds the entry number, kept).
  v2Pages[4] = v2Pages[4]!.map((t, i) => (i >= 4 && i < 9 ? t.replace(/^(\S+)/, '$1s') : t));
  // page 5: reversed.
  v2Pages[5] = [...v2Pages[5]!].reverse();
  const changedInV2 = [1, 2, 3, 4, 5].map(name);
  for (let f = 0; f < files; f++) writeFileSync(join(v2, name(f)), page(v2Pages[f]!));
  writeFileSync(join(v2, 'page-new.txt'), page(Array.from({ length: perFile }, (_, k) => genEntry(seed, 800_000 + k).text)));
  writeFileSync(join(v2, 'zz-picture.txt'), PNG);
  changedInV2.push('page-new.txt');
  return { root, v1: join(root, 'v1'), v2: join(root, 'v2'), files, perFile, entriesV1, changedInV2 };
}

/** Makes `work/pages` hold exactly the pages of `version` (a folder holding `pages/`). */
export function usePages(work: string, version: string): void {
  const dest = join(work, 'pages');
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const f of readdirSync(join(version, 'pages'))) cpSync(join(version, 'pages', f), join(dest, f));
}

/**
 * Pages for the concurrency tests: `files` pages that all open with the same two entries (at
 * the same lines, so whichever page loads them first gives the item the same values and
 * provenance), followed by `perFile` entries of their own. Two loaders working on different
 * pages at once therefore race to create the same items.
 */
export function buildSharedCorpus(root: string, opts: { seed: number; files: number; perFile: number }): string {
  const dir = join(root, 'shared/pages');
  mkdirSync(dir, { recursive: true });
  const shared = [genEntry(opts.seed, 990_001).text, genEntry(opts.seed, 990_002).text];
  for (let f = 0; f < opts.files; f++) {
    const own = Array.from({ length: opts.perFile }, (_, i) => genEntry(opts.seed, f * opts.perFile + i).text);
    writeFileSync(join(dir, name(f)), page([...shared, ...own]));
  }
  return join(root, 'shared');
}
