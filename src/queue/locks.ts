import type postgres from 'postgres';
import { holdsAdvisory, lockSession, releaseAdvisory, tryAdvisory } from '../db/advisory.ts';

/**
 * The lock `digest schedule` holds for the duration of a run on the server, so two schedules
 * of the same input set (on one machine or several) never run at once. The set is the input
 * paths as given, sorted: the same strings the documents table stores, so processes started
 * in the same working folder (or with the same absolute paths) share it.
 */
export class InputSetLock {
  private readonly sql: postgres.Sql;
  /** The lock's name (`digest-schedule:` + the sorted paths as JSON). */
  readonly key: string;

  constructor(url: string, paths: readonly string[]) {
    this.sql = lockSession(url, 'digest-schedule lock');
    this.key = `digest-schedule:${JSON.stringify([...new Set(paths)].sort())}`;
  }

  /** Takes the lock if no other session holds it. */
  tryAcquire(): Promise<boolean> {
    return tryAdvisory(this.sql, this.key);
  }

  /** True while this process still holds it (false after its session was lost and reopened). */
  held(): Promise<boolean> {
    return holdsAdvisory(this.sql, this.key);
  }

  /** Releases it. */
  async release(): Promise<void> {
    await releaseAdvisory(this.sql, this.key);
  }

  /** Ends the session (and any lock with it). */
  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}
