import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createDb, DEFAULT_PGLITE_DIR, type DbHandle, redactUrl } from '../db/client.ts';
import type { Source } from '../config/load.ts';
import type { Verbosity } from '../log/reporter.ts';

/**
 * Exit codes: 0 ok; 1 the command failed (a run failed, the database is unreachable, locked or
 * newer than the code, a path does not exist, a query was refused, or --strict/--min thresholds
 * were crossed); 2 usage error (an unknown command or option, a bad value, an invalid configuration).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the user can fix, reported as one sentence without a stack (exit code 1). */
export class UserError extends Error {
  override name = 'UserError';
}

/** Where a command writes; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** True when stdout is a terminal (progress bar instead of JSON log lines). */
  isTTY: boolean;
  /** The stderr stream, when the process has one (the progress bar draws on it). */
  stderr?: NodeJS.WriteStream | undefined;
}

let pipeGuard = false;

/**
 * The process's streams and environment. A closed stdout (`digest export | head`) ends the
 * process quietly, as Unix tools do, instead of crashing on EPIPE.
 */
export function processIo(): Io {
  if (!pipeGuard) {
    pipeGuard = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
    stderr: process.stderr,
  };
}

/** parseArgs with its errors turned into one-line UsageErrors ("unknown option --x"). */
export function parseFlags<const O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const e = err as Error & { code?: string };
    const opt = /'(-[^' ]+)/.exec(e.message)?.[1];
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${opt ?? e.message}`);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (/argument missing/.test(e.message)) throw new UsageError(`option ${opt ?? ''} needs a value`);
      throw new UsageError(`option ${opt ?? ''} takes no value`);
    }
    throw new UsageError(e.message.split('. ')[0]!);
  }
}

/** Options every database command takes. */
export const DB_FLAGS = {
  db: { type: 'string' },
} as const;

/** `--quiet` and `--verbose`. */
export const VERBOSITY_FLAGS = {
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
} as const;

/** The verbosity the flags ask for; both at once is a usage error. */
export function verbosityOf(values: { quiet?: boolean | undefined; verbose?: boolean | undefined }): Verbosity {
  if (values.quiet && values.verbose) throw new UsageError('--quiet and --verbose contradict each other; give one');
  return values.quiet ? 'quiet' : values.verbose ? 'verbose' : 'normal';
}

/** Parses a positive whole number given as `name`, or throws a UsageError naming it. */
export function positiveNumber(value: string | undefined, name: string): number {
  if (value == null || !/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${name} must be a positive whole number, not "${value ?? ''}"`);
  return Number(value);
}

/** Which database the flags and environment name, and where that choice came from. */
export function databaseTarget(flags: { db?: string | undefined }, io: Io): { url?: string; dir?: string; describe: string; from: Source } {
  if (flags.db && /^postgres(ql)?:\/\//.test(flags.db)) return { url: flags.db, describe: redactUrl(flags.db), from: { kind: 'flag', name: '--db' } };
  if (flags.db) return { dir: flags.db, describe: flags.db.startsWith('memory://') ? 'PGlite (in memory)' : `PGlite ${flags.db}`, from: { kind: 'flag', name: '--db' } };
  const url = io.env.DATABASE_URL;
  if (url) return { url, describe: redactUrl(url), from: { kind: 'environment', name: 'DATABASE_URL' } };
  if (io.env.DIGEST_DB_DIR) return { dir: io.env.DIGEST_DB_DIR, describe: `PGlite ${io.env.DIGEST_DB_DIR}`, from: { kind: 'environment', name: 'DIGEST_DB_DIR' } };
  return { dir: DEFAULT_PGLITE_DIR, describe: `PGlite ${DEFAULT_PGLITE_DIR}`, from: { kind: 'default', name: null } };
}

/**
 * Opens the configured database. Precedence: `--db DIR|URL` > DATABASE_URL (server)
 * > DIGEST_DB_DIR > the default embedded folder `.digest/pglite`. A URL that is not
 * `postgres://…` or a --db that is a file is a usage error; the database being unreachable,
 * locked or migrated by a newer version throws (main prints one sentence).
 */
export async function openDb(flags: { db?: string | undefined }, io: Io, migrate = true): Promise<DbHandle> {
  const t = databaseTarget(flags, io);
  if (t.url) {
    if (!/^postgres(ql)?:\/\//.test(t.url)) throw new UsageError(`DATABASE_URL must be a postgres://user:password@host:port/database URL, not "${redactUrl(t.url)}"`);
    return createDb({ url: t.url, migrate });
  }
  const dir = t.dir!;
  if (!dir.startsWith('memory://')) {
    let isFile = false;
    try {
      isFile = !statSync(resolve(io.cwd, dir)).isDirectory();
    } catch {
      /* missing: created */
    }
    if (isFile) throw new UsageError(`${t.from.name ?? 'the database folder'} ${dir} is a file, not a folder; give a folder for the embedded database (it is created when missing)`);
  }
  return createDb({ dir, migrate });
}

/**
 * Formats rows as a plain text table: a header, then one line per row, columns padded to
 * their widest cell (numbers right-aligned). Cells are shown on one line, cut at `maxWidth`.
 */
export function table(header: string[], rows: unknown[][], maxWidth = 60): string {
  const cell = (v: unknown) => {
    const s = v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    const one = s.replace(/\s+/g, ' ');
    return one.length > maxWidth ? `${one.slice(0, maxWidth - 1)}…` : one;
  };
  const cells = rows.map((r) => r.map(cell));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => r[i] == null || typeof r[i] === 'number'));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n') + '\n';
}
