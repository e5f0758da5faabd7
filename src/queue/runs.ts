import { eq, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client.ts';
import { runs } from '../db/schema.ts';
import { retireAndFinish } from '../load/load.ts';
import type { RunCounts } from '../types.ts';

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

/**
 * Closes a run that was stopped before its last document (SIGTERM during `digest schedule`):
 * status `abandoned`. The documents it loaded stay (each committed on its own); the retiring
 * step did not run, so no item was retired on the strength of a partial run.
 */
export async function abandonRun(db: Db, runId: number, reason: string): Promise<void> {
  await db.update(runs).set({ status: 'abandoned', finishedAt: sql`now()`, error: reason }).where(eq(runs.id, runId));
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
