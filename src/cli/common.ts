import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createDb, DEFAULT_PGLITE_DIR, type DbHandle } from '../db/client.ts';

/** Exit codes: 0 ok, 1 the run failed (or --strict/--min thresholds crossed), 2 usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where a command writes; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  isTTY: boolean;
}

/** The process's streams and environment. */
export function processIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
  };
}

/** parseArgs with errors turned into UsageError. */
export function parseFlags<const O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Options every database command takes. */
export const DB_FLAGS = {
  db: { type: 'string' },
} as const;

/**
 * Opens the configured database. Precedence: `--db DIR` (embedded) > DATABASE_URL (server)
 * > DIGEST_DB_DIR > the default embedded folder `.digest/pglite`.
 */
export async function openDb(flags: { db?: string | undefined }, io: Io, migrate = true): Promise<DbHandle> {
  if (flags.db && flags.db.startsWith('postgres')) return createDb({ url: flags.db, migrate });
  if (flags.db) return createDb({ dir: flags.db, migrate });
  const url = io.env.DATABASE_URL;
  if (url) return createDb({ url, migrate });
  return createDb({ dir: io.env.DIGEST_DB_DIR || DEFAULT_PGLITE_DIR, migrate });
}
