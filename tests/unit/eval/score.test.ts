import { describe, expect, it } from 'vitest';
import { alignTitles, normaliseTitle } from '../../../src/eval/align.ts';
import { fieldMatches } from '../../../src/eval/match.ts';
import { score } from '../../../src/eval/score.ts';
import type { EvalReport } from '../../../src/eval/types.ts';
import { gold, rec } from './helpers.ts';

const accuracy = (report: EvalReport, field: string): number | undefined =>
  report.fields.find((f) => f.field === field)?.accuracy;

describe('normaliseTitle and alignTitles', () => {
  it('treats no-break spaces, runs of white space and NFD accents like their plain forms', () => {
    expect(normaliseTitle('\u00a0INPUD.\u00a0Universal  Review\u00a0')).toBe('INPUD. Universal Review');
    expect(normaliseTitle('Su\u0308d-Afrika.')).toBe('Süd-Afrika.');
  });

  it('aligns around a missing and an extra entry without shifting the rest', () => {
    expect(alignTitles(['A', 'X', 'C', 'D'], ['A', 'B', 'C', 'D'])).toEqual([
      [0, 0],
      [2, 2],
      [3, 3],
    ]);
  });

  it('aligns a single repeated title to its first occurrence', () => {
    expect(alignTitles(['A', 'B'], ['A', 'A', 'B'])).toEqual([
      [0, 0],
      [1, 2],
    ]);
  });
});

describe('fieldMatches', () => {
  it('accepts any element of a gold list', () => {
    expect(fieldMatches('country', 'HU', ['CA', 'HU'])).toBe(true);
    expect(fieldMatches('country', 'DE', ['CA', 'HU'])).toBe(false);
  });

  it('treats null as a value: it matches null or a list holding null, nothing else', () => {
    expect(fieldMatches('date', null, null)).toBe(true);
    expect(fieldMatches('date', null, ['2020', null])).toBe(true);
    expect(fieldMatches('date', null, ['2020'])).toBe(false);
    expect(fieldMatches('date', null, '2020')).toBe(false);
    expect(fieldMatches('date', '2020', null)).toBe(false);
  });

  it('compares DOIs ignoring case and sources ignoring outer and repeated white space', () => {
    expect(fieldMatches('doi', '10.1002/14651858.CD012880.pub2', '10.1002/14651858.cd012880.pub2')).toBe(true);
    expect(fieldMatches('source', ' Drug\u00a0 Reporter ', 'Drug Reporter')).toBe(true);
    expect(fieldMatches('source', 'drug reporter', 'Drug Reporter')).toBe(false);
    expect(fieldMatches('pmcid', 'pmc123', 'PMC123')).toBe(false);
  });
});

