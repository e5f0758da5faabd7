import { sql } from 'drizzle-orm';
import { Logger, runMigrations } from 'graphile-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle, rowsOf } from '../../src/db/client.ts';
import { finishRun, startRun } from '../../src/load/load.ts';
import { enqueueInputs } from '../../src/queue/enqueue.ts';
import { closeOrphanedQueueRuns, readRun } from '../../src/queue/runs.ts';
import { startWorker } from '../../src/queue/worker.ts';
import { checkStaleRuns } from '../../src/verify/checks.ts';
import { freshDatabase, SERVER_URL, SKIP_MESSAGE, writePages } from './helpers.ts';

type Row = Record<string, unknown>;
const q = async (h: DbHandle, query: ReturnType<typeof sql>) => rowsOf<Row>(await h.db.execute(query));
const quiet = new Logger(() => () => {});

describe('closing queue runs no job can finish, without a job queue', () => {
  it('does nothing on a database that has no graphile-worker schema (the embedded one)', async () => {
    const h = await createDb({ dir: 'memory://' });
    try {
      const runId = await startRun(h.db, 'test', ['x']);
      await h.db.execute(sql`update runs set jobs_total = 3 where id = ${runId}`);
      expect(await closeOrphanedQueueRuns(h.db)).toEqual([]);
      expect((await readRun(h.db, runId))!.status).toBe('running');
    } finally {
      await h.close();
    }
  });
});

if (!SERVER_URL) describe('closing queue runs no job can finish', () => it.skip(SKIP_MESSAGE, () => {}));

