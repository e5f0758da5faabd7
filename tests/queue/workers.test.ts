import { sql } from 'drizzle-orm';
import { Logger, runMigrations } from 'graphile-worker';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DbHandle, rowsOf } from '../../src/db/client.ts';
import { defaultConfig } from '../../src/pipeline/context.ts';
import { enqueueInputs } from '../../src/queue/enqueue.ts';
import { startWorker } from '../../src/queue/worker.ts';
import { digest } from '../helpers/cli.ts';
import { freshDatabase, SERVER_URL, SKIP_MESSAGE, startDigest, stop, until, writePages } from './helpers.ts';

type Row = Record<string, unknown>;
const q = async (h: DbHandle, query: ReturnType<typeof sql>) => rowsOf<Row>(await h.db.execute(query));

if (!SERVER_URL) describe('digest worker on the job queue', () => it.skip(SKIP_MESSAGE, () => {}));

describe.skipIf(!SERVER_URL)('digest worker on the job queue (PostgreSQL server)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('two worker processes load 200 files, each exactly once, and the run adds up and finishes', async () => {
    const dir = writePages(200, 10, { seed: 11 });
    const env = { DATABASE_URL: db.url!, DIGEST_DB_DIR: undefined };
    const workers = [startDigest(['worker'], env), startDigest(['worker'], env)];
    try {
      await Promise.all(workers.map((w) => w.waitFor((e) => e.event === 'worker-start', 90_000)));
      const enq = digest(['enqueue', dir], { env });
      expect(enq.stderr).toBe('');
      expect(enq.code).toBe(0);
      expect(enq.stdout).toMatch(/run \d+: 200 inputs, 200 jobs queued, 0 unchanged, 0 rejected/);
      const runId = Number(/run (\d+):/.exec(enq.stdout)![1]);
      await until('the run to finish', async () => (await q(db.handle, sql`select status from runs where id = ${runId}`))[0]?.status === 'finished', 150_000);
      const codes = await Promise.all(workers.map((w) => stop(w)));
      expect(codes).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }]);

      // Every job ran once, and both processes shared the work.
      const jobs = workers.flatMap((w) => w.events.filter((e) => e.event === 'job'));
      expect(jobs).toHaveLength(200);
      expect(new Set(jobs.map((j) => j.path)).size).toBe(200);
      for (const w of workers) expect(w.events.filter((e) => e.event === 'job').length).toBeGreaterThan(0);
      expect(workers.flatMap((w) => w.events.filter((e) => e.event === 'run-finished'))).toEqual([expect.objectContaining({ runId })]);

      // Every file is one document version with one occurrence per accepted entry.
      const [docs] = await q(db.handle, sql`
        select count(*)::int as n, count(distinct path)::int as paths, sum(entry_count)::int as entries,
               count(*) filter (where status = 'loaded' and latest and first_run_id = ${runId})::int as loaded
        from documents`);
      expect(docs).toEqual({ n: 200, paths: 200, entries: expect.any(Number), loaded: 200 });
      const [occ] = await q(db.handle, sql`select count(*)::int as n, count(distinct (document_id, n))::int as distinct_n from occurrences`);
      expect(occ!.n).toBe(occ!.distinct_n);
      const [run] = await q(db.handle, sql`select * from runs where id = ${runId}`);
      expect(run).toMatchObject({ status: 'finished', jobs_total: 200, jobs_done: 200, files_read: 200, files_rejected: 0, files_unchanged: 0, entries_read: docs!.entries });
      const r = run as Record<string, number>;
      expect(r.entries_new! + r.entries_updated! + r.entries_unchanged! + r.entries_duplicate! + r.entries_rejected!).toBe(r.entries_read);
      expect(Number(occ!.n) + r.entries_rejected!).toBe(docs!.entries);
      expect((await q(db.handle, sql`select count(*)::int as n from graphile_worker.jobs`))[0]).toEqual({ n: 0 });
    } finally {
      await Promise.all(workers.map((w) => stop(w, 5_000)));
    }
  }, 180_000);

  it('enqueueing the same content again adds no job and no run; a changed file is queued in a new run', async () => {
    const dir = writePages(5, 5, { seed: 12, prefix: 'dup' });
    await runMigrations({ connectionString: db.url!, logger: new Logger(() => () => {}) });
    const count = async () => (await q(db.handle, sql`select count(*)::int as n from graphile_worker.jobs where key like ${`%${dir}%`}`))[0]!.n;
    const runsBefore = (await q(db.handle, sql`select count(*)::int as n from runs`))[0]!.n as number;

    const first = await enqueueInputs(db.handle.db, [dir], { pipeline: 'test' });
    expect(first).toMatchObject({ inputs: 5, queued: 5, alreadyQueued: [], unchanged: 0, rejected: 0, finished: false });
    expect(await count()).toBe(5);

    const again = await enqueueInputs(db.handle.db, [dir], { pipeline: 'test' });
    expect(again).toMatchObject({ runId: null, inputs: 5, queued: 0, unchanged: 0, rejected: 0 });
    expect(again.alreadyQueued).toHaveLength(5);
    expect(again.alreadyQueued.every((a) => a.runId === first.runId)).toBe(true);
    expect(await count()).toBe(5);
    expect((await q(db.handle, sql`select count(*)::int as n from runs`))[0]!.n).toBe(runsBefore + 1);

    writeFileSync(join(dir, 'dup-0002.txt'), 'A changed page\n\nWith a new body. (Filter, USA, 12.05.2021)\n');
    const changed = await enqueueInputs(db.handle.db, [dir, join(dir, 'missing.txt')], { pipeline: 'test' });
    expect(changed).toMatchObject({ queued: 1, rejected: 1 });
    expect(changed.alreadyQueued).toHaveLength(4);
    expect(await count()).toBe(6);
    const [run] = await q(db.handle, sql`select jobs_total, jobs_done, files_rejected from runs where id = ${changed.runId}`);
    expect(run).toEqual({ jobs_total: 2, jobs_done: 1, files_rejected: 1 });
  });

  it('gives a job up at once on an error a retry cannot fix, fails its run, and queues it again on the next enqueue', async () => {
    const dir = writePages(1, 5, { seed: 13, prefix: 'bug' });
    const first = await enqueueInputs(db.handle.db, [dir], { pipeline: 'test' });
    expect(first.queued).toBe(1);
    const events: Array<Record<string, unknown>> = [];
    const run = (config = defaultConfig()) =>
      startWorker({ url: db.url!, db: db.handle.db, once: true, emit: (e) => events.push(e), logLine: () => {}, config }).then((w) => w.done);

    // A pipeline whose chrome pattern is not a regular expression: the segmenter throws (a bug,
    // as far as the queue can tell), on every attempt.
    await run({ ...defaultConfig(), chrome: ['('] });
    expect(events.find((e) => e.event === 'job-failed')).toMatchObject({ transient: false, retry: false, attempt: 1 });
    const [job] = await q(db.handle, sql`select attempts, max_attempts, last_error, locked_by from graphile_worker.jobs where key like ${`%${dir}%`}`);
    expect(job).toMatchObject({ attempts: 10, max_attempts: 10, locked_by: null, last_error: expect.stringContaining('Invalid regular expression') });
    const [failed] = await q(db.handle, sql`select status, error, jobs_done from runs where id = ${first.runId}`);
    expect(failed).toMatchObject({ status: 'failed', jobs_done: 0, error: expect.stringContaining('Invalid regular expression') });
    expect((await q(db.handle, sql`select count(*)::int as n from documents where path like ${`${dir}%`}`))[0]).toEqual({ n: 0 });

    // After the fix, enqueueing the same content replaces the given-up job in a new run.
    const again = await enqueueInputs(db.handle.db, [dir], { pipeline: 'test' });
    expect(again).toMatchObject({ queued: 1, alreadyQueued: [] });
    await run();
    expect((await q(db.handle, sql`select status, jobs_done, jobs_total from runs where id = ${again.runId}`))[0]).toEqual({ status: 'finished', jobs_done: 1, jobs_total: 1 });
    expect((await q(db.handle, sql`select count(*)::int as n from graphile_worker.jobs where key like ${`%${dir}%`}`))[0]).toEqual({ n: 0 });
  }, 60_000);
});
