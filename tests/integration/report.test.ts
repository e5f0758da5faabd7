import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DbHandle, rowsOf } from '../../src/db/client.ts';
import { createContext } from '../../src/pipeline/context.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { buildReport } from '../../src/report/build.ts';
import { DEFAULT_THRESHOLDS } from '../../src/report/thresholds.ts';
import type { CoverageField, Report } from '../../src/report/types.ts';
import type { RunResult } from '../../src/types.ts';
import { dbTargets } from '../helpers/db.ts';
import { HAS_SEED, NOW, ROOT, SEED_TXT } from '../helpers/paths.ts';

const ctx = createContext({ now: NOW });
const CORPUS = join(ROOT, 'tests/fixtures/corpus');
/** Pages of the corpus the second run reads again, with their source notes cut away. */
const STRIPPED = ['covid-2020.txt', 'drogentote-2021.txt', 'naloxone-2021.txt', 'politik-2019.txt', 'stigma-2022.txt'];

if (!HAS_SEED) console.warn('report tests: ../shared/seeds/digest-2022-09.txt is absent; the first run reads the fixture corpus only.');

/** A PNG named .txt (a rejected file), and copies of some corpus pages without source notes. */
function makeInputs() {
  const dir = mkdtempSync(join(tmpdir(), 'digest-report-'));
  mkdirSync(join(dir, 'bad'));
  writeFileSync(join(dir, 'bad/picture.txt'), Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'));
  mkdirSync(join(dir, 'stripped'));
  for (const f of STRIPPED) {
    // A trailing "(Publisher, Country, date)" note at the end of a line goes; citations stay.
    const text = readFileSync(join(CORPUS, f), 'utf8').replace(/ ?\((?:[^()\n]|\([^()\n]*\))*\)[ \t]*$/gm, '');
    writeFileSync(join(dir, 'stripped', f), text);
  }
  copyFileSync(join(CORPUS, 'naloxone-2024.txt'), join(dir, 'stripped', 'naloxone-2024-copy.txt'));
  return dir;
}

async function q<T = Record<string, unknown>>(h: DbHandle, query: ReturnType<typeof sql>): Promise<T[]> {
  return rowsOf<T>(await h.db.execute(query));
}

/** `select key, count(*)` as a plain object, counts as numbers. */
async function countsBy(h: DbHandle, query: ReturnType<typeof sql>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of await q<{ key: string | null; n: unknown }>(h, query)) out[String(r.key)] = Number(r.n);
  return out;
}

const asObject = (rows: Array<{ key: string; count: number }>) => Object.fromEntries(rows.map((r) => [r.key, r.count]));

/** The SQL condition on occurrences.values that makes a field "present", written out per field. */
const FIELD_SQL: Record<CoverageField, string> = {
  source: `values->>'source' is not null`,
  country: `values->>'country' is not null`,
  date: `values->>'date' is not null`,
  dateDay: `values->>'datePrecision' = 'day'`,
  dateMonth: `values->>'datePrecision' = 'month'`,
  dateYear: `values->>'datePrecision' = 'year'`,
  doi: `values->>'doi' is not null`,
  pmid: `values->>'pmid' is not null`,
  pmcid: `values->>'pmcid' is not null`,
  language: `values->>'language' <> 'und'`,
};

async function sqlShares(h: DbHandle, runId: number): Promise<{ total: number; count: Record<CoverageField, number> }> {
  const [t] = await q<{ n: unknown }>(h, sql`select count(*) as n from occurrences where run_id = ${runId}`);
  const count = {} as Record<CoverageField, number>;
  for (const [field, cond] of Object.entries(FIELD_SQL) as Array<[CoverageField, string]>) {
    const [r] = await q<{ n: unknown }>(h, sql`select count(*) as n from occurrences where run_id = ${runId} and ${sql.raw(cond)}`);
    count[field] = Number(r!.n);
  }
  return { total: Number(t!.n), count };
}

