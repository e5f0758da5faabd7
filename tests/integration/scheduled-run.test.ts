import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DbHandle, rowsOf } from '../../src/db/client.ts';
import * as load from '../../src/load/load.ts';
import { createContext } from '../../src/pipeline/context.ts';
import * as pool from '../../src/pipeline/pool.ts';
import * as prepare from '../../src/pipeline/prepare.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { readRun } from '../../src/queue/runs.ts';
import { scheduledRun } from '../../src/queue/schedule.ts';
import { genPage } from '../../bench/generate.ts';
import { digest } from '../helpers/cli.ts';
import { dbTargets } from '../helpers/db.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { NOW } from '../helpers/paths.ts';

// Spies that pass through to the real functions: they tell which of runIngest's paths a
// scheduled run took (worker threads, the batched unchanged check, the statistics refresh),
// which the rows alone cannot show. Only calls made through these modules' exports are seen.
vi.mock('../../src/pipeline/pool.ts', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/pipeline/pool.ts')>();
  return { ...m, workerPool: vi.fn(m.workerPool), inlinePool: vi.fn(m.inlinePool) };
});
vi.mock('../../src/pipeline/prepare.ts', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/pipeline/prepare.ts')>();
  return { ...m, parseRead: vi.fn(m.parseRead), prepareDocument: vi.fn(m.prepareDocument) };
});
vi.mock('../../src/load/load.ts', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/load/load.ts')>();
  return {
    ...m,
    refreshStatistics: vi.fn(m.refreshStatistics),
    isUnchanged: vi.fn(m.isUnchanged),
    markUnchanged: vi.fn(m.markUnchanged),
    markManyUnchanged: vi.fn(m.markManyUnchanged),
    retireAndFinish: vi.fn(m.retireAndFinish),
  };
});

const ctx = createContext({ now: NOW });
const never = async () => null;

/** A folder of generated pages, `page-0.txt`…, with `entries` entries each (pages repeat some entries of others). */
function pages(count: number, entriesPerPage: number, seed: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'digest-sched-'));
  for (let f = 0; f < count; f++) writeFileSync(join(dir, `page-${f}.txt`), genPage(seed, f * entriesPerPage - (f > 1 ? 15 : 0), entriesPerPage));
  return dir;
}

