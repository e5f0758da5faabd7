import { sql } from 'drizzle-orm';
import type { JobHelpers, Task } from 'graphile-worker';
import { type Db, rowsOf } from '../db/client.ts';
import { splitKeys } from '../load/overrides.ts';
import { createContext } from '../pipeline/context.ts';
import { type DocumentOutcome, ingestDocument } from '../pipeline/run.ts';
import type { Logger, PipelineConfig } from '../types.ts';
import { isTransient, LostJobLock } from './errors.ts';
import { parsePayload, WORKER_SCHEMA } from './job.ts';
import type { WorkerLiveness } from './liveness.ts';
import { countJobDone, failQueueRun } from './runs.ts';

/** What the document task needs besides its job. */
export interface TaskDeps {
  db: Db;
  liveness: WorkerLiveness;
  /** One JSON-able event per job (start, done, failed). */
  emit(event: Record<string, unknown>): void;
  /** The clock: the run context's reference "now" for each job. */
  now(): Date;
  config?: PipelineConfig;
  log?: Logger;
}

/** What one document job did (the `job` event). */
export interface JobOutcome {
  outcome: DocumentOutcome;
  /** Milliseconds inside `ingestDocument` (read, parse, load). */
  ingestMs: number;
  /** Milliseconds of the COMMIT of the document's transaction. */
  commitMs: number;
  /** Milliseconds of the whole task: liveness check, transaction, run bookkeeping, commit. */
  taskMs: number;
  finishedRun: boolean;
}

/**
 * Claims the job inside the document's transaction: deletes its graphile-worker row, but only
 * while this pool still holds it. Deleting the row is graphile-worker's own way of completing
 * a job, so the document's rows, the run's counts and the job's completion commit together or
 * not at all; a crash before COMMIT leaves the job locked for the liveness sweep, a crash
 * after leaves nothing to redo. graphile-worker 0.17 has no public call that completes a
 * locked job in the caller's transaction (`complete_jobs()` skips locked jobs), so this uses
 * its `_private_jobs` table (pinned version 0.17.3; tests/queue covers it). The row lock also
 * fences a pool that was judged dead but is not: it finds the row gone or locked by another
 * pool and rolls back.
 */
async function claimJob(tx: Db, jobId: string, poolId: string): Promise<boolean> {
  const rows = rowsOf(await tx.execute(sql`delete from ${sql.identifier(WORKER_SCHEMA)}._private_jobs where id = ${jobId}::bigint and locked_by = ${poolId} returning id`));
  return rows.length === 1;
}

/**
 * Gives a job up at once (a bug, not a passing failure: retrying cannot help): its attempts
 * are set to its maximum while it is still ours, and its run is marked failed with the error.
 * graphile-worker then records the error and never runs the job again (a later enqueue of the
 * same content replaces it).
 */
async function giveUp(db: Db, jobId: string, poolId: string, runId: number, reason: string): Promise<void> {
  await db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    await tx.execute(sql`update ${sql.identifier(WORKER_SCHEMA)}._private_jobs set attempts = max_attempts where id = ${jobId}::bigint and locked_by = ${poolId}`);
    await failQueueRun(tx, runId, reason);
  });
}

/**
 * The `digest_ingest` task: `ingestDocument` for the job's path in the job's run, then the
 * run's `jobs_done` + 1 (and, for the last document, the run's final step), all in one
 * transaction with the job's completion. Content problems are rejections recorded by the
 * pipeline (the job succeeds). Transient failures (connection lost, serialization failure,
 * deadlock, a unique-key race between workers) throw, and graphile-worker retries the job with
 * its exponential backoff; when the last attempt fails, the run is marked failed. Any other
 * error is a bug: the job is given up at once and the run marked failed.
 *
 * The file is read when the job runs: content that changed after `digest enqueue` is loaded as
 * it is now (the newer version is what the user wants; a later enqueue of it is a new key that
 * finds it already loaded).
 */
export function makeIngestTask(deps: TaskDeps): Task {
  return async (rawPayload: unknown, helpers: JobHelpers): Promise<void> => {
    const payload = parsePayload(rawPayload);
    const { job } = helpers;
    const poolId = job.locked_by;
    if (!poolId) throw new Error(`job ${job.id} is not locked (graphile-worker runs only locked jobs)`);
    const started = Date.now();
    // No work before this pool is known to be alive: see WorkerLiveness.
    await deps.liveness.hold(poolId);
    deps.emit({ event: 'job-start', jobId: job.id, runId: payload.runId, path: payload.path, attempt: job.attempts, pool: poolId });
    try {
      const ctx = createContext({ now: deps.now(), runId: payload.runId, ...(deps.config ? { config: deps.config } : {}), ...(deps.log ? { log: deps.log } : {}) });
      let bodyEnd = 0;
      const done = await deps.db.transaction(async (txRaw): Promise<Omit<JobOutcome, 'taskMs' | 'commitMs'>> => {
        const tx = txRaw as unknown as Db;
        if (!(await claimJob(tx, job.id, poolId))) throw new LostJobLock(job.id, poolId);
        const noFuzzy = await splitKeys(tx);
        const t0 = Date.now();
        const outcome = await ingestDocument(tx, payload.runId, payload.path, ctx, noFuzzy);
        const ingestMs = Date.now() - t0;
        const { finished } = await countJobDone(tx, payload.runId);
        bodyEnd = Date.now();
        return { outcome, ingestMs, finishedRun: finished };
      });
      const commitMs = Date.now() - bodyEnd;
      const c = done.outcome.counts;
      deps.emit({
        event: 'job', jobId: job.id, runId: payload.runId, path: payload.path, status: done.outcome.status, attempt: job.attempts,
        entries: c.entriesRead, new: c.entriesNew, reason: done.outcome.reason?.code ?? null,
        ingestMs: done.ingestMs, commitMs, taskMs: Date.now() - started, pool: poolId,
      });
      if (done.finishedRun) deps.emit({ event: 'run-finished', runId: payload.runId });
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      if (err instanceof LostJobLock) {
        deps.emit({ event: 'job-lost', jobId: job.id, runId: payload.runId, path: payload.path, pool: poolId });
        throw err; // graphile-worker's failJob only touches rows this pool still holds: a no-op
      }
      const transient = isTransient(err);
      const last = job.attempts >= job.max_attempts;
      deps.emit({ event: 'job-failed', jobId: job.id, runId: payload.runId, path: payload.path, attempt: job.attempts, transient, retry: transient && !last, error: message });
      const reason = `${payload.path}: ${message} (job ${job.id}, attempt ${job.attempts} of ${job.max_attempts})`;
      if (!transient) await giveUp(deps.db, job.id, poolId, payload.runId, reason).catch(() => {});
      else if (last) await failQueueRun(deps.db, payload.runId, reason).catch(() => {});
      throw err;
    }
  };
}
