import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDb, type DbHandle } from '../../src/db/client.ts';

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