describe.each(dbTargets())('the quality report on $name', (target) => {
  let handle: DbHandle;
  let drop: () => Promise<void>;
  let dir: string;
  let first: RunResult;
  let second: RunResult;
  let report1: Report;
  let report2: Report;

  beforeAll(async () => {
    const opened = await target.open();
    handle = opened.handle;
    drop = opened.drop;
    dir = makeInputs();
    first = await runIngest(handle, [CORPUS, join(dir, 'bad'), ...(HAS_SEED ? [SEED_TXT] : [])], ctx);
    report1 = await buildReport(handle.db, { now: NOW });
    second = await runIngest(handle, [join(dir, 'stripped')], ctx);
    report2 = await buildReport(handle.db, { now: NOW });
  });
  afterAll(async () => {
    await handle?.close().catch(() => {});
    await drop?.();
  });

  it('reports the latest finished run by default, and an earlier one with --run', async () => {
    expect(report1.run.runIds).toEqual([first.runId]);
    expect(report2.run.runIds).toEqual([second.runId]);
    const again = await buildReport(handle.db, { runId: first.runId, now: NOW });
    expect(again.run).toEqual(report1.run);
    expect(again.coverage.rows.map((r) => r.count)).toEqual(report1.coverage.rows.map((r) => r.count));
  });

  it('counts files and entries by outcome as the runs row and the occurrence rows do', async () => {
    const [run] = await q(handle, sql`select * from runs where id = ${first.runId}`);
    const byOutcome = await countsBy(handle, sql`select outcome as key, count(*) as n from occurrences where run_id = ${first.runId} group by outcome`);
    const e = report1.run.entries;
    expect(e).toEqual({
      read: Number(run!.entries_read),
      new: byOutcome.new ?? 0,
      updated: byOutcome.updated ?? 0,
      unchanged: Number(run!.entries_unchanged),
      duplicate: byOutcome.duplicate ?? 0,
      rejected: Number(run!.entries_rejected),
    });
    expect(e).toMatchObject({ read: first.counts.entriesRead, new: first.counts.entriesNew, duplicate: first.counts.entriesDuplicate });
    expect(e.read).toBe(e.new + e.updated + e.unchanged + e.duplicate + e.rejected);
    expect(report1.run.files).toEqual({ read: first.counts.filesRead, loaded: first.counts.filesRead - 1, unchanged: 0, rejected: 1 });
    expect(report1.run.accounting.ok).toBe(true);
    expect(report1.run.accounting.checks.every((c) => c.ok && c.expected === c.found)).toBe(true);
  });

  it('lists the rejected PNG with its reason, and --strict counts it against --max-errors', () => {
    expect(report1.run.rejectedFiles).toEqual([
      expect.objectContaining({ file: join(dir, 'bad/picture.txt'), code: 'read/binary', n: null, message: expect.stringContaining('PNG') }),
    ]);
    expect(report1.checks.find((c) => c.name === 'rejected')).toMatchObject({ ok: false, detail: '1 file + 0 entries rejected (limit 0)' });
    expect(report1.checks.find((c) => c.name === 'errors')).toMatchObject({ ok: false, detail: '1 error diagnostic (limit 0)' });
  });

  it('gives each field the share of entries that have it, as counted with SQL', async () => {
    const s = await sqlShares(handle, first.runId);
    expect(report1.coverage.total).toBe(s.total);
    expect(report1.coverage.total).toBe(first.counts.entriesRead - first.counts.entriesRejected);
    for (const row of report1.coverage.rows) {
      expect(row.count, row.field).toBe(s.count[row.field]);
      expect(row.share, row.field).toBeCloseTo(s.count[row.field] / s.total, 12);
    }
    expect(report1.coverage.previousRunId).toBeNull();
    expect(report1.coverage.rows.some((r) => r.drift)).toBe(false);
  });

  it('counts diagnostics per code as SQL does, with at most five examples each', async () => {
    const byCode = await countsBy(handle, sql`select code as key, count(*) as n from diagnostics where run_id = ${first.runId} group by code`);
    expect(asObject(report1.diagnostics.groups.map((g) => ({ key: g.code, count: g.count })))).toEqual(byCode);
    expect(report1.diagnostics.total).toBe(Object.values(byCode).reduce((a, b) => a + b, 0));
    for (const g of report1.diagnostics.groups) expect(g.examples).toHaveLength(Math.min(5, g.count));
    const invalid = report1.diagnostics.groups.find((g) => g.code === 'date/invalid')!;
    expect(invalid.examples[0]).toMatchObject({ file: join(CORPUS, 'covid-2020.txt'), line: 32, excerpt: '31.04.2020', title: expect.stringContaining('Barcelona') });
  });

  it('counts languages, countries, sources and months as SQL does', async () => {
    const id = first.runId;
    expect(asObject(report1.languages)).toEqual(await countsBy(handle, sql`select values->>'language' as key, count(*) as n from occurrences where run_id = ${id} group by 1`));
    const countries = await q<{ key: string; n: unknown }>(
      handle,
      sql`select values->>'country' as key, count(*) as n from occurrences where run_id = ${id} and values->>'country' is not null group by 1 order by 2 desc, 1`,
    );
    expect(report1.countries.top).toEqual(countries.slice(0, 20).map((r) => ({ key: r.key, count: Number(r.n) })));
    expect(report1.countries.distinct).toBe(countries.length);
    expect(report1.countries.other).toBe(countries.slice(20).reduce((a, r) => a + Number(r.n), 0));
    const sources = await q<{ key: string; n: unknown }>(
      handle,
      sql`select values->>'source' as key, count(*) as n from occurrences where run_id = ${id} and values->>'source' is not null group by 1 order by 2 desc, 1 limit 20`,
    );
    expect(report1.sources.top).toEqual(sources.map((r) => ({ key: r.key, count: Number(r.n) })));
    const months = await countsBy(
      handle,
      sql`select left(values->>'date', 7) as key, count(*) as n from occurrences
          where run_id = ${id} and values->>'datePrecision' in ('day', 'month') group by 1`,
    );
    expect(asObject(report1.dates.byMonth)).toEqual(months);
    expect(report1.dates.byMonth.map((m) => m.key)).toEqual(Object.keys(months).sort());
    const [undated] = await q<{ n: unknown }>(handle, sql`select count(*) as n from occurrences where run_id = ${id} and values->>'date' is null`);
    expect(report1.dates.undated).toBe(Number(undated!.n));
  });

  it('lists every merged duplicate with its rule and similarity', async () => {
    const rules = await countsBy(
      handle,
      sql`select coalesce(match_rule, 'exact-key') as key, count(*) as n from occurrences where run_id = ${first.runId} and outcome = 'duplicate' group by 1`,
    );
    expect(asObject(report1.duplicates.byRule)).toEqual(rules);
    expect(report1.duplicates.rows).toHaveLength(report1.run.entries.duplicate);
    const sims = report1.duplicates.rows.map((r) => r.similarity ?? 1);
    expect(sims).toEqual([...sims].sort((a, b) => a - b));
    expect(report1.duplicates.rows.every((r) => r.similarity != null && r.similarity > 0 && r.similarity <= 1)).toBe(true);
  });

  it('fills the entries table with every loaded entry and its diagnostics', async () => {
    expect(report1.entries.total).toBe(report1.coverage.total + report1.run.entries.rejected);
    const invalid = report1.entries.rows.filter((r) => r.issues.some((i) => i.code === 'date/invalid'));
    expect(invalid).toHaveLength(report1.diagnostics.groups.find((g) => g.code === 'date/invalid')!.count);
    expect(report1.timing.slowest.length).toBeGreaterThan(0);
    expect(report1.timing.slowest[0]!.totalMs).toBeGreaterThanOrEqual(report1.timing.slowest.at(-1)!.totalMs);
  });

  it.skipIf(!HAS_SEED)('includes the seed page: its 31 entries, one a repeated title line', () => {
    const seed = report1.entries.rows.filter((r) => r.file === SEED_TXT);
    expect(seed).toHaveLength(31);
    expect(seed.filter((r) => r.outcome === 'duplicate')).toHaveLength(1);
  });

  it('flags the drop in sources of the second run against the first, with the shares SQL gives', async () => {
    const before = await sqlShares(handle, first.runId);
    const after = await sqlShares(handle, second.runId);
    expect(report2.coverage.previousRunId).toBe(first.runId);
    expect(report2.coverage.previousTotal).toBe(before.total);
    const source = report2.coverage.rows.find((r) => r.field === 'source')!;
    expect(source.share).toBeCloseTo(after.count.source / after.total, 12);
    expect(source.previousShare).toBeCloseTo(before.count.source / before.total, 12);
    expect(source.change).toBeCloseTo(after.count.source / after.total - before.count.source / before.total, 12);
    expect(source.change!).toBeLessThan(-0.3);
    expect(source.drift).toBe(true);
    for (const row of report2.coverage.rows) {
      const change = after.count[row.field] / after.total - before.count[row.field] / before.total;
      expect(row.drift, row.field).toBe(change < -DEFAULT_THRESHOLDS.driftMargin);
    }
    expect(report2.checks.find((c) => c.name === 'drift')).toMatchObject({ ok: true, detail: expect.stringContaining('(shown, not failed)') });
    expect(report2.checks.find((c) => c.name === 'coverage:source')?.ok).toBe(after.count.source / after.total >= 0.5);
    const strict = await buildReport(handle.db, { now: NOW, thresholds: { ...DEFAULT_THRESHOLDS, failOnDrift: true } });
    expect(strict.checks.find((c) => c.name === 'drift')?.ok).toBe(false);
  });

  it('with --since covers both runs and adds their counts', async () => {
    const both = await buildReport(handle.db, { since: '2000-01-01', now: NOW });
    expect(both.scope.kind).toBe('since');
    expect(both.run.runIds).toEqual([first.runId, second.runId]);
    expect(both.run.entries.read).toBe(first.counts.entriesRead + second.counts.entriesRead);
    expect(both.coverage.total).toBe(report1.coverage.total + report2.coverage.total);
    expect(both.run.accounting.ok).toBe(true);
  });
});
