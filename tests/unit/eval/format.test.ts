import { describe, expect, it } from 'vitest';
import { checkThresholds, formatReport, parseMinSpec } from '../../../src/eval/format.ts';
import { score } from '../../../src/eval/score.ts';
import { gold, rec } from './helpers.ts';

/** 20 aligned entries, one country wrong, one gold entry missing, one duplicate pair missed. */
function sampleReport() {
  const g = Array.from({ length: 21 }, (_, i) =>
    gold({ n: i + 1, title: `Title ${i + 1}`, country: 'US', item: i < 2 ? 'same' : `item-${i}` }),
  );
  const r = Array.from({ length: 20 }, (_, i) =>
    rec({ n: i + 1, title: `Title ${i + 1}`, country: i === 4 ? 'DE' : 'US' }),
  );
  return score(r, g);
}

describe('formatReport', () => {
  it('prints entries, one line per field and the duplicate pairs, within 100 columns', () => {
    const text = formatReport(sampleReport(), { misses: false });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('entries          tp 20  fp 0  fn 1    P 100.0%  R 95.2%  F1 97.6%');
    expect(lines).toContain('  country    19/20   95.0%');
    expect(lines).toContain('  language   20/20  100.0%');
    expect(lines).toContain('duplicate pairs  gold 1  predicted 0  correct 0    P 0.0%  R 0.0%');
    expect(lines.filter((l) => /^ {2}[a-zA-Z]+ +\d+\/\d+ /.test(l))).toHaveLength(8);
    expect(text).not.toContain('misses');
    expect(lines.every((l) => Array.from(l).length <= 100)).toBe(true);
  });

  it('lists every miss as file#n, field, JSON-encoded expected and got when asked', () => {
    const text = formatReport(sampleReport(), { misses: true });
    expect(text).toContain('misses           2\n');
    expect(text).toContain('  page.txt#5  country  expected="US"  got="DE"\n');
    expect(text).toContain('  page.txt#? (gold #21)  entry  expected="Title 21"  got=null\n');
    expect(text).toContain('duplicate pairs missed    1\n  page.txt#1  +  page.txt#2\n');
  });

  it('shortens long values so that miss lines stay within 100 columns and shows no-break spaces', () => {
    const long = `A very long title ${'word '.repeat(40)}end`;
    const report = score([rec({ n: 1, title: 'Kept\u00a0title', country: 'GB' })], [gold({ n: 1, title: 'Kept title' }), gold({ n: 2, title: long })]);
    const text = formatReport(report, { misses: true });
    const lines = text.trimEnd().split('\n');
    expect(lines.every((l) => Array.from(l).length <= 100)).toBe(true);
    const missLine = lines.find((l) => l.includes('(gold #2)'));
    expect(missLine).toMatch(/^ {2}page\.txt#\? \(gold #2\) {2}entry {2}expected="A very long title word .*… {2}got=null$/);
    expect(text).toContain('  page.txt#1  country  expected=null  got="GB"');
  });

  it('prints a line per file when several files are scored', () => {
    const report = score(
      [rec({ file: 'a.txt', n: 1, title: 'A' }), rec({ file: 'b.txt', n: 1, title: 'B' })],
      [gold({ file: 'a.txt', n: 1, title: 'A' })],
    );
    const text = formatReport(report, { misses: false });
    expect(text).toContain('files            2\n');
    expect(text).toContain('  a.txt  gold    1  predicted    1  fp   0  fn   0  F1 100.0%\n');
    expect(text).toContain('  b.txt  gold    0  predicted    1  fp   1  fn   0  F1   0.0%\n');
  });

  it('never rounds a score below 100% up to 100.0%', () => {
    const g = Array.from({ length: 2000 }, (_, i) => gold({ n: i + 1, title: `T${i}` }));
    const r = g.slice(1).map((e) => rec({ n: e.n, title: e.title }));
    const text = formatReport(score(r, g), { misses: false });
    expect(text).toContain('R 99.9%');
  });
});

describe('checkThresholds', () => {
  it('returns no failures when every minimum is met', () => {
    expect(checkThresholds(sampleReport(), { entryF1: 0.97, field: 0.95, dupRecall: 0 })).toEqual([]);
  });

  it('describes each shortfall with the value, the counts and the minimum', () => {
    const failures = checkThresholds(sampleReport(), { entryF1: 0.99, field: 0.97, dupPrecision: 1, dupRecall: 1 });
    expect(failures).toEqual([
      'entry F1 97.6% (tp 20, fp 0, fn 1) is below the minimum 99.0%',
      'field country 95.0% (19/20 correct) is below the minimum 97.0%',
      'duplicate-pair precision 0.0% (0 of 0 predicted pairs correct) is below the minimum 100.0%',
      'duplicate-pair recall 0.0% (0 of 1 gold pairs found) is below the minimum 100.0%',
    ]);
  });

  it('lets a per-field minimum override the minimum for all fields', () => {
    const report = sampleReport();
    expect(checkThresholds(report, { field: 0.97, perField: { country: 0.9 } })).toEqual([]);
    expect(checkThresholds(report, { field: 0.5, perField: { country: 0.96 } })).toEqual([
      'field country 95.0% (19/20 correct) is below the minimum 96.0%',
    ]);
  });

  it('prints more decimals when the value would otherwise look equal to the minimum', () => {
    const report = sampleReport();
    // Recall is 20/21 = 95.238%; a minimum of 95.24% would print as 95.2% too.
    expect(checkThresholds(report, { entryRecall: 0.9524 })).toEqual([
      'entry recall 95.238% (tp 20, fp 0, fn 1) is below the minimum 95.240%',
    ]);
  });
});

describe('parseMinSpec', () => {
  it('reads ratios, percentages, field names and duplicate keys', () => {
    expect(parseMinSpec('f1=0.99, fields=97%,dateFlag=1,dup-precision=0.9,dup_recall=.5,recall=1')).toEqual({
      entryF1: 0.99,
      field: 0.97,
      perField: { dateFlag: 1 },
      dupPrecision: 0.9,
      dupRecall: 0.5,
      entryRecall: 1,
    });
  });

  it('rejects bad specs with a message that names the bad part', () => {
    expect(() => parseMinSpec('')).toThrow('--min: empty threshold spec');
    expect(() => parseMinSpec('f1')).toThrow('--min: "f1" is not key=value');
    expect(() => parseMinSpec('f2=0.9')).toThrow(/^--min: unknown key "f2"; known keys: f1, precision/);
    expect(() => parseMinSpec('f1=high')).toThrow('--min: value of "f1" must be a number from 0 to 1 or a percentage, not "high"');
    expect(() => parseMinSpec('f1=97')).toThrow('--min: value of "f1" must be at most 1 (or 100%), not "97"; for a percentage write "97%"');
    expect(() => parseMinSpec('f1=0.9,F1=0.8')).toThrow('--min: key "F1" is given more than once');
    expect(() => parseMinSpec('f1=0.9,')).toThrow('--min: empty item in "f1=0.9,"');
  });
});
