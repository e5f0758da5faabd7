import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldForKey } from '../../../src/dedupe/keys.ts';

/** foldForKey as it was before its Latin-1 fast path: the general path, for every text. */
function generalFold(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2010-\u2015\u2212-]/g, ' ')
    .replace(/['\u2018\u2019\u201a\u201b\u2032`´"\u201c\u201d\u201e\u201f\u00ab\u00bb]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Every character of U+0000-U+00FF, plus neighbours that fold or compose: the fast path's edges. */
const LATIN1 = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));
const EDGES = ['\u0301', '\u0308', '\u2010', '\u2013', '\u2212', '\u2019', '\u201e', '\u201c', '\u2032', '\u0130', '\u0178', '\u017f', '\ufb01', '\u00b5', '\u2044'];

describe('foldForKey on ASCII and Latin-1 letters (the fast path)', () => {
  it('gives what the general path gives for each character of U+0000-U+00FF between letters', () => {
    for (const c of LATIN1) {
      for (const s of [c, `a${c}b`, ` ${c} `, `Z${c}${c}9`]) expect(foldForKey(s), JSON.stringify(s)).toBe(generalFold(s));
    }
  });

  it('gives what the general path gives for generated texts of Latin-1 and folding characters', () => {
    const char = fc.constantFrom(...LATIN1, ...EDGES, 'a', 'E', 'ß', 'Ü', ' ', '-', "'");
    fc.assert(
      fc.property(fc.array(char, { maxLength: 60 }).map((a) => a.join('')), (s) => foldForKey(s) === generalFold(s)),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('folds real titles as before: "Don\'t" loses its quote, "don´t" is two words, « » go', () => {
    expect(foldForKey("Kanada. Don't Stop – NOW!")).toBe('kanada dont stop now');
    expect(foldForKey('don´t')).toBe('don t');
    expect(foldForKey('«Übergänge» GROẞE Straße')).toBe(generalFold('«Übergänge» GROẞE Straße'));
    expect(foldForKey('Süchtige & Ärzte: 24/7 × 2')).toBe('süchtige ärzte 24 7 2');
  });
});
