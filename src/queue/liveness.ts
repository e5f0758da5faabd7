import type postgres from 'postgres';
import { TASK, WORKER_SCHEMA } from './job.ts';
import { holdsAdvisory, lockSession, releaseAdvisory, tryAdvisory } from '../db/advisory.ts';

/** The advisory lock name that says "worker pool `poolId` is alive". */
export function livenessKey(poolId: string): string {
  return `digest-worker:${poolId}`;
}

/**
 * Worker liveness for graphile-worker 0.17, which has no heartbeat of its own: a job locked by
 * a worker that died stays locked until its 4-hour `resetLockedAt` sweep. Here every worker
 * pool holds a session-level advisory lock named after its pool id (the `locked_by` of its
 * jobs) on a connection of its own, for as long as the process lives. The server drops the
 * lock the moment that session ends: the process exited or was killed (its socket closes), or
 * its machine vanished (TCP keepalives, set on the session below, end it within ~25 s).
 *
 * The sweep, run by every worker on start and then periodically, looks at the pools that
 * hold `digest_ingest` jobs; a pool whose lock can be taken is dead, and its jobs are released
 * with graphile-worker's `force_unlock_workers` (what `WorkerUtils.forceUnlockWorkers`
 * calls), so the next worker to poll picks them up. A process that is alive but stuck keeps
 * its jobs: its session is healthy. A pool is only judged once its jobs have been locked for
 * `graceSeconds`, which covers the moment between graphile-worker locking a pool's first job
 * and this class taking the pool's lock (the task also waits for the lock before any work).
 */
export class WorkerLiveness {
  private readonly sql: postgres.Sql;
  private readonly held = new Map<string, Promise<void>>();

  /** Opens the liveness session on `url` (nothing is locked until `hold`). */
  constructor(url: string) {
    this.sql = lockSession(url, 'digest-worker liveness');
  }

  /** Takes (once per pool id) the lock that says "pool `poolId` is alive". */
  hold(poolId: string): Promise<void> {
    let p = this.held.get(poolId);
    if (!p) {
      p = this.sql`select pg_advisory_lock(hashtextextended(${livenessKey(poolId)}, 0))`.then(() => undefined);
      p.catch(() => this.held.delete(poolId));
      this.held.set(poolId, p);
    }
    return p;
  }

  /**
   * Re-takes the locks of this process's pools if its liveness session was replaced (a lost
   * connection is reopened by the driver, without the old session's locks).
   */
  async heartbeat(): Promise<void> {
    for (const poolId of this.held.keys()) {
      const key = livenessKey(poolId);
      if (!(await holdsAdvisory(this.sql, key))) await tryAdvisory(this.sql, key);
    }
  }

  /**
   * Releases the jobs of dead worker pools: pools holding `digest_ingest` jobs locked for more
   * than `graceSeconds` whose liveness lock is free. Returns the pool ids it unlocked.
   */
  async sweep(graceSeconds = 10): Promise<string[]> {
    const pools = await this.sql<{ locked_by: string }[]>`
      select distinct locked_by from ${this.sql(WORKER_SCHEMA)}.jobs
      where task_identifier = ${TASK} and locked_by is not null
        and locked_at < now() - make_interval(secs => ${graceSeconds})`;
    const dead: string[] = [];
    for (const { locked_by: poolId } of pools) {
      if (this.held.has(poolId)) continue;
      const key = livenessKey(poolId);
      if (!(await tryAdvisory(this.sql, key))) continue;
      await releaseAdvisory(this.sql, key);
      dead.push(poolId);
    }
    if (dead.length) {
      await this.sql`select ${this.sql(WORKER_SCHEMA)}.force_unlock_workers(${this.sql.array(dead)}::text[])`;
    }
    return dead;
  }

  /** Ends the liveness session (its locks go with it). */
  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}