describe.each(dbTargets())('a scheduled run is digest ingest on $name', (target) => {
  const opened: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const drop of opened) await drop();
  });
  async function fresh(): Promise<DbHandle> {
    const { handle, drop } = await target.open();
    opened.push(drop);
    return handle;
  }
  beforeEach(() => {
    vi.clearAllMocks();
  });

  // 6 pages of 900 entries: enough for worker threads (>= 4 documents to parse) and past the
  // first planner-statistics refresh (5,000 entries loaded).
  const big = pages(6, 900, 41);
  let scheduledDb: DbHandle;
  let entriesRead = 0;

  it('parses 6 changed pages in 2 worker threads, refreshes the statistics, and writes the rows digest ingest writes', async () => {
    const ingestDb = await fresh();
    const ingested = await runIngest(ingestDb, [big], ctx, () => {}, { workers: 0 });
    scheduledDb = await fresh();
    vi.clearAllMocks();
    const scheduled = await scheduledRun(scheduledDb, [big], { now: NOW, shouldStop: never, workers: 2 });
    entriesRead = scheduled.counts.entriesRead; // for the unchanged tick below

    expect(vi.mocked(pool.workerPool)).toHaveBeenCalledTimes(1);
    expect(vi.mocked(pool.workerPool).mock.calls[0]![0]).toBe(2);
    expect(vi.mocked(pool.inlinePool)).not.toHaveBeenCalled();
    expect(vi.mocked(load.refreshStatistics)).toHaveBeenCalled();
    expect(scheduled.status).toBe('finished');
    expect(scheduled.counts).toEqual(ingested.counts);
    expect(scheduled.counts.filesRead).toBe(6);
    expect(scheduled.counts.entriesRead).toBeGreaterThan(5000);
    expect(scheduled.counts.entriesDuplicate).toBeGreaterThan(0);
    expect(scheduled.issues).toEqual(ingested.issues);
    expect(scheduled.rejections).toEqual(ingested.rejections);
    expect(await snapshot(scheduledDb)).toEqual(await snapshot(ingestDb));
  }, 300_000);

  it('parses nothing on an unchanged second tick and records the 6 unchanged pages in one batch', async () => {
    const again = await scheduledRun(scheduledDb, [big], { now: NOW, shouldStop: never, workers: 2 });
    expect(again.status).toBe('finished');
    expect(entriesRead).toBeGreaterThan(5000);
    expect(again.counts).toMatchObject({ filesRead: 6, filesUnchanged: 6, entriesRead, entriesUnchanged: entriesRead, entriesNew: 0 });
    expect(vi.mocked(prepare.parseRead)).not.toHaveBeenCalled();
    expect(vi.mocked(prepare.prepareDocument)).not.toHaveBeenCalled();
    expect(vi.mocked(pool.workerPool)).not.toHaveBeenCalled();
    // The old per-file path asked the database twice per page.
    expect(vi.mocked(load.isUnchanged)).not.toHaveBeenCalled();
    expect(vi.mocked(load.markUnchanged)).not.toHaveBeenCalled();
    expect(vi.mocked(load.markManyUnchanged)).toHaveBeenCalledTimes(1);
  }, 120_000);

  it.each([0, 2])('stops after the first of 4 changed pages (%i workers): the run is abandoned, that page is loaded, nothing is retired', async (workers) => {
    const h = await fresh();
    const dir = pages(4, 12, 43);
    const v1 = await runIngest(h, [dir], ctx);
    expect(v1.status).toBe('finished');
    const page0v1 = rowsOf<{ id: number }>(await h.db.execute(sql`select e.id from entries e join occurrences o on o.entry_id = e.id join documents d on d.id = o.document_id where d.path = ${join(dir, 'page-0.txt')}`)).map((r) => r.id);
    expect(page0v1.length).toBeGreaterThan(5);

    // Every page changes; page-0 becomes a page of other entries, so a finished run would retire
    // every item of its first version.
    for (let f = 0; f < 4; f++) writeFileSync(join(dir, `page-${f}.txt`), genPage(44, 10_000 + f * 12, 12));
    let asked = 0;
    vi.clearAllMocks();
    const stopped = await runIngest(h, [dir], ctx, () => {}, {
      workers,
      shouldStop: async () => (++asked >= 2 ? 'stop requested by the test' : null),
    });

    expect(asked).toBe(2);
    const [page0v2] = rowsOf<{ entry_count: number }>(await h.db.execute(sql`select entry_count from documents where path = ${join(dir, 'page-0.txt')} and latest`));
    expect(stopped).toMatchObject({ status: 'abandoned', error: 'stop requested by the test', counts: { filesRead: 1, entriesRead: page0v2!.entry_count, filesUnchanged: 0 } });
    expect(vi.mocked(load.retireAndFinish)).not.toHaveBeenCalled();
    const row = await readRun(h.db, stopped.runId);
    expect(row).toMatchObject({ status: 'abandoned', error: 'stop requested by the test', counts: stopped.counts });
    expect(row!.finishedAt).not.toBeNull();
    // page-0's second version only; the other pages keep their first version as the latest.
    const latest = rowsOf<{ path: string; versions: number; latest_run: number }>(await h.db.execute(sql`
      select path, count(*)::int as versions, max(first_run_id) filter (where latest)::int as latest_run
      from documents where path like ${`${dir}%`} group by path order by path`));
    expect(latest).toEqual([
      { path: join(dir, 'page-0.txt'), versions: 2, latest_run: stopped.runId },
      { path: join(dir, 'page-1.txt'), versions: 1, latest_run: v1.runId },
      { path: join(dir, 'page-2.txt'), versions: 1, latest_run: v1.runId },
      { path: join(dir, 'page-3.txt'), versions: 1, latest_run: v1.runId },
    ]);
    const inLatest = async () => rowsOf<{ n: number }>(await h.db.execute(sql`select count(*)::int as n from entries where in_latest and id in (select json_array_elements_text(${JSON.stringify(page0v1)}::json)::int)`))[0]!.n;
    expect(await inLatest()).toBe(page0v1.length);

    // The next complete run loads the rest and does the retiring the stopped run left undone.
    const next = await runIngest(h, [dir], ctx, () => {}, { workers, shouldStop: never });
    expect(next).toMatchObject({ status: 'finished', counts: { filesRead: 4, filesUnchanged: 1 } });
    expect(await inLatest()).toBe(0);
  }, 120_000);

  it('returns a failed run as a failed result, with what was committed before the failure', async () => {
    const h = await fresh();
    const dir = pages(3, 8, 45);
    let asked = 0;
    const r = await scheduledRun(h, [dir], {
      now: NOW,
      shouldStop: async () => {
        if (++asked === 2) throw new Error('the lock check lost its connection');
        return null;
      },
    });
    const [loaded] = rowsOf<{ n: number; entries: number }>(await h.db.execute(sql`select count(*)::int as n, sum(entry_count)::int as entries from documents where path like ${`${dir}%`}`));
    expect(loaded).toEqual({ n: 1, entries: r.counts.entriesRead });
    expect(r).toMatchObject({ status: 'failed', counts: { filesRead: 1, filesRejected: 0 } });
    expect(r.error).toContain('the lock check lost its connection');
    expect(await readRun(h.db, r.runId)).toMatchObject({ status: 'failed', error: r.error, counts: r.counts });
  }, 60_000);
});

describe('digest schedule --workers', () => {
  it('rejects a worker count that is not a whole number, as digest ingest does (exit 2)', () => {
    const r = digest(['schedule', '--every', '1s', '--ticks', '1', '--workers', 'two', '--db', 'memory://']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--workers must be a whole number from 0 to 64 (got 'two')");
  });

  it('lists --workers in its help', () => {
    const r = digest(['schedule', '--help']);
    expect(r.stdout + r.stderr).toContain('schedule [--cron EXPR|--every 30s] [--workers N] [PATH…]');
  });
});
