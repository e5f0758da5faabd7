import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/**
 * Thrown when the database holds a migration this code does not have: a newer digest-etl
 * migrated it (its migration is later than all of ours), or the migrations were regenerated.
 */
export class MigrationsNewerError extends Error {
  constructor(
    readonly unknown: Array<{ hash: string; createdAt: number }>,
    readonly where: string,
    readonly newestKnown: number,
  ) {
    const newestUnknown = Math.max(...unknown.map((u) => u.createdAt));
    const day = new Date(newestUnknown).toISOString().slice(0, 10);
    super(
      newestUnknown > newestKnown
        ? `${where} was migrated by a newer digest-etl (${unknown.length} migration(s) up to ${day} that this version does not have); ` +
            'update digest-etl (git pull && npm ci) or point --db / DATABASE_URL at another database.'
        : `${where} holds ${unknown.length} migration(s) from ${day} that this version's migrations/ does not have (they were regenerated); ` +
            'use the digest-etl that created it, or start a new database (another --db folder, or delete this one) and ingest again.',
    );
    this.name = 'MigrationsNewerError';
  }
}

function rows<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : (((result as { rows?: T[] }).rows ?? []) as T[]);
}

/**
 * Compares drizzle's migrations table with the migrations folder of this code: a row whose hash
 * is not among the code's migrations means a newer version migrated the database (drizzle's
 * migrator would silently skip everything and the code would run against a schema it does not
 * know). Throws MigrationsNewerError then; does nothing on a fresh database.
 */
export async function assertMigrationsKnown(db: PgDatabase<PgQueryResultHKT, Record<string, unknown>>, migrationsFolder: string, where: string): Promise<void> {
  const [t] = rows<{ t: string | null }>(await db.execute(sql`select to_regclass('drizzle.__drizzle_migrations')::text as t`));
  if (!t?.t) return;
  const applied = rows<{ hash: string; created_at: string | number | null }>(await db.execute(sql`select hash, created_at from drizzle.__drizzle_migrations`));
  const ours = readMigrationFiles({ migrationsFolder });
  const known = new Set(ours.map((m) => m.hash));
  const unknown = applied.filter((r) => !known.has(r.hash)).map((r) => ({ hash: r.hash, createdAt: Number(r.created_at ?? 0) }));
  if (unknown.length) throw new MigrationsNewerError(unknown, where, Math.max(0, ...ours.map((m) => m.folderMillis)));
}