describe.skipIf(!SERVER_URL)('closing queue runs no job can finish (PostgreSQL server)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase();
    await runMigrations({ connectionString: db.url!, logger: quiet });
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** One worker process's life with `once`: its start-up sweep, then the jobs due now. */
  async function workerOnce(): Promise<Array<Record<string, unknown>>> {
    const events: Array<Record<string, unknown>> = [];
    const w = await startWorker({ url: db.url!, db: db.handle.db, once: true, emit: (e) => events.push(e), logLine: () => {}, staleAfterSeconds: 10 });
    await w.done;
    return events;
  }

  it('fails a run whose last-attempt job died with its worker, once no job is locked or has attempts left', async () => {
    const dir = writePages(3, 5, { seed: 51 });
    const enq = await enqueueInputs(db.handle.db, [dir], { pipeline: 'test' });
    expect(enq).toMatchObject({ queued: 3, finished: false });
    const runId = enq.runId!;
    const jobs = (await q(db.handle, sql`select id::text as id, payload->>'path' as path from graphile_worker._private_jobs where (payload->>'runId')::int = ${runId} order by id`)) as Array<{ id: string; path: string }>;
    expect(jobs).toHaveLength(3);
    const [lost] = jobs;
    // A run that belongs to a process, not to the queue: never this function's business.
    const owned = await startRun(db.handle.db, 'test', ['elsewhere']);

    // The first job is on its last attempt in a worker pool that has since died (no process
    // holds its liveness lock); the other two wait.
    await db.handle.db.execute(sql`
      update graphile_worker._private_jobs set attempts = max_attempts, locked_by = 'dead-pool-1',
        locked_at = now() - interval '1 minute', last_error = 'Connection terminated unexpectedly'
      where id = ${lost!.id}::bigint`);
    expect(await closeOrphanedQueueRuns(db.handle.db)).toEqual([]);

    // A worker's sweep unlocks the dead pool's job (no attempts left), then runs the other two.
    // The run cannot finish: before closeOrphanedQueueRuns, it stayed `running` for ever here.
    const first = await workerOnce();
    expect(first.filter((e) => e.event === 'sweep')).toEqual([{ event: 'sweep', unlockedPools: ['dead-pool-1'] }]);
    expect(first.filter((e) => e.event === 'job').map((e) => e.path).sort()).toEqual([jobs[1]!.path, jobs[2]!.path]);
    expect(first.filter((e) => e.event === 'run-closed')).toEqual([]);
    expect(await readRun(db.handle.db, runId)).toMatchObject({ status: 'running', jobsTotal: 3, jobsDone: 2 });

    // While a pool holds the job (its last attempt running in a live but slow worker), the run
    // stays open: that attempt may still load the document and finish the run.
    await db.handle.db.execute(sql`update graphile_worker._private_jobs set locked_by = 'slow-pool', locked_at = now() where id = ${lost!.id}::bigint`);
    expect(await closeOrphanedQueueRuns(db.handle.db)).toEqual([]);

    // That pool dies too: the next worker's sweep unlocks the job and closes the run.
    await db.handle.db.execute(sql`update graphile_worker._private_jobs set locked_by = 'dead-pool-2', locked_at = now() - interval '1 minute' where id = ${lost!.id}::bigint`);
    const second = await workerOnce();
    const error = '1 of 3 documents were never loaded and no job is left to load them: 1 job(s) ran out of attempts (last error: Connection terminated unexpectedly)';
    expect(second.filter((e) => e.event === 'run-closed')).toEqual([{ event: 'run-closed', runId, status: 'failed', error }]);
    const run = await readRun(db.handle.db, runId);
    expect(run).toMatchObject({ status: 'failed', error, jobsDone: 2, counts: { filesRead: 2 } });
    expect(run!.finishedAt).not.toBeNull();
    expect((await q(db.handle, sql`select path from documents where path like ${`${dir}%`} order by path`)).map((r) => r.path)).toEqual([jobs[1]!.path, jobs[2]!.path]);
    expect((await readRun(db.handle.db, owned))!.status).toBe('running');
    // Closed once: a later sweep finds nothing to do.
    expect(await closeOrphanedQueueRuns(db.handle.db)).toEqual([]);
  }, 120_000);

  it('is not called stale by digest verify while one of its jobs can still run, and is once none can', async () => {
    const dir = writePages(2, 5, { seed: 53 });
    const enq = await enqueueInputs(db.handle.db, [dir], { pipeline: 'test' });
    const runId = enq.runId!;
    // Another process's run starts and finishes while the queue run waits for workers.
    const later = await startRun(db.handle.db, 'test', ['elsewhere']);
    await finishRun(db.handle.db, later, 'finished');
    const staleOf = async () => (await checkStaleRuns(db.handle.db)).filter((p) => p.message.startsWith(`run ${runId} `));
    expect(await staleOf()).toEqual([]);
    // A job on its last attempt, locked by a pool: still in progress.
    await db.handle.db.execute(sql`update graphile_worker._private_jobs set attempts = max_attempts, locked_by = 'some-pool', locked_at = now()
      where (payload->>'runId')::int = ${runId}`);
    expect(await staleOf()).toEqual([]);
    // Unlocked with no attempts left: nothing can finish the run any more, and verify says so.
    await db.handle.db.execute(sql`update graphile_worker._private_jobs set locked_by = null, locked_at = null where (payload->>'runId')::int = ${runId}`);
    expect(await staleOf()).toEqual([{ check: 'stale-runs', message: expect.stringContaining(`is still "running" although run ${later} has finished`) }]);
    await closeOrphanedQueueRuns(db.handle.db);
    expect(await staleOf()).toEqual([]);
  }, 60_000);

  it('abandons a run whose jobs were removed from the queue before they ran', async () => {
    const dir = writePages(2, 5, { seed: 52 });
    const enq = await enqueueInputs(db.handle.db, [dir], { pipeline: 'test' });
    const runId = enq.runId!;
    const removed = await q(db.handle, sql`select graphile_worker.remove_job(key) from graphile_worker.jobs where key like ${`%${dir}%`}`);
    expect(removed).toHaveLength(2);
    // (Only this run: the one the test above closes is not this test's business.)
    expect((await closeOrphanedQueueRuns(db.handle.db)).filter((r) => r.id === runId)).toEqual([
      { id: runId, status: 'abandoned', error: '2 of 2 documents were never loaded and no job is left to load them: 2 job(s) left the queue unfinished' },
    ]);
    expect(await readRun(db.handle.db, runId)).toMatchObject({ status: 'abandoned', jobsDone: 0 });
  }, 60_000);
});
