import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseFiles } from '../../src/cli/parse.ts';
import { checkThresholds, formatReport, parseMinSpec } from '../../src/eval/format.ts';
import { parseGold } from '../../src/eval/gold.ts';
import { score } from '../../src/eval/score.ts';
import type { EvalReport, GoldEntry } from '../../src/eval/types.ts';
import { HAS_SEED, NOW, SEED_GOLD, SEED_TXT } from '../helpers/paths.ts';

/**
 * The accuracy gate: `digest eval` on the fixture corpus and on the seed page, with the
 * thresholds of issue 3 set at what the extractors reach (rounded down). A change that loses
 * accuracy fails the build; the failure message lists every miss.
 */
const CORPUS = fileURLToPath(new URL('../fixtures/corpus/', import.meta.url));
const CORPUS_MIN = 'f1=1,fields=1';
const SEED_MIN = 'f1=1,fields=1';

/** Parses `paths` and scores them against the gold entries, as `digest eval` does. */
async function evaluate(paths: string[], gold: GoldEntry[]): Promise<EvalReport> {
  const { records, problems } = await parseFiles(paths, NOW);
  expect(problems).toEqual([]);
  return score(records, gold);
}

/** The shortfalls against a `--min` spec, with the report and its misses as the message. */
function expectAtLeast(report: EvalReport, min: string): void {
  const failures = checkThresholds(report, parseMinSpec(min));
  expect(failures, `${failures.join('\n')}\n${formatReport(report, { misses: true })}`).toEqual([]);
}

describe('digest eval on the fixture corpus', () => {
  const goldFiles = readdirSync(CORPUS).filter((f) => f.endsWith('.gold.jsonl')).sort();
  const pages = readdirSync(CORPUS).filter((f) => f.endsWith('.txt')).sort();

  it('holds at least 150 gold entries over at least 15 pages, each page with its gold file', () => {
    const gold = goldFiles.flatMap((f) => parseGold(readFileSync(join(CORPUS, f), 'utf8'), f));
    expect(gold.length).toBeGreaterThanOrEqual(150);
    expect(pages.length).toBeGreaterThanOrEqual(15);
    expect(pages.filter((p) => !existsSync(join(CORPUS, p.replace(/\.txt$/, '.gold.jsonl'))))).toEqual([]);
  });

  it(`reaches ${CORPUS_MIN} (segmentation F1 and every field's accuracy)`, async () => {
    const gold = goldFiles.flatMap((f) => parseGold(readFileSync(join(CORPUS, f), 'utf8'), join(CORPUS, f)));
    const report = await evaluate(pages.map((p) => join(CORPUS, p)), gold);
    expect(report.entries.tp).toBe(gold.length);
    expectAtLeast(report, CORPUS_MIN);
  });
});

describe('digest eval on the seed page', () => {
  const name = `reaches ${SEED_MIN} (segmentation F1 and every field's accuracy)`;
  it.skipIf(!HAS_SEED)(HAS_SEED ? name : `${name} (skipped: ${SEED_TXT} is absent)`, async () => {
    const gold = parseGold(readFileSync(SEED_GOLD, 'utf8'), SEED_GOLD);
    const report = await evaluate([SEED_TXT], gold);
    expect(report.entries.tp).toBe(gold.length);
    expectAtLeast(report, SEED_MIN);
  });
});
