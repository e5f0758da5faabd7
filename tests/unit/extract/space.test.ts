import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collapseSpace } from '../../../src/extract/space.ts';

describe('collapseSpace', () => {
  it('makes each run of white space one space, as /[\\s\\u00a0]+/g -> " " does', () => {
    expect(collapseSpace('a  b\n\nc\u00a0d \t e')).toBe('a b c d e');
    expect(collapseSpace(' lead and trail \n')).toBe(' lead and trail ');
    expect(collapseSpace('one space each already')).toBe('one space each already');
    expect(collapseSpace('')).toBe('');
    expect(collapseSpace('\u2028\u3000\ufeff')).toBe(' ');
  });

  it('gives the same string as the single-expression replace on generated texts', () => {
    const ws = [' ', '  ', '\n', '\t', '\r\n', '\u00a0', '\u2009', '\u2028', '\u3000', '\ufeff', '\u0085', '\u200b'];
    const piece = fc.oneof(fc.constantFrom(...ws), fc.constantFrom('a', 'Wort', '.', '(x)', 'ü'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }).map((a) => a.join('')), (s) => collapseSpace(s) === s.replace(/[\s\u00a0]+/g, ' ')),
      { numRuns: 3000, seed: 3 },
    );
  });
});
