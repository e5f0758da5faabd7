import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { acquireLock } from './lock.ts';
import { assertMigrationsKnown } from './migrations.ts';
import * as schema from './schema.ts';

/** The database type every layer above the factory uses, whichever driver built it. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** An open database and how to close it. */
export interface DbHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Where it is, for messages; a server URL never shows its password. */
  describe: string;
  /** The server's URL (postgres only), for sessions of its own such as advisory locks; never printed. */
  url?: string;
  close(): Promise<void>;
}

/** Where to connect. `url` wins; else the PGlite folder `dir` (or `memory://`). */
export interface DbOptions {
  url?: string | null;
  dir?: string;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
}

/** The default embedded data folder, under the working directory. */
export const DEFAULT_PGLITE_DIR = '.digest/pglite';

/** The committed migrations folder. */
export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

/** A database URL with its password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

/** Removes any password of `url` from a message (errors from drivers may quote the URL). */
export function redactSecrets(message: string, url: string | null | undefined): string {
  if (!url) return message;
  let out = message.split(url).join(redactUrl(url));
  try {
    const pw = decodeURIComponent(new URL(url).password);
    if (pw) out = out.split(pw).join('***');
  } catch {
    /* not a URL */
  }
  return out;
}

/**
 * Opens the database: postgres.js when `url` is given, else embedded PGlite in `dir`
 * (created if missing, locked against a second process). Applies pending migrations.
 * Nothing happens at import time; this factory is the only way in.
 */
export async function createDb(opts: DbOptions): Promise<DbHandle> {
  const runMigrations = opts.migrate ?? true;
  if (opts.url) {
    const client = postgres(opts.url, { max: 4, onnotice: () => {}, connection: { application_name: 'digest-etl' } });
    const db = drizzlePostgres(client, { schema }) as unknown as Db;
    const handle: DbHandle = { db, kind: 'postgres', describe: redactUrl(opts.url), url: opts.url, close: () => client.end({ timeout: 5 }) };
    try {
      await assertMigrationsKnown(db as never, MIGRATIONS_DIR, `the database ${handle.describe}`);
      if (runMigrations) await migratePostgres(db as never, { migrationsFolder: MIGRATIONS_DIR });
    } catch (err) {
      await handle.close().catch(() => {});
      throw err;
    }
    return handle;
  }
  const dir = opts.dir ?? DEFAULT_PGLITE_DIR;
  const memory = dir.startsWith('memory://');
  let release = () => {};
  if (!memory) {
    const abs = resolve(dir);
    release = acquireLock(`${abs}.lock`);
    if (!existsSync(abs)) mkdirSync(abs, { recursive: true });
  }
  try {
    const client = await PGlite.create(memory ? undefined : resolve(dir));
    const db = drizzlePglite(client, { schema }) as unknown as Db;
    const handle: DbHandle = {
      db,
      kind: 'pglite',
      describe: memory ? 'PGlite (in memory)' : `PGlite ${dir}`,
      close: async () => {
        try {
          await client.close();
        } finally {
          release();
        }
      },
    };
    try {
      await assertMigrationsKnown(db as never, MIGRATIONS_DIR, `the database in ${memory ? 'memory' : dir}`);
    } catch (err) {
      await client.close().catch(() => {});
      throw err;
    }
    if (runMigrations) await migratePglite(db as never, { migrationsFolder: MIGRATIONS_DIR });
    return handle;
  } catch (err) {
    release();
    throw err;
  }
}

/** Rows of a raw `db.execute()` result, whichever driver ran it. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
