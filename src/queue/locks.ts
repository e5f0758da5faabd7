import postgres from 'postgres';

/**
 * Session-level advisory locks on a connection of their own. A session lock lasts until it
 * is released or the session ends, so it must live on one dedicated connection (a pooled
 * connection could release it on another session, or keep it after the caller is gone).
 */

/** Opens the one-connection session that holds a process's advisory locks. */
export function lockSession(url: string, name: string): postgres.Sql {
  return postgres(url, {
    max: 1,
    onnotice: () => {},
    keep_alive: 10,
    connection: {
      application_name: name,
      // Server side: a session whose peer stopped answering ends after ~10 + 5 * 3 s, and
      // its locks with it.
      tcp_keepalives_idle: 10,
      tcp_keepalives_interval: 5,
      tcp_keepalives_count: 3,
    } as Record<string, string | number>,
  });
}

/** True when this session holds the advisory lock `hashtextextended(key, 0)`. */
export async function holdsAdvisory(sql: postgres.Sql, key: string): Promise<boolean> {
  const [row] = await sql<{ held: boolean }[]>`
    select exists (
      select 1 from pg_locks l
      where l.locktype = 'advisory' and l.pid = pg_backend_pid() and l.granted and l.objsubid = 1
        and ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(${key}, 0)
    ) as held`;
  return Boolean(row?.held);
}

/** Tries to take the advisory lock `hashtextextended(key, 0)` without waiting. */
export async function tryAdvisory(sql: postgres.Sql, key: string): Promise<boolean> {
  const [row] = await sql<{ ok: boolean }[]>`select pg_try_advisory_lock(hashtextextended(${key}, 0)) as ok`;
  return Boolean(row?.ok);
}

/** Releases the advisory lock `hashtextextended(key, 0)`; false when it was not held. */
export async function releaseAdvisory(sql: postgres.Sql, key: string): Promise<boolean> {
  const [row] = await sql<{ ok: boolean }[]>`select pg_advisory_unlock(hashtextextended(${key}, 0)) as ok`;
  return Boolean(row?.ok);
}

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