describe('score', () => {
  it('scores a perfect prediction as 100% everywhere, matching file names without folders', () => {
    const g = [gold({ n: 1, title: 'A', country: 'US', item: 'a' }), gold({ n: 2, title: 'B', item: 'b' })];
    const r = [rec({ n: 1, title: 'A', country: 'US' }), rec({ file: '/abs/in/page.txt', n: 2, title: 'B' })];
    const report = score(r, g);
    expect(report.entries).toEqual({ tp: 2, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1 });
    expect(report.fields.every((f) => f.correct === 2 && f.total === 2 && f.accuracy === 1)).toBe(true);
    expect(report.duplicates).toMatchObject({ gold: 0, predicted: 0, correct: 0, precision: 1, recall: 1 });
    expect(report.misses).toEqual([]);
  });

  it('counts a missing and an extra entry once each and still compares the fields of the rest', () => {
    const g = [
      gold({ n: 1, title: 'Alpha', country: 'US' }),
      gold({ n: 2, title: 'Beta', country: 'CA' }),
      gold({ n: 3, title: 'Gamma', country: 'GB' }),
      gold({ n: 4, title: 'Delta', country: 'IE' }),
    ];
    const r = [
      rec({ n: 1, title: 'Alpha', country: 'US' }),
      rec({ n: 2, title: 'Gamma', country: 'GB' }),
      rec({ n: 3, title: 'Call to Action', country: null }),
      rec({ n: 4, title: 'Delta', country: 'IE' }),
    ];
    const report = score(r, g);
    expect(report.entries.tp).toBe(3);
    expect(report.entries.fp).toBe(1);
    expect(report.entries.fn).toBe(1);
    expect(report.entries.precision).toBeCloseTo(0.75);
    expect(report.entries.recall).toBeCloseTo(0.75);
    expect(report.entries.f1).toBeCloseTo(0.75);
    expect(accuracy(report, 'country')).toBe(1);
    expect(report.misses).toEqual([
      { file: 'page.txt', n: null, goldN: 2, field: 'entry', expected: 'Beta', got: null },
      { file: 'page.txt', n: 3, goldN: null, field: 'entry', expected: null, got: 'Call to Action' },
    ]);
  });

  it('reports every wrong field with the predicted and the gold position', () => {
    const g = [gold({ n: 1, title: 'Lost' }), gold({ n: 2, title: 'Kanada. X', country: ['CA', 'HU'], date: '2020-07-13' })];
    const r = [rec({ n: 1, title: 'Kanada. X', country: 'DE', date: '2020-07-13', language: 'und' })];
    const report = score(r, g);
    expect(report.misses).toEqual([
      { file: 'page.txt', n: null, goldN: 1, field: 'entry', expected: 'Lost', got: null },
      { file: 'page.txt', n: 1, goldN: 2, field: 'country', expected: ['CA', 'HU'], got: 'DE' },
      { file: 'page.txt', n: 1, goldN: 2, field: 'language', expected: 'en', got: 'und' },
    ]);
    expect(report.fields.find((f) => f.field === 'country')).toEqual({ field: 'country', correct: 0, total: 1, accuracy: 0 });
    expect(accuracy(report, 'date')).toBe(1);
  });

  it('compares dateFlag with the gold date_flag and accepts a list with null for date', () => {
    const g = [gold({ n: 1, title: 'T', date: ['2020', null], date_flag: 'invalid' })];
    const wrong = score([rec({ n: 1, title: 'T', date: null, dateFlag: null })], g);
    expect(accuracy(wrong, 'date')).toBe(1);
    expect(accuracy(wrong, 'dateFlag')).toBe(0);
    expect(wrong.misses).toEqual([
      { file: 'page.txt', n: 1, goldN: 1, field: 'dateFlag', expected: 'invalid', got: null },
    ]);
  });

  it('aligns each file separately and counts entries of a file without gold as false positives', () => {
    const g = [gold({ file: 'a.txt', n: 1, title: 'Same' }), gold({ file: 'b.txt', n: 1, title: 'Same' })];
    const r = [
      rec({ file: 'x/b.txt', n: 1, title: 'Same' }),
      rec({ file: 'x/c.txt', n: 1, title: 'Other' }),
    ];
    const report = score(r, g);
    expect(report.files.map((f) => [f.file, f.tp, f.fp, f.fn])).toEqual([
      ['a.txt', 0, 0, 1],
      ['b.txt', 1, 0, 0],
      ['c.txt', 0, 1, 0],
    ]);
    const restricted = score(r, g, { onlyGoldFiles: true });
    expect(restricted.entries).toMatchObject({ tp: 1, fp: 0, fn: 1 });
  });

  it('orders entries by n within a file before aligning', () => {
    const g = [gold({ n: 2, title: 'B' }), gold({ n: 1, title: 'A' })];
    const r = [rec({ n: 2, title: 'B' }), rec({ n: 1, title: 'A' })];
    expect(score(r, g).entries).toMatchObject({ tp: 2, fp: 0, fn: 0 });
  });

  it('counts duplicate pairs transitively through duplicateOf chains, across files', () => {
    const g = [
      gold({ file: 'a.txt', n: 1, title: 'Ep 6', item: 'ep6' }),
      gold({ file: 'a.txt', n: 2, title: 'Ep 6', item: 'ep6' }),
      gold({ file: 'b.txt', n: 1, title: 'Ep 6 again', item: 'ep6' }),
      gold({ file: 'b.txt', n: 2, title: 'Other', item: 'other' }),
    ];
    const r = [
      rec({ file: 'in/a.txt', n: 1, title: 'Ep 6' }),
      rec({ file: 'in/a.txt', n: 2, title: 'Ep 6', duplicateOf: 'in/a.txt#1' }),
      // Points at a.txt#2, which itself points at a.txt#1: one group of three.
      rec({ file: 'in/b.txt', n: 1, title: 'Ep 6 again', duplicateOf: 'in/a.txt#2' }),
      rec({ file: 'in/b.txt', n: 2, title: 'Other' }),
    ];
    const report = score(r, g);
    expect(report.duplicates).toEqual({
      gold: 3,
      predicted: 3,
      correct: 3,
      precision: 1,
      recall: 1,
      missed: [],
      spurious: [],
    });
  });

  it('reports missed and spurious duplicate pairs with their entries', () => {
    const g = [
      gold({ n: 1, title: 'A', item: 'x' }),
      gold({ n: 2, title: 'B', item: 'x' }),
      gold({ n: 3, title: 'C', item: 'c' }),
    ];
    const r = [rec({ n: 1, title: 'A' }), rec({ n: 2, title: 'B' }), rec({ n: 3, title: 'C', duplicateOf: 'in/page.txt#1' })];
    const report = score(r, g);
    expect(report.duplicates).toEqual({
      gold: 1,
      predicted: 1,
      correct: 0,
      precision: 0,
      recall: 0,
      missed: [['page.txt#1', 'page.txt#2']],
      spurious: [['page.txt#1', 'page.txt#3']],
    });
  });

  it('counts duplicate pairs over aligned entries only', () => {
    const g = [gold({ n: 1, title: 'A', item: 'x' }), gold({ n: 2, title: 'A repeated', item: 'x' })];
    const r = [rec({ n: 1, title: 'A' }), rec({ n: 2, title: 'Unrelated', duplicateOf: 'page.txt#1' })];
    const report = score(r, g);
    expect(report.duplicates).toMatchObject({ gold: 0, predicted: 0, correct: 0, precision: 1, recall: 1 });
  });

  it('scores empty input as perfect and gold without predictions as zero', () => {
    expect(score([], []).entries).toEqual({ tp: 0, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1 });
    const none = score([], [gold({ n: 1, title: 'A' })]);
    expect(none.entries).toEqual({ tp: 0, fp: 0, fn: 1, precision: 0, recall: 0, f1: 0 });
  });
});
