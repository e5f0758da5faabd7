/**
 * Two loaders at once. On a server, two `digest ingest` processes over overlapping inputs (the
 * same pages, one in reverse order; every page shares two items with all others) must end in
 * the state of one run, with every item counted `new` exactly once over both runs. On PGlite,
 * the second process is refused ("database in use by process N") and the data folder is intact.
 *
 * Reproduce: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/digest_ci npx vitest run tests/faults/concurrency.test.ts
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDatabase } from '../../src/verify/verify.ts';
import { buildSharedCorpus, usePages } from './lib/corpus.ts';
import { ingestToEnd, tempRoot } from './lib/harness.ts';
import { digestProc } from './lib/proc.ts';
import { type DbState, diffStates, runRows, snapshot } from './lib/state.ts';
import { type FreshDb, freshPglite, freshServerDb, withDb } from './lib/targets.ts';

const SERVER = process.env.TEST_DATABASE_URL;

async function stateOf(db: FreshDb) {
  return withDb(db, async (h) => ({ state: await snapshot(h.db, { orderFree: true }), report: await verifyDatabase(h.db), runs: await runRows(h.db) }));
}

async function newCounts(db: FreshDb): Promise<number> {
  return withDb(db, async (h) => {
    const { sql } = await import('drizzle-orm');
    const { rowsOf } = await import('../../src/db/client.ts');
    return rowsOf<{ n: number }>(await h.db.execute(sql`select coalesce(sum(entries_new), 0)::int as n from runs`))[0]!.n;
  });
}

describe.skipIf(!SERVER)('two digest ingest processes at once on the PostgreSQL server', () => {
  const root = tempRoot('concurrent');
  const work = join(root, 'work');
  const dbs: FreshDb[] = [];
  let want: DbState;
  let pages: string[];

  beforeAll(async () => {
    usePages(work, buildSharedCorpus(root, { seed: 5, files: 12, perFile: 25 }));
    pages = readdirSync(join(work, 'pages')).sort().map((f) => `pages/${f}`);
    const ref = await freshServerDb(SERVER!, 'conc_ref');
    dbs.push(ref);
    await ingestToEnd(ref, work, 1);
    const got = await stateOf(ref);
    expect(got.report.problems).toEqual([]);
    want = got.state;
  }, 300_000);
  afterAll(async () => {
    for (const db of dbs) await db.drop().catch(() => {});
  });

  for (const order of ['opposite', 'same'] as const) {
    it(`end in the state of one run when both load the same pages (${order} order), each item counted new once`, async () => {
      const db = await freshServerDb(SERVER!, `conc_${order}`);
      dbs.push(db);
      await digestProc(['migrate'], { cwd: work, env: db.env });
      const second = order === 'same' ? pages : [...pages].reverse();
      const [a, b] = await Promise.all([
        digestProc(['ingest', 'pages'], { cwd: work, env: db.env }),
        digestProc(['ingest', ...second], { cwd: work, env: db.env }),
      ]);
      expect({ code: a.code, err: a.code ? a.stderr.slice(-800) : '' }).toEqual({ code: 0, err: '' });
      expect({ code: b.code, err: b.code ? b.stderr.slice(-800) : '' }).toEqual({ code: 0, err: '' });
      const got = await stateOf(db);
      expect(diffStates(want, got.state)).toEqual([]);
      expect(got.report.problems).toEqual([]);
      expect(got.runs.map((r) => r.status)).toEqual(['finished', 'finished']);
      expect(await newCounts(db)).toBe(want.items.length);
    }, 300_000);
  }
});

describe('a second process on the same PGlite folder', () => {
  const root = tempRoot('pglite-lock');
  const work = join(root, 'work');

  it('is refused with "database in use by process N", and the folder is intact afterwards', async () => {
    usePages(work, buildSharedCorpus(root, { seed: 6, files: 8, perFile: 25 }));
    const ref = freshPglite(root, 'ref');
    await ingestToEnd(ref, work, 1);
    const want = (await stateOf(ref)).state;

    const db = freshPglite(root, 'db');
    const lock = `${db.dir}.lock`;
    const first = digestProc(['ingest', ...db.args, 'pages'], { cwd: work });
    // Once the first process holds the lock file, start the second on the same folder.
    let pid = 0;
    for (let i = 0; i < 2400 && !pid; i++) {
      if (existsSync(lock)) pid = Number(readFileSync(lock, 'utf8').trim()) || 0;
      if (!pid) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pid).toBeGreaterThan(0);
    const r2 = await digestProc(['ingest', ...db.args, 'pages'], { cwd: work });
    const r1 = await first;
    expect(r1.code).toBe(0);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(`database in use by process ${pid}`);
    expect(r2.stderr).not.toMatch(/\n\s+at /);
    const got = await stateOf(db);
    expect(got.report.problems).toEqual([]);
    expect(got.runs.map((r) => r.status)).toEqual(['finished']);
    expect(diffStates(want, got.state)).toEqual([]);
    const v = await digestProc(['verify', ...db.args], { cwd: work });
    expect(v.stdout).toMatch(/^verify: \d+ checks passed/);
    expect(v.code).toBe(0);
  }, 300_000);
});
