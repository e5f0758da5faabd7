import { describe, expect, it } from 'vitest';
import { parseGold } from '../../../src/eval/gold.ts';

const line = (fields: Record<string, unknown> = {}): string =>
  JSON.stringify({
    file: 'page.txt',
    n: 1,
    title: 'A title',
    country: null,
    source: null,
    date: null,
    date_flag: null,
    doi: null,
    pmid: null,
    pmcid: null,
    language: 'en',
    item: 'a-title',
    note: null,
    ...fields,
  });

describe('parseGold', () => {
  it('reads every line into an entry and keeps list values and the line number', () => {
    const text = `${line()}\n\n${line({ n: 2, title: 'B', country: ['DE', null], language: ['de', 'und'] })}\n`;
    const entries = parseGold(text, 'gold/page.gold.jsonl');
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ file: 'page.txt', n: 1, title: 'A title', item: 'a-title', line: 1 });
    expect(entries[1]).toMatchObject({ n: 2, country: ['DE', null], language: ['de', 'und'], line: 3 });
  });

  it('accepts a byte order mark and CRLF line ends', () => {
    const entries = parseGold(`\uFEFF${line()}\r\n${line({ n: 2 })}\r\n`, 'g.jsonl');
    expect(entries.map((e) => e.n)).toEqual([1, 2]);
  });

  it('names the file and line of invalid JSON in the error message', () => {
    const text = `${line()}\n${line({ n: 2 })}\n{"file": "page.txt", "n": 3,\n`;
    expect(() => parseGold(text, 'seeds/x.gold.jsonl')).toThrow(/^seeds\/x\.gold\.jsonl:3: invalid JSON/);
  });

  it('names the file, line and missing fields when a field is absent', () => {
    const obj = JSON.parse(line()) as Record<string, unknown>;
    delete obj['date_flag'];
    delete obj['item'];
    const text = `${line()}\n${JSON.stringify(obj)}\n`;
    expect(() => parseGold(text, 'g.jsonl')).toThrow('g.jsonl:2: missing fields "date_flag", "item"');
  });

  it('rejects a value of the wrong type with file and line', () => {
    expect(() => parseGold(line({ country: 49 }), 'g.jsonl')).toThrow(
      'g.jsonl:1: field "country" must be a string, null or a list of those, not 49',
    );
    expect(() => parseGold(line({ n: 0 }), 'g.jsonl')).toThrow('g.jsonl:1: field "n" must be a positive integer, not 0');
    expect(() => parseGold(line({ doi: [] }), 'g.jsonl')).toThrow(/^g\.jsonl:1: field "doi" is an empty list/);
    expect(() => parseGold(line({ title: ['A'] }), 'g.jsonl')).toThrow(/^g\.jsonl:1: field "title" must be a string/);
  });

  it('rejects a date_flag other than null, invalid or accessed', () => {
    expect(() => parseGold(line({ date_flag: 'broken' }), 'g.jsonl')).toThrow(
      'g.jsonl:1: field "date_flag" must be null, "invalid" or "accessed", not "broken"',
    );
  });

  it('rejects a line that is not an object and an entry annotated twice', () => {
    expect(() => parseGold('[1, 2]', 'g.jsonl')).toThrow('g.jsonl:1: expected a JSON object, got an array');
    expect(() => parseGold(`${line()}\n${line()}`, 'g.jsonl')).toThrow(
      'g.jsonl:2: entry page.txt#1 is already annotated at line 1',
    );
  });

  it('returns no entries for an empty file', () => {
    expect(parseGold('\n  \n', 'g.jsonl')).toEqual([]);
  });
});
