import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bucketCandidates, dedupe, newDedupeState } from '../../../src/dedupe/dedupe.ts';
import { BUCKET_ROWS, fingerprint, jaccard, MAX_CANDIDATES, MIN_SHARED_BANDS } from '../../../src/dedupe/similarity.ts';
import { ROOT } from '../../helpers/paths.ts';
import { entryOf, testContext } from '../extract/helpers.ts';
import { rng } from '../../../bench/generate.ts';

/** Title + body of every entry of the corpus fixtures that has a body. */
function corpusEntries(): Array<{ title: string; body: string }> {
  const dir = join(ROOT, 'tests/fixtures/corpus');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split(/\n\s*\n\s*\n/))
    .map((t) => t.trim().split('\n'))
    .filter((lines) => lines.length > 1 && !lines[0]!.startsWith('A- A'))
    .map(([title, ...rest]) => ({ title: title!, body: rest.join('\n').trim() }));
}

/** `text` with `edits` random word replacements, deletions and insertions. */
function edit(text: string, edits: number, r: () => number): string {
  const words = text.split(' ');
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(r() * words.length);
    const op = r();
    if (op < 0.4) words[at] = `xq${Math.floor(r() * 1e6)}`;
    else if (op < 0.7) words.splice(at, 1);
    else words.splice(at, 0, `zy${Math.floor(r() * 1e6)}`);
  }
  return words.join(' ');
}

const shared = (a: number[], b: number[]) => {
  const set = new Set(a);
  return b.filter((x) => set.has(x)).length;
};

describe('near-duplicate candidates', () => {
  it('edited copies at Jaccard >= 0.8 share at least MIN_SHARED_BANDS buckets with the original (long texts and bare titles)', () => {
    const r = rng(4);
    const fewest = { body: Infinity, title: Infinity };
    let pairs = 0;
    for (const { title, body } of corpusEntries()) {
      for (let rep = 0; rep < 4; rep++) {
        for (const kind of ['body', 'title'] as const) {
          const b = kind === 'body' ? body : '';
          const a = fingerprint({ title, body: b, date: null, language: 'en' });
          const words = `${title} ${b}`.split(' ').length;
          const edited = edit(kind === 'body' ? `${title}\n${b}` : title, 1 + Math.floor(r() * Math.max(1, words / (kind === 'body' ? 6 : 12))), r);
          const [t2, ...rest] = edited.split('\n');
          const c = fingerprint({ title: t2!, body: rest.join('\n'), date: null, language: 'en' });
          if (jaccard(a.shingles, c.shingles) < 0.8) continue;
          pairs++;
          fewest[kind] = Math.min(fewest[kind], shared(a.bands, c.bands));
        }
      }
    }
    expect(pairs).toBeGreaterThan(500);
    expect(fewest.body).toBeGreaterThanOrEqual(MIN_SHARED_BANDS);
    expect(fewest.title).toBeGreaterThanOrEqual(MIN_SHARED_BANDS);
  });

  it('finds an edited copy of an early entry after hundreds of entries with the same author list and journal filled the shared buckets', () => {
    const r = rng(9);
    const authors = 'Meyer A, Novak B, Okoro C, Lindqvist D, Haddad E, Brennan F, Castillo G, Dvorak H, Ilunga J, Kowalczyk K, Mbeki L, Nakamura M.';
    const journal = 'Int J Drug Policy. 2021 Mar 3;90:103115. doi: 10.1016/j.drugpo.2021.103115. Epub ahead of print.';
    // Titles of made-up words, so that only the boilerplate is common to them.
    const word = () => Array.from({ length: 4 + Math.floor(r() * 5) }, (_, k) => (k % 2 ? 'aeiou' : 'bdfgklmnprstvz')[Math.floor(r() * (k % 2 ? 5 : 14))]).join('');
    const title = () => Array.from({ length: 8 + Math.floor(r() * 5) }, word).join(' ');
    const state = newDedupeState();
    const ctx = testContext();
    const texts = Array.from({ length: 5 * BUCKET_ROWS }, () => `${title()}\n\n${authors}\n\n${journal}`);
    // Made-up words read as one language or another: fix it, so the language guard stays out of this.
    const english = (t: string, file: string, n: number) => ({ ...entryOf(t, file, n), language: 'en' });
    const first = dedupe(texts.map((t, i) => english(t, 'page.txt', i + 1)), state, ctx);
    // The shared author and journal lines make them similar, not the same item.
    expect(first.filter((e) => e.duplicateOf).map((e) => [e.n, e.duplicateOf, e.match?.similarity])).toEqual([]);

    const [titleOf3, ...rest] = texts[2]!.split('\n');
    const copy = `${titleOf3!.replace(/(\w)(\w)(\w*)$/, '$2$1$3')}\n${rest.join('\n')}`;
    const probe = english(copy, 'later.txt', 1);
    const cands = bucketCandidates(state, fingerprint(probe));
    expect(cands.length).toBeLessThanOrEqual(MAX_CANDIDATES);
    expect(cands.every((c) => c.shared >= MIN_SHARED_BANDS)).toBe(true);
    expect(cands[0]!.cand.ref).toBe('page.txt#3');
    const [out] = dedupe([probe], state, ctx);
    expect(out).toMatchObject({ duplicateOf: 'page.txt#3', match: { rule: 'near-duplicate' } });
  });

  it('gives an entry no candidate that shares only one bucket with it', () => {
    const state = newDedupeState();
    const ctx = testContext();
    const [a] = dedupe([entryOf('Peers open a new harm reduction centre in the north\n\nThe centre offers naloxone training, drug checking and a quiet room.', 'a.txt', 1)], state, ctx);
    // A fingerprint that holds exactly one of a's buckets (and 31 of nobody's).
    const fp = fingerprint(entryOf('Something else entirely about a court ruling on clinics', 'b.txt', 1));
    const one = { ...fp, bands: [a!.bands[5]!, ...fp.bands.slice(1)] };
    const two = { ...fp, bands: [a!.bands[5]!, a!.bands[9]!, ...fp.bands.slice(2)] };
    expect(bucketCandidates(state, one)).toEqual([]);
    expect(bucketCandidates(state, two).map((c) => [c.cand.ref, c.shared])).toEqual([['a.txt#1', 2]]);
  });
});
