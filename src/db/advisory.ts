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
