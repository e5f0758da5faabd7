import { randomBytes } from 'node:crypto';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { createDb, type DbHandle } from '../../../src/db/client.ts';

/** A fresh database for one fault case, and how children and the test reach it. */
export interface FreshDb {
  kind: 'pglite' | 'postgres';
  /** Short name for messages. */
  label: string;
  /** CLI arguments naming it (`--db DIR`), or none for a server (DATABASE_URL in `env`). */
  args: string[];
  env: Record<string, string | undefined>;
  /** How the harness child opens it. */
  child: { dir: string } | { url: string };
  /** The PGlite data folder, or null. */
  dir: string | null;
  /** The server URL, or null. */
  url: string | null;
  /** Opens it in this process (PGlite: takes the lock; close it before the next child runs). */
  open(): Promise<DbHandle>;
  /** Removes it. */
  drop(): Promise<void>;
}

/**
 * A PGlite data folder `name` under `root`: a copy of `template` (an empty migrated folder, see
 * pgliteTemplate: creating one costs ~8 s of CPU) or, without one, created by the first
 * process that opens it.
 */
export function freshPglite(root: string, name: string, template?: string): FreshDb {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}.lock`, { force: true });
  if (template) cpSync(template, dir, { recursive: true });
  return {
    kind: 'pglite',
    label: `PGlite ${name}`,
    args: ['--db', dir],
    env: {},
    child: { dir },
    dir,
    url: null,
    open: () => createDb({ dir }),
    drop: async () => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}.lock`, { force: true });
    },
  };
}

/** A new database on the server of `baseUrl` (TEST_DATABASE_URL); dropped by `drop()`. */
export async function freshServerDb(baseUrl: string, tag: string): Promise<FreshDb> {
  const name = `digest_test_faults_${tag.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  return {
    kind: 'postgres',
    label: `server ${name}`,
    args: [],
    env: { DATABASE_URL: url },
    child: { url },
    dir: null,
    url,
    open: () => createDb({ url }),
    drop: async () => {
      const a = postgres(baseUrl, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** Runs `fn` on the database opened in this process, and closes it. */
export async function withDb<T>(db: FreshDb, fn: (h: DbHandle) => Promise<T>): Promise<T> {
  const h = await db.open();
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

/** Creates an empty, migrated PGlite folder at `dir` to copy fresh databases from. */
export async function pgliteTemplate(dir: string): Promise<string> {
  const h = await createDb({ dir });
  await h.close();
  return dir;
}
