import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkThresholds } from '../../../src/eval/format.ts';
import { parseGold } from '../../../src/eval/gold.ts';
import { score } from '../../../src/eval/score.ts';
import type { GoldEntry, GoldValue } from '../../../src/eval/types.ts';
import type { DateFlag, DatePrecision, EntryRecord } from '../../../src/types.ts';

const seedGold = fileURLToPath(new URL('../../../../shared/seeds/digest-2022-09.gold.jsonl', import.meta.url));
const hasSeed = existsSync(seedGold);

/** The first acceptable answer of a gold value. */
const first = (value: GoldValue): string | null => (Array.isArray(value) ? (value[0] ?? null) : value);

/** The gold entries as the records a perfect parser would write (first list element each). */
function asRecords(entries: GoldEntry[]): EntryRecord[] {
  const firstOfItem = new Map<string, string>();
  return entries.map((g) => {
    const file = `/data/pages/${g.file}`;
    const date = first(g.date);
    const precisions: Record<number, DatePrecision> = { 4: 'year', 7: 'month', 10: 'day' };
    const firstKey = g.item === null ? undefined : firstOfItem.get(g.item);
    if (g.item !== null && firstKey === undefined) firstOfItem.set(g.item, `${file}#${g.n}`);
    return {
      file,
      n: g.n,
      title: g.title,
      body: '',
      source: first(g.source),
      country: first(g.country),
      date,
      datePrecision: date === null ? null : (precisions[date.length] ?? null),
      dateFlag: first(g.date_flag) as DateFlag | null,
      doi: first(g.doi),
      pmid: first(g.pmid),
      pmcid: first(g.pmcid),
      language: first(g.language) ?? 'und',
      duplicateOf: firstKey ?? null,
      issues: [],
    };
  });
}

describe('the seed gold file', () => {
  const name = 'scores 100% on every measure against itself turned into records';
  it.skipIf(!hasSeed)(hasSeed ? name : `${name} (skipped: ${seedGold} is absent)`, () => {
    const gold = parseGold(readFileSync(seedGold, 'utf8'), seedGold);
    expect(gold.length).toBeGreaterThan(0);
    const report = score(asRecords(gold), gold);
    expect(report.entries).toEqual({ tp: gold.length, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1 });
    expect(report.fields.map((f) => [f.field, f.correct, f.accuracy])).toEqual(
      report.fields.map((f) => [f.field, gold.length, 1]),
    );
    expect(report.duplicates.gold).toBeGreaterThan(0);
    expect(report.duplicates).toMatchObject({ precision: 1, recall: 1 });
    expect(report.duplicates.correct).toBe(report.duplicates.gold);
    expect(report.misses).toEqual([]);
    expect(checkThresholds(report, { entryF1: 1, field: 1, dupPrecision: 1, dupRecall: 1 })).toEqual([]);
  });
});
