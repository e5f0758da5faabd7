import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { lockSession } from '../db/advisory.ts';
import type { Db, DbHandle } from '../db/client.ts';
import { rowsOf } from '../db/client.ts';
import { ABANDONED_REASON, abandonStaleRuns, startRun } from './load.ts';

/** The advisory lock that says "the process that started run `runId` is alive". */
export function runLockKey(runId: number): string {
  return `digest-run:${runId}`;
}

/** A run this process started, and how to let go of it once the run is closed. */
export interface OwnedRun {
  runId: number;
  /** Ends the ownership (call after the run's final status is written). */
  release(): Promise<void>;
}

/**
 * Starts a run and closes the runs whose process died (SIGKILL, OOM, a lost machine), so a
 * killed run never stays `running` next to later finished ones.
 *
 * On the server several loaders may run at once, so "running" alone says nothing: the
 * process that starts a run holds a session-level advisory lock named after it, on a
 * connection of its own, taken in the same transaction that creates the run row (no moment
 * exists where the row is visible and the lock free). The server drops the lock when that
 * session ends, which is when the process exits or dies. A new run then marks `abandoned`
 * every running run whose lock it can take. Runs of the job queue (`jobs_total` set) belong to
 * no process and are left to the queue.
 *
 * PGlite is opened by one process at a time (its lock file), so every other running run there
 * is dead.
 */
export async function startOwnedRun(handle: DbHandle, pipeline: string, paths: string[], opts: { dryRun?: boolean } = {}): Promise<OwnedRun> {
  if (opts.dryRun) {
    // Inside the dry run's transaction, which rolls back: the run row goes with it, and
    // closing other runs is no business of a run that writes nothing.
    return { runId: await startRun(handle.db, pipeline, paths), release: async () => {} };
  }
  if (handle.kind === 'pglite' || !handle.url) {
    const runId = await startRun(handle.db, pipeline, paths);
    await abandonStaleRuns(handle.db, runId);
    return { runId, release: async () => {} };
  }
  const session = lockSession(handle.url, 'digest-etl run owner');
  try {
    const own = drizzle(session) as unknown as Db;
    const runId = await own.transaction(async (txRaw) => {
      const tx = txRaw as unknown as Db;
      const id = await startRun(tx, pipeline, paths);
      await tx.execute(sql`select pg_advisory_lock(hashtextextended(${runLockKey(id)}, 0))`);
      return id;
    });
    await abandonDeadRuns(handle.db, runId);
    return { runId, release: () => session.end({ timeout: 5 }) };
  } catch (err) {
    await session.end({ timeout: 1 }).catch(() => {});
    throw err;
  }
}

/**
 * Marks `abandoned` the server's running runs (other than `exceptRunId`, not queue runs) whose
 * owner lock is free: their process is gone. The locks are taken for the statement's
 * transaction only. Returns the ids it closed.
 */
export async function abandonDeadRuns(db: Db, exceptRunId: number): Promise<number[]> {
  const rows = rowsOf<{ id: number }>(await db.execute(sql`
    update runs set status = 'abandoned', finished_at = now(), error = ${ABANDONED_REASON}
    where id in (
      select id from runs where status = 'running' and id <> ${exceptRunId} and jobs_total is null
        and pg_try_advisory_xact_lock(hashtextextended('digest-run:' || id, 0)))
    returning id`));
  return rows.map((r) => r.id);
}
