import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { createDb, type Db, type DbHandle, rowsOf } from '../../src/db/client.ts';
import { runs } from '../../src/db/schema.ts';

/** A database target of the integration suites. */
export interface DbTarget {
  name: string;
  /** Opens a fresh, empty, migrated database; `drop()` removes it. */
  open(): Promise<{ handle: DbHandle; url: string | null; drop(): Promise<void> }>;
}

/** Embedded PGlite, in memory: always available. */
export const pgliteTarget: DbTarget = {
  name: 'PGlite',
  async open() {
    const handle = await createDb({ dir: 'memory://' });
    return { handle, url: null, drop: async () => {} };
  },
};

/**
 * The real PostgreSQL server named by TEST_DATABASE_URL (CI sets it): each suite gets a
 * database of its own, created from that URL's server and dropped afterwards.
 */
export function serverTarget(baseUrl: string): DbTarget {
  return {
    name: 'PostgreSQL server',
    async open() {
      const name = `digest_test_${randomBytes(5).toString('hex')}`;
      const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      await admin.end();
      const u = new URL(baseUrl);
      u.pathname = `/${name}`;
      const url = u.toString();
      const handle = await createDb({ url });
      return {
        handle,
        url,
        drop: async () => {
          await handle.close().catch(() => {});
          const a = postgres(baseUrl, { max: 1, onnotice: () => {} });
          await a.unsafe(`drop database if exists ${name} with (force)`);
          await a.end();
        },
      };
    },
  };
}

/** PGlite always; the server too when TEST_DATABASE_URL is set. */
export function dbTargets(): DbTarget[] {
  const url = process.env.TEST_DATABASE_URL;
  return url ? [pgliteTarget, serverTarget(url)] : [pgliteTarget];
}

/** An item inserted directly (not through the loader), with chosen LSH buckets. */
export interface TestItem {
  key: string;
  bands: number[];
  title?: string;
  body?: string;
}

/**
 * Inserts items in one statement, in list order (so ids follow the list), as run `runId`'s;
 * the title defaults to the key, the body to ''. Returns their ids in ascending order.
 */
export async function insertItems(db: Db, runId: number, items: readonly TestItem[]): Promise<number[]> {
  const rows = rowsOf<{ id: number }>(
    await db.execute(sql`insert into entries (key, title_key, bands, title, body, language, content_hash, provenance, issues, first_run_id, last_run_id)
      select key, key, bands, coalesce(title, key), coalesce(body, ''), 'en', key, '{}'::jsonb, '[]'::jsonb, ${runId}, ${runId}
      from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as x(key text, title text, body text, bands bigint[])
      returning id`),
  );
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/** A fresh database of `target` with one run to own test rows; `close()` closes and drops it. */
export async function openWithRun(target: DbTarget): Promise<{ handle: DbHandle; runId: number; close(): Promise<void> }> {
  const { handle, drop } = await target.open();
  const [run] = await handle.db.insert(runs).values({ pipeline: 'test', paths: [] }).returning({ id: runs.id });
  return {
    handle,
    runId: run!.id,
    close: async () => {
      await handle.close().catch(() => {});
      await drop();
    },
  };
}
