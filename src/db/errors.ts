import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from './client.ts';

type Chained = (Error & { code?: unknown; cause?: unknown }) | undefined;

/** The first database error (one with a SQLSTATE code) along an error's `cause` chain. */
export function databaseError(err: unknown): { code: string; message: string } | null {
  for (let e = err as Chained, i = 0; e && i < 8; e = e.cause as Chained, i++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return { code: e.code, message: e.message };
  }
  return null;
}

/**
 * A short reason for a failure: the server's own message and SQLSTATE when a statement failed,
 * never drizzle's "Failed query: <sql> params: <every value of the statement>" (which can
 * run to megabytes of the document's text and hides the reason).
 */
export function failureReason(err: unknown): string {
  let e = err as Chained;
  for (let i = 0; i < 8 && e; i++) {
    const msg = e.message ?? String(e);
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return `${msg} (SQLSTATE ${e.code})`;
    if (!(msg.startsWith('Failed query:') && e.cause)) return msg.length > 500 ? `${msg.slice(0, 500)}…` : msg;
    e = e.cause as Chained;
  }
  return String(err);
}

/** SQLSTATE 55P03: lock_not_available (lock_timeout ran out). */
export const LOCK_NOT_AVAILABLE = '55P03';

/**
 * After a lock timeout: who holds a strong lock on the pipeline's tables now, as "table entries
 * (AccessExclusiveLock) held by process 4242: lock table entries in access exclusive mode".
 * Empty when the lock is gone by the time we look.
 */
export async function lockHolders(db: Db): Promise<string[]> {
  const rows = rowsOf<{ rel: string; mode: string; pid: number; query: string | null }>(await db.execute(sql`
    select distinct c.relname as rel, l.mode, l.pid, left(a.query, 120) as query
    from pg_locks l join pg_class c on c.oid = l.relation left join pg_stat_activity a on a.pid = l.pid
    where l.granted and l.pid <> pg_backend_pid() and c.relnamespace = 'public'::regnamespace
      and l.mode in ('AccessExclusiveLock', 'ExclusiveLock', 'ShareRowExclusiveLock', 'ShareLock')
    order by c.relname, l.pid`));
  return rows.map((r) => `table ${r.rel} (${r.mode}) held by process ${r.pid}${r.query ? `: ${r.query.replace(/\s+/g, ' ').trim()}` : ''}`);
}

/**
 * The error a document load ends with: a lock timeout is explained (how long, who holds what,
 * what to do); anything else is returned as it is.
 */
export async function explainLoadError(db: Db, err: unknown, lockTimeoutSeconds: number): Promise<unknown> {
  if (databaseError(err)?.code !== LOCK_NOT_AVAILABLE) return err;
  const holders = await lockHolders(db).catch(() => []);
  const who = holders.length ? holders.join('; ') : 'the holder has released it since';
  return new Error(
    `waited ${lockTimeoutSeconds} s for a lock another database session holds (${who}); run again once it is released, or raise lockTimeoutSeconds (SQLSTATE ${LOCK_NOT_AVAILABLE})`,
    { cause: err },
  );
}
