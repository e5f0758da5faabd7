import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { francAll } from 'franc';
import { describe, expect, it } from 'vitest';
import { extract } from '../../../src/extract/extract.ts';
import { ISO6391_TO_6393, languageText } from '../../../src/language/language.ts';
import { francRanking } from '../../../src/language/trigrams.ts';
import { defaultConfig } from '../../../src/pipeline/context.ts';
import { toBlocks } from '../../../src/read/blocks.ts';
import { decodeBytes } from '../../../src/read/decode.ts';
import { segment } from '../../../src/segment/segment.ts';
import { genPage } from '../../../bench/generate.ts';
import { testContext } from '../extract/helpers.ts';

const only = defaultConfig().languages.map((l) => ISO6391_TO_6393[l]!);
const franc = (text: string) => francAll(text, { only, minLength: 1 });

/** The texts the language stage sees for every entry of a document. */
function entryTexts(path: string, bytes: Buffer, maxChars: number): string[] {
  const read = decodeBytes(path, bytes);
  if (!read.ok) return [];
  const ctx = testContext();
  return segment(toBlocks(read.doc), ctx).entries.map((d) => languageText(extract(d, ctx), maxChars));
}

describe('francRanking', () => {
  it('gives the same ranking and scores as franc on every entry of the fixture corpus, whole and at 400 characters', () => {
    const dir = 'tests/fixtures/corpus';
    let n = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.txt'))) {
      for (const max of [400, 100_000]) {
        for (const text of entryTexts(join(dir, f), readFileSync(join(dir, f)), max)) {
          expect(francRanking(text, only)).toEqual(franc(text));
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(200);
  });

  it('gives the same answers as franc on generated English and German pages', () => {
    const texts = entryTexts('gen.txt', Buffer.from(genPage(7, 0, 300)), 400);
    expect(texts.length).toBeGreaterThan(250);
    for (const text of texts) expect(francRanking(text, only)).toEqual(franc(text));
  });

  it('gives the same answers as franc on mixed scripts, punctuation, digits and edge cases', () => {
    const cases = [
      '', 'a', '   ', '1234 5678', '!!!', 'Ünïcödé ßtraße und die Öffnung', 'İstanbul İçin DİKKAT', 'Здравствуйте, как дела? the end',
      'Привет мир и все', 'abc Привет мир', '東京 is a city in Japan 東京東京東京', 'naïve café crème brûlée pour les enfants',
      'The quick brown fox jumps over the lazy dog', 'Der schnelle braune Fuchs springt über den faulen Hund',
      `${'x'.repeat(3000)} the and of`, 'Ελληνικά και English mixed text here', 'constructor __proto__ toString valueOf',
      'ab\u00a0cd\tef\ngh', 'één twee drie voor het kind', 'ação não são também',
    ];
    for (const text of cases) expect(francRanking(text, only)).toEqual(franc(text));
  });

  it('gives the same answers as franc on generated texts of U+0000-U+00FF (its one-pass clean) and a few wider characters', () => {
    const words = ['the ', 'und ', 'der ', 'les ', 'het ', 'não ', 'Straße ', 'ÜBER ', 'Ærø ', 'ÞORN ', 'naïve '];
    const latin1 = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));
    const wider = ['\u2013', '\u2019', '\u201e', '\u0130', '\u1e9e', '\u03a3', '\u0410', '\ud801\udf80', '\u00df'];
    const piece = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...words) }, { weight: 3, arbitrary: fc.constantFrom(...latin1) }, { weight: 1, arbitrary: fc.constantFrom(...wider) });
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 120 }).map((a) => a.join('')), (text) => {
        expect(francRanking(text, only)).toEqual(franc(text));
      }),
      { numRuns: 1500, seed: 11 },
    );
  });

  it('falls back to franc itself when a configured language has no Latin-script model', () => {
    const mixed = ['eng', 'rus'];
    for (const text of ['the people of the city', 'люди города и села']) {
      expect(francRanking(text, mixed)).toEqual(francAll(text, { only: mixed, minLength: 1 }));
    }
  });
});
