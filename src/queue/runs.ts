import { eq, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client.ts';
import { runs } from '../db/schema.ts';
import { retireAndFinish } from '../load/load.ts';
import type { RunCounts } from '../types.ts';
import { TASK, WORKER_SCHEMA } from './job.ts';

/**
 * The run bookkeeping of queue runs (`runs.jobs_total` / `runs.jobs_done`) and of scheduled
 * runs that stop early. One SQL operation per function, on the existing `runs` table.
 */

/** Sets how many documents a queue run covers and how many of them are already done. */
export async function setJobCounts(db: Db, runId: number, total: number, done: number): Promise<void> {
  await db.update(runs).set({ jobsTotal: total, jobsDone: done }).where(eq(runs.id, runId));
}

/**
 * Counts one finished document job of a queue run, inside the caller's transaction (the one
 * that loaded the document). The job that brings `jobs_done` up to `jobs_total` also runs the
 * run's final step (retiring items, status `finished`) in that same transaction; the row lock
 * on the run serialises concurrent workers, so exactly one of them sees the last count.
 * Returns the counts after the update and whether this call finished the run.
 */
export async function countJobDone(tx: Db, runId: number): Promise<{ done: number; total: number | null; finished: boolean }> {
  const [row] = await tx
    .update(runs)
    .set({ jobsDone: sql`${runs.jobsDone} + 1` })
    .where(eq(runs.id, runId))
    .returning({ done: runs.jobsDone, total: runs.jobsTotal, status: runs.status });
  if (!row) throw new Error(`run ${runId} does not exist (its job outlived it?)`);
  const finished = row.status === 'running' && row.total != null && row.done >= row.total;
  if (finished) await retireAndFinish(tx, runId);
  return { done: row.done, total: row.total, finished };
}

/** Marks a queue run failed (a job gave up after its last attempt), unless it already ended. */
export async function failQueueRun(db: Db, runId: number, reason: string): Promise<void> {
  await db.execute(sql`update runs set status = 'failed', finished_at = now(), error = ${reason} where id = ${runId} and status = 'running'`);
}

/** A run row as the queue commands report it. */
export interface RunRow {
  id: number;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  jobsTotal: number | null;
  jobsDone: number;
  counts: RunCounts;
  error: string | null;
}

/** Reads one run row (null when there is none). */
export async function readRun(db: Db, runId: number): Promise<RunRow | null> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select id, status, started_at, finished_at, jobs_total, jobs_done, error,
             files_read, files_rejected, files_unchanged, entries_read, entries_new, entries_updated,
             entries_unchanged, entries_duplicate, entries_rejected
      from runs where id = ${runId}`),
  );
  const r = rows[0];
  if (!r) return null;
  const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());
  return {
    id: Number(r.id),
    status: String(r.status),
    startedAt: iso(r.started_at)!,
    finishedAt: iso(r.finished_at),
    jobsTotal: r.jobs_total == null ? null : Number(r.jobs_total),
    jobsDone: Number(r.jobs_done),
    error: (r.error as string | null) ?? null,
    counts: {
      filesRead: Number(r.files_read),
      filesRejected: Number(r.files_rejected),
      filesUnchanged: Number(r.files_unchanged),
      entriesRead: Number(r.entries_read),
      entriesNew: Number(r.entries_new),
      entriesUpdated: Number(r.entries_updated),
      entriesUnchanged: Number(r.entries_unchanged),
      entriesDuplicate: Number(r.entries_duplicate),
      entriesRejected: Number(r.entries_rejected),
    },
  };
}

/**
 * Records documents found unchanged at enqueue time (the same path and content hash as their
 * latest loaded version) in one statement each for the documents and the run: they get no job,
 * and count as unchanged files and entries, as `digest ingest` counts them.
 */
export async function addUnchanged(tx: Db, runId: number, docs: ReadonlyArray<{ id: number; entryCount: number }>): Promise<void> {
  if (!docs.length) return;
  const entries = docs.reduce((s, d) => s + d.entryCount, 0);
  await tx.execute(sql`update documents set last_run_id = ${runId} where id in (select json_array_elements_text(${JSON.stringify(docs.map((d) => d.id))}::json)::int)`);
  await tx.execute(sql`
    update runs set files_read = files_read + ${docs.length}, files_unchanged = files_unchanged + ${docs.length},
      entries_read = entries_read + ${entries}, entries_unchanged = entries_unchanged + ${entries}
    where id = ${runId}`);
}

/** True when graphile-worker's schema exists (never on the embedded database). */
async function hasJobQueue(db: Db): Promise<boolean> {
  const [schema] = rowsOf<{ present: boolean }>(await db.execute(sql`select to_regclass(${`${WORKER_SCHEMA}._private_jobs`}) is not null as present`));
  return Boolean(schema?.present);
}

/** digest-etl's jobs (`j`): graphile-worker 0.17's `jobs` view has no payload, so its tables are read, as in task.ts. */
function taskJobs() {
  return sql`${sql.identifier(WORKER_SCHEMA)}._private_jobs j join ${sql.identifier(WORKER_SCHEMA)}._private_tasks t on t.id = j.task_id and t.identifier = ${TASK}`;
}

/**
 * A subquery that has a row when run `runId` has a job that can still run: locked by a pool, or
 * with attempts left (graphile-worker's own test for a job it may run is unlocked and
 * attempts < max_attempts; a locked one may still be finishing).
 */
function liveJobOf(runId: ReturnType<typeof sql>) {
  return sql`select 1 from ${taskJobs()} where (j.payload->>'runId')::int = ${runId} and (j.locked_at is not null or j.attempts < j.max_attempts)`;
}

/**
 * The queue runs still `running` that a job can still finish: they are in progress, whatever
 * other runs did meanwhile (`digest verify` does not call them stale). Empty without a job queue.
 */
export async function queueRunsInProgress(db: Db): Promise<Set<number>> {
  if (!(await hasJobQueue(db))) return new Set();
  const rows = rowsOf<{ id: number }>(await db.execute(sql`
    select r.id from runs r where r.status = 'running' and r.jobs_total is not null and exists (${liveJobOf(sql`r.id`)})`));
  return new Set(rows.map((r) => Number(r.id)));
}

/** A queue run closed by `closeOrphanedQueueRuns`. */
export interface ClosedQueueRun {
  id: number;
  status: 'failed' | 'abandoned';
  error: string;
}

/**
 * Closes the queue runs (`jobs_total` set) still `running` that no job can ever finish: none of
 * their `digest_ingest` jobs is locked or has attempts left (graphile-worker's own test for a
 * job it may run: `is_available` = unlocked and attempts < max_attempts). Such a run cannot
 * reach `jobs_total`, so no countJobDone would ever close it, and `digest verify` would report
 * it as stale for ever. It happens when the worker running a job's last attempt dies (the
 * liveness sweep unlocks the job with no attempts left, and the task's failQueueRun never ran),
 * when that call itself failed (the database was unreachable: the usual cause of a last failed
 * attempt), or when jobs were removed from the queue by hand.
 *
 * Status `failed` when a job ran out of attempts (what failQueueRun would have written, with
 * its last error), `abandoned` when the jobs are simply gone. The retiring step does not run:
 * the run did not load every page. Safe against a worker finishing the run's last job at the
 * same moment: that job's row is deleted in the transaction that counts it, so this statement's
 * snapshot sees either the locked job (the run is skipped) or the run already `finished`.
 * Nothing adds a job to an existing run (a re-enqueue moves a given-up job to its new run).
 * Call after the liveness sweep, which unlocks the jobs of dead worker pools; a job locked by a
 * live but slow worker keeps its run open. Returns the runs it closed (none when
 * graphile-worker's schema does not exist).
 */
export async function closeOrphanedQueueRuns(db: Db): Promise<ClosedQueueRun[]> {
  if (!(await hasJobQueue(db))) return [];
  const jobs = taskJobs();
  const rows = rowsOf<{ id: number; status: 'failed' | 'abandoned'; error: string }>(await db.execute(sql`
    with orphan as (
      select r.id, r.jobs_total, r.jobs_done,
        (select count(*) from ${jobs} where (j.payload->>'runId')::int = r.id)::int as given_up,
        (select j.last_error from ${jobs} where (j.payload->>'runId')::int = r.id order by j.updated_at desc limit 1) as last_error
      from runs r
      where r.status = 'running' and r.jobs_total is not null
        and not exists (${liveJobOf(sql`r.id`)})
    )
    update runs set
      status = case when o.given_up > 0 then 'failed' else 'abandoned' end,
      finished_at = now(),
      error = format('%s of %s documents were never loaded and no job is left to load them: %s',
        greatest(o.jobs_total - o.jobs_done, 0), o.jobs_total,
        concat_ws('; ',
          case when o.given_up > 0 then format('%s job(s) ran out of attempts (last error: %s)', o.given_up, coalesce(o.last_error, 'none recorded')) end,
          case when o.jobs_total - o.jobs_done - o.given_up > 0 then format('%s job(s) left the queue unfinished', o.jobs_total - o.jobs_done - o.given_up) end))
    from orphan o
    where runs.id = o.id and runs.status = 'running'
    returning runs.id, runs.status, runs.error`));
  return rows.map((r) => ({ id: Number(r.id), status: r.status, error: r.error }));
}
